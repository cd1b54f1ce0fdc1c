"""config.yaml's ``services:``, ``windows:`` and ``calling:``: the queues and who calls them.

A service (业务) is one queue with its own letter prefix and daily sequence; a window
(窗口) calls a list of services and has its devices on the buses of ``devices:``;
``calling:`` holds the calling policy's settings (priority runs, appointments, 过号回队).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hall.config.base import _Section


class ServiceConfig(_Section):
    """业务: one queue with its own letter prefix and daily sequence."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    prefix: str = Field(pattern=r"^[A-Z]$", description="letter before the number: A001")
    daily_cap: int | None = Field(None, ge=1, description="tickets per day; null = no cap")
    hours: Literal["hall", "always"] = Field("hall", description="always = 24-hour service")
    allow_priority: bool = Field(True, description="priority / 绿色通道 tickets may be taken")
    per_person_daily_limit: int = Field(
        2, ge=1, description="tickets a day per ID number for this service"
    )
    default_service_s: int = Field(
        300, ge=10, description="seconds per citizen assumed until real service times exist"
    )


class WindowDevices(_Section):
    """Addresses of the devices at a window, on the buses of the ``devices`` section."""

    led_board: int | None = Field(None, ge=0, le=65535, description="window LED board address")
    led_format: Literal["bx5", "line"] | None = Field(None, description="null = led_bus.format")
    keypad: int | None = Field(None, ge=0, le=255, description="caller keypad address")
    evaluator: int | None = Field(None, ge=0, le=255, description="evaluator address")


class WindowConfig(_Section):
    """窗口: a counter that serves a list of services."""

    number: int = Field(ge=1, le=999)
    name_zh: str = ""
    area: str = ""
    services: list[str] = Field(min_length=1, description="service codes this window calls")
    devices: WindowDevices = WindowDevices()
    matters: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list,
        description="自助申报 cases handled here: matter codes, departments of the catalogue, "
        "or '*' for all; staff signed in here see those cases' applicant data in full "
        "(others a masked view; docs/SECURITY.md)",
    )


class CallingSection(_Section):
    """The calling policy's settings."""

    max_consecutive_priority: int = Field(
        3, ge=1, description="after this many priority calls a window calls the oldest ordinary one"
    )
    appointment_early_min: int = Field(30, ge=0, description="check-in allowed this early")
    appointment_grace_min: int = Field(15, ge=0, description="slot priority kept this long after")
    estimate_window_n: int = Field(20, ge=1, description="recent services averaged for estimates")
    requeue_position: Literal["behind_waiting", "keep_rank"] = Field(
        "behind_waiting",
        description=(
            "过号回队: where a no-show brought back (POST /windows/{n}/requeue) goes."
            " behind_waiting: behind everyone waiting at that moment, as an ordinary ticket"
            " (a priority or appointment ticket is not called again at once);"
            " keep_rank: behind those of its own rank (a priority ticket goes before"
            " ordinary ones), the old behaviour"
        ),
    )
