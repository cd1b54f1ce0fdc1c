"""领导签到 at the kiosk in real Kivy frames against a real daemon.

A 分管领导 holds the hall's name on home for 3 s (the kiosk's staff corner: citizens get
no button for it), taps their name, types the PIN and sees the month's count; a wrong
PIN is refused in the daemon's words; idle forgets it all. The tests' clock: Tuesday
2026-06-02, so the visits counted are June's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from kivy.tests.common import UnitTestTouch

import tests.kivy_harness as h
from hall.config import hash_pin
from hall.screens.kiosk.leader import HOLD_S
from hall.screens.kiosk.ui import ui
from tests.support import PIN, Daemon, hall_config

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # make_kiosk, layout_problems

MANAGER = "manager-token-1"
LEADERS = [
    {"id": "L1", "name": "王副县长", "title": "分管副县长"},
    {"id": "L2", "name": "李局长", "title": ""},
]


@pytest.fixture
def leader_hall(make_daemon: Callable[..., Daemon]) -> Daemon:
    """The test hall with two leaders (PIN: the tests' PIN); no lockout backoff."""
    pin_hash = hash_pin(PIN)
    return make_daemon(
        hall_config(
            leaders=[{**m, "pin_hash": pin_hash} for m in LEADERS],
            sign_in={"backoff_s": 0},
        )
    )


@pytest.fixture
def kiosk(leader_hall: Daemon, make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    return make_kiosk(leader_hall.base, ctx_extra={"leaders": LEADERS})


def hold_name(kiosk: Kiosk, seconds: float) -> None:
    """Touch the hall's name in the blue bar, keep the finger there ``seconds``, lift it."""
    label = next(w for w in kiosk.root.home.walk() if getattr(w, "hall_id", "") == "hall-name")
    touch = UnitTestTouch(*label.to_window(*label.center))
    touch.touch_down()
    kiosk.clock.advance(seconds)
    touch.touch_up()
    h.idle(2)


def open_leaders(kiosk: Kiosk) -> None:
    """The staff corner held: the leaders' screen, laid out."""
    hold_name(kiosk, HOLD_S)
    kiosk.on("leader")
    h.idle(3)  # the leaders' buttons were made as it opened


def visits(daemon: Daemon) -> dict[str, int]:
    r = daemon.api(MANAGER).get("/leaders/visits?month=2026-06")
    assert r.status_code == 200, r.text
    return {m["id"]: m["visits"] for m in r.json()["leaders"]}


def type_pin(kiosk: Kiosk, pin: str) -> None:
    """Keys inside a ScrollView: each takes effect once the view lets the touch through."""
    screen = kiosk.root.leader
    for key in pin:
        before = len(screen.pin)
        kiosk.tap(f"leader-key-{key}")
        kiosk.wait(lambda before=before: len(screen.pin) == before + 1)


def pick(kiosk: Kiosk, leader_id: str) -> None:
    kiosk.tap(f"leader-{leader_id}")
    kiosk.wait(lambda: kiosk.root.leader.leader_id == leader_id)


def test_a_leader_signs_in_from_the_staff_corner(kiosk: Kiosk, leader_hall: Daemon) -> None:
    screen = kiosk.root.leader
    hold_name(kiosk, HOLD_S - 1)  # a short touch on the name: nothing
    assert kiosk.root.current == "home"
    open_leaders(kiosk)
    assert kiosk.widget("leader-hint").text == "请点选您的姓名"
    pick(kiosk, "L1")
    assert kiosk.widget("leader-hint").text == "王副县长，请输入签到密码"
    assert kiosk.widget("leader-send").disabled
    type_pin(kiosk, "1357")
    assert kiosk.widget("leader-pin").text == "●●●●"  # never the digits
    kiosk.tap("leader-send")
    kiosk.wait(lambda: screen.error != "")
    assert screen.state == "pin" and screen.pin == ""
    r = leader_hall.api("kiosk-token-1").post("/leaders/sign-in", {"id": "L2", "pin": "1357"})
    assert r.status_code == 401  # what the daemon says to a wrong PIN, as the screen shows it
    assert screen.error == r.json()["error"]["message"]
    assert visits(leader_hall) == {"L1": 0, "L2": 0}
    type_pin(kiosk, PIN)
    kiosk.tap("leader-send")
    kiosk.wait(lambda: screen.state == "done")
    assert kiosk.widget("leader-result").text == "王副县长已签到：本月第1次（每月应到2次）"
    h.screenshot("kiosk-leader-done")
    assert visits(leader_hall) == {"L1": 1, "L2": 0}
    kiosk.tap("leader-back")
    kiosk.on("home")
    assert screen.result == "" and screen.leader_id == ""


def test_idle_forgets_the_pin_and_a_kiosk_without_leaders_has_no_corner(
    kiosk: Kiosk, make_kiosk: Callable[..., Kiosk], leader_hall: Daemon
) -> None:
    root = kiosk.root
    open_leaders(kiosk)
    pick(kiosk, "L2")
    type_pin(kiosk, "12")
    kiosk.clock.now = root.last_touch + kiosk.settings.idle_timeout_s
    root.tick()
    kiosk.on("home")
    assert root.leader.pin == "" and root.leader.leader_id == ""

    bare = make_kiosk(leader_hall.base, name="kiosk-2")  # no leaders in its config
    hold_name(bare, HOLD_S)
    assert bare.root.current == "home"


def test_the_screen_fits_in_every_mode(kiosk: Kiosk) -> None:
    from tests.screens.kiosk_support import layout_problems

    def one_line(widget: object) -> bool:  # Chinese key and bottom buttons take one line
        return ui.lang == "zh" and type(widget).__name__ == "FlatButton" and "\n" not in widget.text

    found = {}
    try:
        for lang in ("zh", "en"):
            for large in (False, True):
                ui.set_language(lang)
                ui.set_large(large)
                kiosk.root.go_home()
                kiosk.on("home")
                open_leaders(kiosk)
                pick(kiosk, "L1")
                type_pin(kiosk, "12")
                h.idle(3)
                found[lang, large] = layout_problems(kiosk.root.current_screen, one_line)
                h.screenshot(f"kiosk-leader-{lang}-{'large' if large else 'normal'}")
    finally:
        ui.set_language("zh")
        ui.set_large(False)
    assert {k: v for k, v in found.items() if v} == {}
