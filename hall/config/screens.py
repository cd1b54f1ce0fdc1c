"""config.yaml ``kiosk.screens``: each Kivy role's window, its size, orientation and place.

The three roles of run_kiosk.py stand in different places: the citizen kiosk
is a portrait touchscreen (1080×1920), the lobby a hall TV (landscape
1920×1080, or a TV hung on its side), the caller panel a small window beside
the clerk's business system (480×800), optionally kept above it. The
orientation follows the size: wider than tall is landscape.

Every screen was laid out for 1920×1080 pixels (either way up); a window of
another size is drawn at a scale (Kivy's ``Metrics.density``: every ``dp`` and
``sp`` of the screens), by default the largest at which that layout fits the
window: 1 for the kiosk and the lobby TV, 0.42 for a 480×800 caller panel, 2
for a 4K TV.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from hall.config.base import _Section

log = logging.getLogger("hall.config")

Role = Literal["kiosk", "lobby", "caller"]
#: The size every screen is laid out for (long side, short side), in pixels at scale 1.
DESIGN_LONG, DESIGN_SHORT = 1920, 1080
#: Roles whose screens are laid out portrait only (the lobby works either way).
PORTRAIT_ONLY = ("kiosk", "caller")


class RoleWindow(_Section):
    """One role's window: size in pixels, fullscreen, place on the screen, scale."""

    width: int = Field(1080, ge=320, le=7680, description="pixels")
    height: int = Field(1920, ge=320, le=7680, description="pixels")
    fullscreen: bool = Field(
        False, description="fill the screen (width and height should then be the screen's)"
    )
    always_on_top: bool = Field(
        False, description="keep the window above the others (SDL2; the caller beside a browser)"
    )
    left: int | None = Field(
        None, ge=0, description="x of the window's top-left corner; null = the window manager's"
    )
    top: int | None = Field(None, ge=0, description="y of the top-left corner; with left")
    scale: float | None = Field(
        None,
        ge=0.25,
        le=4,
        description="size of everything drawn (dp, sp); null = the largest at which the "
        "1920x1080 layout fits the window",
    )

    @model_validator(mode="after")
    def _position_whole(self) -> RoleWindow:
        if (self.left is None) != (self.top is None):
            raise ValueError("left and top: give both (a place on the screen) or neither")
        return self

    @property
    def orientation(self) -> Literal["portrait", "landscape"]:
        """Landscape when wider than tall."""
        return "landscape" if self.width > self.height else "portrait"

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (self.width, self.height)

    @property
    def position(self) -> tuple[int, int] | None:
        """(left, top), or None for the window manager's choice."""
        return None if self.left is None or self.top is None else (self.left, self.top)

    def density(self) -> float:
        """The scale the role's screens are drawn at (``scale``, or the largest that fits)."""
        if self.scale is not None:
            return self.scale
        long, short = max(self.width, self.height), min(self.width, self.height)
        return round(min(long / DESIGN_LONG, short / DESIGN_SHORT), 4)


#: Each role's window when config.yaml does not say (a role's keys given override these).
ROLE_DEFAULTS: dict[str, dict[str, int]] = {
    "kiosk": {"width": 1080, "height": 1920},
    "lobby": {"width": 1920, "height": 1080},
    "caller": {"width": 480, "height": 800},
}


class ScreensSection(_Section):
    """The window of each role of run_kiosk.py."""

    kiosk: RoleWindow = Field(
        default_factory=lambda: RoleWindow(**ROLE_DEFAULTS["kiosk"]),
        description="citizen touchscreen, portrait 1080x1920",
    )
    lobby: RoleWindow = Field(
        default_factory=lambda: RoleWindow(**ROLE_DEFAULTS["lobby"]),
        description="hall TV: landscape 1920x1080; portrait (1080x1920) works too",
    )
    caller: RoleWindow = Field(
        default_factory=lambda: RoleWindow(**ROLE_DEFAULTS["caller"]),
        description="the clerk's panel: a small portrait window (480x800) beside the business "
        "system",
    )

    @model_validator(mode="before")
    @classmethod
    def _role_defaults(cls, data: Any) -> Any:
        # `caller: {always_on_top: true}` keeps the caller's 480x800, not RoleWindow's own size.
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for role, size in ROLE_DEFAULTS.items():
            if isinstance(out.get(role), dict):
                out[role] = {**size, **out[role]}
        return out

    @field_validator(*PORTRAIT_ONLY)
    @classmethod
    def _portrait(cls, w: RoleWindow, info: ValidationInfo) -> RoleWindow:
        if w.orientation != "portrait":
            raise ValueError(
                f"the {info.field_name} screens are laid out portrait: {w.width}x{w.height}"
                " is wider than tall (swap width and height)"
            )
        return w

    def window(self, role: str) -> RoleWindow:
        """The window of ``role`` (kiosk, lobby or caller)."""
        if role not in ROLE_DEFAULTS:
            raise ValueError(f"no Kivy role {role!r}")
        return getattr(self, role)


def move_legacy_size(data: Any) -> Any:
    """Old ``kiosk.width/height/fullscreen`` (one size for every role) become ``screens.kiosk``.

    They sized every role's window before issue 14; now they are the kiosk's.
    Said once in the log, so the hall's config can be updated.
    """
    if not isinstance(data, dict):
        return data
    old = {k: data[k] for k in ("width", "height", "fullscreen") if k in data}
    if not old:
        return data
    data = {k: v for k, v in data.items() if k not in old}
    screens = dict(data.get("screens") or {})
    kiosk = dict(screens.get("kiosk") or {})
    both = sorted(set(old) & set(kiosk))
    if both:
        raise ValueError(
            f"kiosk.{both[0]}: also given as kiosk.screens.kiosk.{both[0]}; keep only the latter"
        )
    screens["kiosk"] = {**kiosk, **old}
    data["screens"] = screens
    log.warning(
        "config: kiosk.%s moved to kiosk.screens.kiosk (each role has its own window now)",
        "/".join(old),
    )
    return data
