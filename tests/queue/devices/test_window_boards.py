"""亮证上岗 on the window boards: who serves there between calls, or 暂停服务 and the next opening.

The wire test reads the daemon's real LED bus bytes off a socat pty and decodes
them with the independent DEVICES.md §2a reader (tests/drivers/led/bx5_spec.py);
the unit tests move a clock over the hall's hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from hall.config import HallConfig
from hall.drivers.port import SerialLink
from hall.queue.core.schedule import Schedule
from hall.queue.devices.window_boards import WindowBoards
from tests.drivers.led import bx5_spec as spec
from tests.support import TZ, hall_config, wait_until
from tests.support.serial import SocatPair, start_ok

#: The test hall is shut on the clock's day and the next (tests/support/config.py).
CLOSED = "暂停服务 6月4日(周四)09:00开放"
IDLE = "1号窗口 综合受理 员工1 工号0231"


def _hall() -> dict:
    cfg = hall_config()
    cfg["windows"][0]["name_zh"] = "综合受理"
    cfg["staff"][0].update(badge="0231", title="综合受理员")
    return cfg


class Far:
    """The far end of the LED bus: the text each board address was last sent, decoded per spec."""

    def __init__(self, path: str) -> None:
        self.texts: dict[int, list[str]] = {}
        self.errors: list[str] = []
        self._pending = b""
        self.link = start_ok(SerialLink(path, on_bytes=self._read, retry_initial=0.05))

    def _read(self, data: bytes) -> None:
        self._pending += data
        cut = self._pending.rfind(bytes([spec.END])) + 1
        for raw in spec.frames_in(self._pending[:cut]):
            try:
                frame = spec.decode(raw, "5K")
            except AssertionError as exc:
                self.errors.append(f"{raw.hex(' ')}: {exc}")
                continue
            self.texts.setdefault(frame.dst, []).extend(a.text for a in frame.areas)
        self._pending = self._pending[cut:]

    def last(self, dst: int) -> str | None:
        got = self.texts.get(dst)
        return got[-1] if got else None


@pytest.fixture
def far(led_pair: SocatPair) -> Iterator[tuple[str, Far]]:
    end = Far(led_pair.b)
    yield led_pair.a, end
    end.link.stop()


def test_the_board_shows_the_clerk_when_idle_and_the_next_opening_when_closed(
    make_daemon, far
) -> None:
    port, boards = far
    cfg = _hall()
    for w in cfg["windows"]:
        w["devices"] = {"led_board": w["number"]}
    cfg["devices"] = {"led_bus": {"port": port}}
    daemon = make_daemon(cfg)
    # At start every window is closed: 暂停服务 and when the hall opens next.
    assert wait_until(lambda: all(boards.last(n) == CLOSED for n in range(1, 6)), 10), boards.texts
    clerk = daemon.staff("S001", 1)
    assert wait_until(lambda: boards.last(1) == IDLE, 10), boards.texts
    number = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()["number"]
    clerk.post("/windows/1/call")
    assert wait_until(lambda: boards.last(1) == f"{number} 请到1号窗口", 10)
    clerk.post("/windows/1/start")
    clerk.post("/windows/1/finish", {"case_type": "即办件"})
    assert wait_until(lambda: boards.last(1) == IDLE, 10), boards.texts  # idle again
    clerk.post("/windows/1/pause")
    assert wait_until(lambda: boards.last(1) == "暂停服务", 10)  # paused: the pause text
    clerk.post("/windows/1/resume")
    assert wait_until(lambda: boards.last(1) == IDLE, 10)
    daemon.staff("S002", 2)  # no badge: the name alone
    assert wait_until(lambda: boards.last(2) == "2号窗口 员工2", 10), boards.texts
    assert clerk.post("/staff/logout").status_code == 200
    assert wait_until(lambda: boards.last(1) == CLOSED, 10), boards.texts
    assert not boards.errors
    assert "S001" not in repr(boards.texts)


class Clock:
    """Epoch seconds the test moves."""

    def __init__(self, when: str) -> None:
        self.t = dt.datetime.fromisoformat(when).replace(tzinfo=TZ).timestamp()

    def __call__(self) -> float:
        return self.t


def _boards(when: str) -> tuple[WindowBoards, Clock, list[tuple[int, str]]]:
    cfg = _hall()
    cfg["hall"]["hours"]["closed_dates"] = []
    config = HallConfig.model_validate(cfg)
    clock, shown = Clock(when), []
    boards = WindowBoards(config, Schedule(config), clock, lambda n, t: shown.append((n, t)))
    return boards, clock, shown


def test_closed_text_follows_the_hours_and_the_clock() -> None:
    boards, clock, shown = _boards("2026-06-02T18:30:00")  # Tuesday evening
    closed = {"number": 1, "state": "closed", "staff_id": None, "ticket_number": None}
    assert boards.changed(closed)
    assert shown == [(1, "暂停服务 明天09:00开放")]
    clock.t += 6 * 3600  # past midnight: tomorrow is today
    assert boards.refresh() == [1]
    assert shown[-1] == (1, "暂停服务 今天09:00开放")
    assert boards.refresh() == []  # the same words: nothing sent again
    clock.t += 12 * 3600  # 12:30 Wednesday: 午休, the hall opens again at 13:30
    boards.refresh()
    assert shown[-1] == (1, "暂停服务 今天13:30开放")
    clock.t += 2 * 3600  # 14:30: the hall is open, the window's opening is not the hall's
    boards.refresh()
    assert shown[-1] == (1, "暂停服务")
    opened = {"number": 1, "state": "open", "staff_id": "S001", "ticket_number": None}
    assert boards.changed(opened) and shown[-1] == (1, IDLE)
    clock.t += 24 * 3600
    assert boards.refresh() == []  # an open window is not refreshed


def test_paused_and_serving_windows_are_left_to_the_hub() -> None:
    boards, _clock, shown = _boards("2026-06-02T10:00:00")
    for state, ticket in (("paused", None), ("serving", "A001"), ("open", "A001")):
        window = {"number": 1, "state": state, "staff_id": "S001", "ticket_number": ticket}
        assert not boards.changed(window)
    assert shown == []
    weekend = _boards("2026-06-06T10:00:00")[0]  # a Saturday: shut until Monday
    closed = {"number": 3, "state": "closed", "staff_id": None}
    assert weekend.text(closed) == "暂停服务 6月8日(周一)09:00开放"
