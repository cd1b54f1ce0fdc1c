"""The checks across config.yaml's sections, run once every section is valid on its own.

Numbers, codes, ids and device addresses must be unique; every reference (a window's
services, a staff member's windows, a face terminal's windows, the keypad bus's transfer
service) must name something that exists. Each error starts with the field's path, which
:func:`hall.config.load_config` shows in place of the top level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hall.config.api import TokenRole
from hall.config.departments import check_departments

if TYPE_CHECKING:
    from hall.config import HallConfig


def cross_check(config: HallConfig) -> None:
    """Raise ValueError ``<path>: <problem>`` at the first thing the sections disagree on."""
    # The lobby paces its highlight on the voice's announcements (frozen sections: a copy).
    voice = {"lobby_voice_repeat": config.devices.voice.repeat}
    voice["lobby_voice_speed"] = config.devices.voice.speed
    object.__setattr__(config, "kiosk", config.kiosk.model_copy(update=voice))
    _unique("services", "code", [s.code for s in config.services])
    _unique("services", "prefix", [s.prefix for s in config.services])
    _unique("windows", "number", [w.number for w in config.windows])
    _unique("staff", "id", [s.id for s in config.staff])
    _unique("staff", "badge", [s.badge for s in config.staff])  # None: no badge
    _unique("api.tokens", "token", [t.token for t in config.api.tokens])
    # A manager's actions are recorded as manager:<id>, the bootstrap token's as
    # manager:<token name>: one may not pass for the other.
    _unique("managers", "id", [m.id for m in config.managers])
    _unique("leaders", "id", [m.id for m in config.leaders])
    token_names = {t.name for t in config.api.tokens if t.role == TokenRole.MANAGER}
    for i, manager in enumerate(config.managers):
        if manager.id in token_names:
            raise ValueError(f"managers.{i}.id: {manager.id!r} is a manager token's name")
    codes = {s.code for s in config.services}
    numbers = {w.number for w in config.windows}
    for i, window in enumerate(config.windows):
        for code in window.services:
            if code not in codes:
                raise ValueError(f"windows.{i}.services: unknown service {code!r}")
    kb = config.devices.keypad_bus
    if kb and kb.transfer_service and kb.transfer_service not in codes:
        raise ValueError(
            f"devices.keypad_bus.transfer_service: unknown service {kb.transfer_service!r}"
        )
    if kb:
        for addr, mapping in kb.four_key.items():
            if any(level not in range(1, 6) for level in mapping.values()):
                raise ValueError(f"devices.keypad_bus.four_key.{addr}: levels are 1..5")
    for kind in ("led_board", "keypad", "evaluator"):
        _unique(
            "windows",
            f"devices.{kind}",
            [
                getattr(w.devices, kind)
                for w in config.windows
                if getattr(w.devices, kind) is not None
            ],
        )
    for i, person in enumerate(config.staff):
        for number in person.windows:
            if number not in numbers:
                raise ValueError(f"staff.{i}.windows: no window {number}")
    api_tokens = {t.token for t in config.api.tokens}
    for i, terminal in enumerate(config.attendance.terminals):
        for number in terminal.windows:
            if number not in numbers:
                raise ValueError(f"attendance.terminals.{i}.windows: no window {number}")
        if terminal.token in api_tokens:  # one secret, one role: a terminal is not a client
            raise ValueError(f"attendance.terminals.{i}.token: also an api.tokens token")
    check_departments(config.departments, {s.id for s in config.staff}, numbers)


def _unique(section: str, field: str, values: list) -> None:
    seen: set = set()
    for i, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            raise ValueError(f"{section}.{i}.{field}: {value!r} is used twice")
        seen.add(value)
