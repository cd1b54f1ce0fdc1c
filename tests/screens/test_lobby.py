"""The lobby display against a real daemon: calls and counts by events, survival of a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient, EventFollower
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.lobby import LobbyRoot
from tests.conftest import Daemon
from tests.kivy_harness import SCREENSHOT_DIR, by_id, idle, idle_until, mount, screenshot

#: Seconds the lobby's follower waits before reconnecting: long enough that a
#: call made right after a restart happens while the lobby is still away.
RETRY_S = 2.0


@pytest.fixture
def lobby(daemon: Daemon) -> Iterator[LobbyRoot]:
    """The lobby role on screen with the display token."""
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, "display-token-1"),
        strings=Strings("zh"),
        hall_name="测试大厅政务服务中心",
        follower_factory=lambda token, on_event, on_state: EventFollower(
            daemon.base, token, on_event, on_state, retry_s=RETRY_S
        ),
    )
    root = mount(LobbyRoot(ctx))
    yield root
    root.shutdown()
    ctx.client.close()


def row(root: LobbyRoot, i: int) -> object:
    return by_id(root, f"call-{i}")


def newest_is(root: LobbyRoot, number: str, timeout: float = 2) -> bool:
    def shown() -> bool:
        try:
            return row(root, 0).number == number
        except LookupError:
            return False

    return idle_until(shown, timeout)


def waiting(root: LobbyRoot, service: str) -> str:
    try:
        return by_id(root, f"waiting-{service}").count
    except LookupError:
        return ""


def test_a_state_read_older_than_an_event_does_not_undo_it(
    lobby: LobbyRoot, daemon: Daemon
) -> None:
    """The lobby asks for the services, an event arrives, then the (older) answer."""
    assert idle_until(lambda: waiting(lobby, "other") == "0 人", 5)
    stale = (lobby.ctx.client.services(), lobby.ctx.client.windows())  # read now: other 0
    asked = lobby._count_seq
    daemon.api("kiosk-token-1").post("/tickets", {"service": "other"})
    assert idle_until(lambda: waiting(lobby, "other") == "1 人", 2)  # the event's count
    lobby._reloaded(stale, asked)  # the answer to the earlier read comes in last
    idle(2)
    assert waiting(lobby, "other") == "1 人"
    lobby._reloaded(stale, lobby._count_seq)  # a read asked after the event is taken
    idle(2)
    assert waiting(lobby, "other") == "0 人"


def test_calls_show_within_a_second_newest_highlighted(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    for service in ("general", "general", "other", "general"):
        kiosk.post("/tickets", {"service": service})
    assert idle_until(lambda: waiting(lobby, "general") == "3 人", 2)
    assert waiting(lobby, "other") == "1 人"

    daemon.staff("S001", 1).post("/windows/1/call")
    assert newest_is(lobby, "A001")
    assert row(lobby, 0).window_text == "1号窗口"
    assert idle_until(lambda: waiting(lobby, "general") == "2 人", 2)

    daemon.staff("S003", 3).post("/windows/3/call")
    assert newest_is(lobby, "C001")
    assert row(lobby, 0).highlight and not row(lobby, 1).highlight
    assert (row(lobby, 1).number, row(lobby, 1).window_text) == ("A001", "1号窗口")
    assert idle_until(lambda: waiting(lobby, "other") == "0 人", 2)
    daemon.staff("S002", 2).post("/windows/2/call")
    assert newest_is(lobby, "A002")
    screenshot("lobby")


def test_lays_out_for_a_landscape_board(lobby: LobbyRoot, daemon: Daemon) -> None:
    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    daemon.staff("S002", 2).post("/windows/2/call")
    assert newest_is(lobby, "A001")
    assert not lobby.landscape
    # One window per process: lay the board out at 1920x1080 and draw it off screen.
    lobby.size_hint = (None, None)
    lobby.size = (1920, 1080)
    idle(3)
    assert lobby.landscape
    assert by_id(lobby, "lobby-calls").right < by_id(lobby, "lobby-waiting").x
    lobby.export_to_png(str(SCREENSHOT_DIR / "lobby-landscape.png"))


def test_starts_from_the_daemons_state(daemon: Daemon, lobby: LobbyRoot) -> None:
    # A second lobby, mounted after calls were made, starts from services() and windows().
    daemon.api("kiosk-token-1").post("/tickets", {"service": "vip"})
    daemon.api("kiosk-token-1").post("/tickets", {"service": "vip"})
    daemon.staff("S001", 1).post("/windows/1/call")
    assert newest_is(lobby, "B001")
    lobby.shutdown()
    fresh = mount(LobbyRoot(lobby.ctx))
    try:
        assert newest_is(fresh, "B001")
        assert idle_until(lambda: waiting(fresh, "vip") == "1 人", 2)
    finally:
        fresh.shutdown()


def test_reconnects_after_a_restart_and_catches_up(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    kiosk.post("/tickets", {"service": "general"})
    daemon.staff("S001", 1).post("/windows/1/call")
    assert newest_is(lobby, "A001")
    assert by_id(lobby, "lobby-offline").text == ""

    daemon.kill()
    assert idle_until(lambda: by_id(lobby, "lobby-offline").text, 3)
    daemon.start()
    # Made before the lobby's follower retries: it gets them by Last-Event-ID.
    kiosk.post("/tickets", {"service": "general"})
    kiosk.post("/tickets", {"service": "general"})
    daemon.staff("S002", 2).post("/windows/2/call")
    assert newest_is(lobby, "A002", timeout=RETRY_S + 3)
    assert idle_until(lambda: by_id(lobby, "lobby-offline").text == "", 2)
    assert idle_until(lambda: waiting(lobby, "general") == "1 人", 2)

    # And live events flow again.
    daemon.staff("S004", 4).post("/windows/4/call")
    assert newest_is(lobby, "A003")
    assert [row(lobby, i).number for i in range(3)] == ["A003", "A002", "A001"]
