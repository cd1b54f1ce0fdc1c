"""帮办代办 on the caller panel: a kiosk's help call reaches the panel, 我来处理 takes it.

Real Kivy frames against a real daemon: window 3's panel (S003) hears the kiosk's call on
its event stream, takes it, and the daemon records who took it and the time to answer.
A call another window takes first (S004 through the API) shows as taken, with no button.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.screens.caller.help_calls import HelpCalls
from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import by_id, idle_until, screenshot, tap
from tests.screens.caller.test_panel import caller_of, shows, sign_in
from tests.support import Daemon

WHERE = "1号自助取号机"


@pytest.fixture
def caller(daemon: Daemon) -> Iterator[CallerRoot]:
    """Window 3's caller role, not signed in."""
    yield from caller_of(daemon)


def help_rows(daemon: Daemon) -> list[dict]:
    return daemon.api("manager-token-1").get("/help").json()["help"]


def test_the_kiosks_call_is_taken_from_the_panel_and_recorded(
    caller: CallerRoot, daemon: Daemon
) -> None:
    sign_in(caller)
    assert idle_until(lambda: caller.current == "panel" and caller.panel.connected, 5)
    assert by_id(caller, "btn-help-take").width == 0  # nothing to take yet: no room, no tap
    first = daemon.api("kiosk-token-1").post("/help", {"where": WHERE}).json()
    assert shows(caller, "help-alert", f"求助：{WHERE} 需要工作人员协助")
    assert idle_until(lambda: caller.panel.help_open, 3)
    screenshot("caller-help-call")
    tap(by_id(caller, "btn-help-take"))
    assert shows(caller, "panel-message", f"已接手：请前往{WHERE}")
    assert by_id(caller, "help-alert").text == ""
    (row,) = help_rows(daemon)
    assert row["id"] == first["id"] and row["acknowledged_by"] == "S003" and row["window"] == 3
    assert row["answer_s"] is not None and row["answer_s"] >= 0

    # Window 4 takes the next call first: this panel says so and offers no button.
    second = daemon.api("kiosk-token-1").post("/help", {"where": "2号自助机"}).json()
    assert idle_until(lambda: caller.panel.help_open, 3)
    r = daemon.staff("S004", 4).post(f"/help/{second['id']}/ack")
    assert r.status_code == 200, r.text
    assert shows(caller, "help-alert", "2号自助机的求助已由4号窗口接手")
    assert not caller.panel.help_open and by_id(caller, "btn-help-take").width == 0
    tap(by_id(caller, "btn-language"))
    assert shows(caller, "help-alert", "Window 4 took the help call at 2号自助机")
    tap(by_id(caller, "btn-help-dismiss"))
    assert by_id(caller, "help-alert").text == ""
    assert [r["acknowledged_by"] for r in help_rows(daemon)] == ["S003", "S004"]


def test_the_banner_shows_the_oldest_open_call_and_counts_the_others() -> None:
    calls = HelpCalls()

    def tr(key: str, **values: object) -> str:
        return f"{key}{sorted(values.items())}"

    for n, where in ((1, "A"), (2, "B"), (3, "C")):
        calls.on_event("help.requested", {"help": {"id": n, "where": where}}, 3)
    assert calls.shown()["id"] == 1
    assert calls.text(tr) == "caller.help_alert[('where', 'A')]help.more[('count', 2)]"
    # Taken by window 5: still shown as taken once no call is open; taken here: gone.
    calls.on_event("help.taken", {"help": {"id": 1, "where": "A", "taken": True, "window": 5}}, 3)
    calls.on_event("help.taken", {"help": {"id": 2, "where": "B", "taken": True, "window": 3}}, 3)
    assert calls.shown()["id"] == 3 and 2 not in calls.calls
    calls.hide(3)
    assert calls.text(tr) == "help.taken_by_window[('where', 'A'), ('window', 5)]"
    calls.taken(1, None)
    assert calls.text(tr) == "help.taken_by_manager[('where', 'A')]"
    assert not calls.on_event("help.taken", {"help": {"id": 9, "where": "Z"}}, 3)
