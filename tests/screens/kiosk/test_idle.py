"""Idle: a countdown with "继续" before the kiosk clears, then the hall's defaults for the next person.

Driven by the kiosk's fake clock, never by waiting: the test moves the clock and
calls ``root.tick()`` (the Kivy clock's own ticks then read the same time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tests.kivy_harness as h
from hall.screens.kiosk.ui import ui
from tests.support import Daemon

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def test_countdown_then_continue_keeps_what_was_typed(kiosk_ui: Kiosk) -> None:
    root = kiosk_ui.root
    warning = root.idle_warning
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    kiosk_ui.type("110105")
    kiosk_ui.clock.now = root.last_touch
    # idle_timeout_s is 5 here: the warning takes the last half (at most idle_warning_s).
    kiosk_ui.clock.advance(2.4)
    root.tick()
    assert not warning.shown
    kiosk_ui.clock.advance(0.2)
    root.tick()
    h.idle(2)
    assert warning.shown and warning.parent is not None
    assert warning.seconds == 3 and "3\u00a0秒后返回首页" in warning.ids.countdown.text
    assert warning.ids.go_on.text == "继续"
    h.screenshot("kiosk-idle-warning")
    kiosk_ui.clock.advance(2)
    h.tap(warning.ids.go_on)
    assert not warning.shown and warning.parent is None
    assert root.current == "take" and root.take.id_entry.value == "110105"
    # Still nobody: the countdown comes again, and at the end everything is cleared.
    kiosk_ui.clock.advance(3)
    root.tick()
    assert warning.shown
    kiosk_ui.clock.advance(2)
    kiosk_ui.on("home")
    assert not warning.shown and root.take.id_entry.empty


def test_a_touch_anywhere_counts_as_continue(kiosk_ui: Kiosk) -> None:
    root = kiosk_ui.root
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    kiosk_ui.clock.now = root.last_touch + 3
    root.tick()
    assert root.idle_warning.shown
    kiosk_ui.tap("key-1")  # outside the warning: goes to the screen and counts as activity
    root.tick()
    assert not root.idle_warning.shown and root.take.id_entry.value == "1"


def test_reset_returns_language_and_text_size_to_the_halls_default(kiosk_ui: Kiosk) -> None:
    root = kiosk_ui.root
    kiosk_ui.tap("language")
    kiosk_ui.tap("large-text")
    assert ui.lang == "en" and ui.large
    # On home too: the next person must not find English large text.
    kiosk_ui.clock.now = root.last_touch + 3
    root.tick()
    assert root.idle_warning.shown and root.idle_warning.ids.go_on.text == "Continue"
    kiosk_ui.clock.advance(2)
    kiosk_ui.wait(lambda: ui.lang == "zh")
    assert ui.lang == "zh" and not ui.large and not root.idle_warning.shown
    assert kiosk_ui.widget("home-title").text == "请选择要办理的业务"
    # Home in the default state: no countdown at all.
    kiosk_ui.clock.advance(60)
    root.tick()
    assert not root.idle_warning.shown


def test_an_english_hall_resets_to_english(hall_daemon: Daemon, make_kiosk) -> None:
    kiosk_ui = make_kiosk(hall_daemon.base, language="en")
    root = kiosk_ui.root
    assert ui.lang == "en"
    kiosk_ui.tap("language")
    assert ui.lang == "zh"
    kiosk_ui.clock.now = root.last_touch + 5
    kiosk_ui.wait(lambda: ui.lang == "en")
