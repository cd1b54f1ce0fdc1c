"""Home: a small line for staff when the terminal's outbox cannot deliver (issue 13).

Real frames (tests/kivy_harness.py) over a real daemon and a real outbox driven
pass by pass: cases refused for good, a refused token, cases waiting to be
uploaded; the line fits in Chinese and English, normal and large text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import tests.kivy_harness as h
from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from hall.screens.kiosk.ui import ui
from tests.kiosk.submission_helpers import draft
from tests.support import Daemon, clock, free_port

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk

MODES = [("zh", False), ("zh", True), ("en", False), ("en", True)]


@pytest.fixture
def make_box(tmp_path: Path) -> Iterator[Callable[[str, str], TerminalOutbox]]:
    made: list[TerminalOutbox] = []

    def make(base: str, token: str) -> TerminalOutbox:
        now = [clock()]
        box = TerminalOutbox(
            tmp_path / f"terminal-{len(made)}",
            "自助机9",
            "09",
            DaemonClient(base, token, timeout=2.0),
            clock=lambda: now[0],
            settings=OutboxSection(retry_jitter=0, alert_after_s=300),
            device_id="outbox@kiosk-ui",
        )
        box.now = now  # type: ignore[attr-defined]  # the test moves it
        made.append(box)
        return box

    yield make
    for box in made:
        box.stop()


def note_after_refresh(kiosk: Kiosk) -> str:
    """Refresh home (as its timer does) and return the outbox line once shown."""
    kiosk.root.home.outbox_note = "…"  # not a line the kiosk shows: replaced by the refresh
    kiosk.root.refresh()
    kiosk.wait(lambda: kiosk.root.home.outbox_note != "…")
    return kiosk.root.home.outbox_note


def test_home_says_nothing_while_all_is_forwarded_and_names_a_refused_case(
    hall_daemon: Daemon, make_kiosk, make_box
) -> None:
    box = make_box(hall_daemon.base, "kiosk-token-1")
    kiosk: Kiosk = make_kiosk(hall_daemon.base, ctx_extra={"outbox": box})
    box.store(draft(1))
    box.pump()
    assert note_after_refresh(kiosk) == ""
    assert kiosk.widget("outbox-status").height == 0
    box.store(draft(2, matter="NOPE-001"))  # refused for good by the daemon
    box.pump()
    assert note_after_refresh(kiosk) == "1 件申报被拒收，请联系工作人员"
    from tests.screens.kiosk_support import layout_problems  # loaded by pytest_plugins first

    try:
        for lang, large in MODES:
            ui.set_language(lang)
            ui.set_large(large)
            h.idle(3)
            line = kiosk.widget("outbox-status")
            assert line.opacity == 1 and line.height > 0
            assert line.text == (
                "1 件申报被拒收，请联系工作人员"
                if lang == "zh"
                else "1 application(s) refused: please tell the staff"
            )
            assert layout_problems(kiosk.root.home) == [], (lang, large)
            h.screenshot(f"kiosk-home-outbox-refused-{lang}-{'large' if large else 'normal'}")
    finally:
        ui.set_language("zh")
        ui.set_large(False)


def test_home_says_the_token_is_refused_and_what_waits(
    hall_daemon: Daemon, make_kiosk, make_box
) -> None:
    wrong = make_box(hall_daemon.base, "not-this-kiosks-token")
    kiosk: Kiosk = make_kiosk(hall_daemon.base, ctx_extra={"outbox": wrong})
    wrong.store(draft(1))
    wrong.pump()
    assert "令牌无效" in note_after_refresh(kiosk)
    down = make_box(f"http://127.0.0.1:{free_port()}", "kiosk-token-1")
    kiosk.root.ctx.outbox = down
    down.store(draft(2))
    down.store(draft(3))
    down.pump()
    down.now[0] += 25 * 60
    assert note_after_refresh(kiosk) == "2 件申报待上传（最早已等 25 分钟）"
    ui.set_large(True)
    try:
        h.idle(3)
        from tests.screens.kiosk_support import layout_problems

        assert layout_problems(kiosk.root.home) == []
    finally:
        ui.set_large(False)


def test_a_failed_store_is_named_for_staff_and_numbers_are_still_taken(
    hall_daemon: Daemon, make_kiosk, make_box
) -> None:
    box = make_box(hall_daemon.base, "kiosk-token-1")
    kiosk: Kiosk = make_kiosk(hall_daemon.base, ctx_extra={"outbox": box})
    box.stop()  # the terminal's store is gone (disk failure, shutting down)
    assert box.health().status == "broken"
    assert note_after_refresh(kiosk) == "本机申报存储故障，请联系工作人员"
    assert kiosk.root.current == "home"  # not the unavailable screen: tickets go on
