"""亮证上岗 in the lobby: the call list names each window's clerk; windows nobody serves at say so.

Real Kivy frames against a real daemon, followed with the display token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient, EventFollower
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.lobby.root import LobbyRoot
from hall.tools.layout_check import labels_fit
from tests.kivy_harness import by_id, idle_until, mount, screenshot, texts
from tests.support import Daemon, clock, hall_config

SHUT = "6月4日09:00开放"  # the test hall is shut today and tomorrow


@pytest.fixture
def daemon(make_daemon) -> Daemon:
    cfg = hall_config()
    cfg["windows"][0]["area"] = "综合受理区"
    cfg["staff"][0].update(badge="0231", title="综合受理员")
    return make_daemon(cfg)


@pytest.fixture
def lobby(daemon: Daemon) -> Iterator[LobbyRoot]:
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, "display-token-1"),
        strings=Strings("zh"),
        hall_name="测试大厅政务服务中心",
        clock=clock,
        follower_factory=lambda token, on_event, on_state: EventFollower(
            daemon.base, token, on_event, on_state, retry_s=2.0
        ),
    )
    root = mount(LobbyRoot(ctx, clock=lambda: 0.0, call_s=10.0))
    yield root
    root.shutdown()
    ctx.client.close()


def first_number(root: LobbyRoot) -> str:
    try:
        return by_id(root, "call-0").number
    except LookupError:  # no call on the board yet
        return ""


def closed(root: LobbyRoot) -> str:
    return by_id(root, "lobby-closed").text


def test_the_call_list_names_the_clerk_and_closed_windows_say_so(
    lobby: LobbyRoot, daemon: Daemon
) -> None:
    assert idle_until(lambda: closed(lobby) == f"暂停服务：1、2、3、4、5号窗口，{SHUT}", 5), closed(
        lobby
    )
    number = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()["number"]
    daemon.staff("S002", 2)  # signed in, no badge, nothing called
    clerk = daemon.staff("S001", 1)
    assert idle_until(lambda: closed(lobby) == f"暂停服务：3、4、5号窗口，{SHUT}", 5), closed(lobby)
    clerk.post("/windows/1/call")
    assert idle_until(lambda: first_number(lobby) == number, 5)
    row = by_id(lobby, "call-0")
    assert idle_until(lambda: row.clerk == "员工1 工号0231", 5), row.clerk
    labels_fit(lobby)
    screenshot("lobby-clerk")
    shown = " ".join(texts(lobby))
    assert "员工1 工号0231" in shown and "S001" not in shown
    lobby.strings.language = lobby.lang = "en"
    en = "Not serving: window 3, 4, 5; open again 04 Jun 09:00"
    assert idle_until(lambda: closed(lobby) == en, 3), closed(lobby)
    assert by_id(lobby, "call-0").clerk == "员工1 No. 0231"
    labels_fit(lobby)
    lobby.strings.language = lobby.lang = "zh"
    clerk.post("/windows/1/start")
    clerk.post("/windows/1/finish", {"case_type": "即办件"})
    clerk.post("/staff/logout")
    assert idle_until(lambda: closed(lobby) == f"暂停服务：1、3、4、5号窗口，{SHUT}", 5), closed(
        lobby
    )


def test_no_line_when_every_window_is_staffed(lobby: LobbyRoot, daemon: Daemon) -> None:
    for n in range(1, 6):
        daemon.staff(f"S00{n}", n)
    assert idle_until(lambda: closed(lobby) == "", 5), closed(lobby)
    labels_fit(lobby)
