"""The lobby display against a real daemon.

The number at each window, calls highlighted in step with the voice, who should get ready, counts, layout, survival of a restart.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.config import HallConfig, KioskSection
from hall.kiosk.client import DaemonClient, EventFollower
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.lobby.root import LobbyRoot
from hall.tools.layout_check import check_tree, contrast, labels_fit
from tests.kivy_harness import SCREENSHOT_DIR, by_id, find, idle, idle_until, mount, screenshot
from tests.support import Daemon, hall_config

#: Seconds the lobby's follower waits before reconnecting: long enough that a
#: call made right after a restart happens while the lobby is still away.
RETRY_S = 2.0
#: One voice announcement, as ``kiosk.lobby_call_s``.
CALL_S = 10.0


class FakeClock:
    """The lobby's pacing clock, moved by the test."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def daemon(make_daemon) -> Daemon:
    """The test hall with long service names (half-width brackets as configured) and areas."""
    cfg = hall_config()
    cfg["services"][0]["name_zh"] = "综合受理(一窗通办)"
    cfg["services"][1]["name_zh"] = "企业开办(一窗通办)"
    cfg["services"][1]["name_en"] = "Business registration (one window)"
    for w, area in zip(
        cfg["windows"][:4],
        ("综合受理区", "综合受理区", "不动产登记区", "不动产登记区"),
        strict=True,
    ):
        w["area"] = area
    return make_daemon(cfg)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lobby(daemon: Daemon, clock: FakeClock) -> Iterator[LobbyRoot]:
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
    root = mount(LobbyRoot(ctx, clock=clock, call_s=CALL_S))
    yield root
    root.shutdown()
    ctx.client.close()


def row(root: LobbyRoot, i: int) -> object:
    return by_id(root, f"call-{i}")


def rows(root: LobbyRoot) -> list[tuple[str, str]]:
    """(number, window) of every row on the board, top first."""
    out = []
    for i in range(20):
        try:
            r = row(root, i)
        except LookupError:
            return out
        out.append((r.number, r.window_text))
    return out


def board_is(root: LobbyRoot, expected: list[tuple[str, str]], timeout: float = 3) -> bool:
    return idle_until(lambda: rows(root) == expected, timeout)


def lit(root: LobbyRoot) -> list[str]:
    """Numbers of the highlighted rows."""
    return [r.number for r in (row(root, i) for i in range(len(rows(root)))) if r.highlight]


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
    assert idle_until(lambda: waiting(lobby, "other") == "1 人", 10)  # the event's count
    lobby._reloaded(stale, asked)  # the answer to the earlier read comes in last
    idle(2)
    assert waiting(lobby, "other") == "1 人"
    lobby._reloaded(stale, lobby._count_seq)  # a read asked after the event is taken
    idle(2)
    assert waiting(lobby, "other") == "0 人"


@pytest.mark.process  # a restart: a real subprocess
def test_one_row_per_window_with_its_current_number(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    for _ in range(4):
        kiosk.post("/tickets", {"service": "general"})
    w1, w2 = daemon.staff("S001", 1), daemon.staff("S002", 2)
    w1.post("/windows/1/call")
    w2.post("/windows/2/call")
    assert board_is(lobby, [("A002", "2号窗口"), ("A001", "1号窗口")])
    w1.post("/windows/1/no-show")  # the no-show leaves the board
    assert board_is(lobby, [("A002", "2号窗口")])
    w1.post("/windows/1/call")
    w2.post("/windows/2/start")
    w2.post("/windows/2/finish", {"case_type": "即办件"})  # so does a finished number
    assert board_is(lobby, [("A003", "1号窗口")])
    w2.post("/windows/2/call")
    expected = [("A004", "2号窗口"), ("A003", "1号窗口")]
    assert board_is(lobby, expected)
    assert row(lobby, 0).area == "综合受理区"

    # The same board after the lobby restarts, and after the daemon restarts.
    lobby.shutdown()
    fresh = mount(LobbyRoot(lobby.ctx, clock=lobby.highlighter.clock, call_s=CALL_S))
    try:
        assert board_is(fresh, expected)
    finally:
        fresh.shutdown()
    daemon.restart()
    again = mount(LobbyRoot(lobby.ctx, clock=lobby.highlighter.clock, call_s=CALL_S))
    try:
        assert board_is(again, expected)
    finally:
        again.shutdown()


def test_calls_at_once_are_highlighted_in_turn_with_the_voice(
    lobby: LobbyRoot, daemon: Daemon, clock: FakeClock
) -> None:
    kiosk = daemon.api("kiosk-token-1")
    for service in ("general", "general", "other"):
        kiosk.post("/tickets", {"service": service})
    staff = [daemon.staff(f"S00{n}", n) for n in (1, 2, 3)]
    for n, api in zip((1, 2, 3), staff, strict=True):
        api.post(f"/windows/{n}/call")  # three calls within a second
    assert idle_until(lambda: len(rows(lobby)) == 3, 10)
    # Each in turn, for one announcement slot, in the order they were called.
    for number, window, start in (("A001", "1号窗口", 0), ("A002", "2号窗口", CALL_S)):
        clock.t = 1000.0 + start
        assert idle_until(lambda n=number: lobby.now_number == n, 10), lobby.now_number
        assert lobby.now_window == window
        assert lit(lobby) == [number]
        clock.t = 1000.0 + start + CALL_S - 0.1  # still its slot
        idle(3)
        assert lobby.now_number == number
    clock.t = 1000.0 + 2 * CALL_S
    assert idle_until(lambda: lobby.now_number == "C001", 10)
    assert (lobby.now_window, lobby.now_area) == ("3号窗口", "不动产登记区")
    assert lit(lobby) == ["C001"]
    screenshot("lobby")


def _voice_lobby(daemon: Daemon, clock: FakeClock, **voice: int) -> LobbyRoot:
    """A lobby paced by the voice settings ``voice`` (devices.voice), lobby_call_s unset."""
    cfg = hall_config()
    cfg["devices"] = {"voice": {"enabled": False, **voice}}
    settings = HallConfig.model_validate(cfg).kiosk.model_copy(update={"daemon_url": daemon.base})
    ctx = KioskContext(
        settings=settings,
        client=DaemonClient(daemon.base, "display-token-1"),
        strings=Strings("zh"),
        hall_name="测试大厅政务服务中心",
    )
    return mount(LobbyRoot(ctx, clock=clock))


def _highlights(root: LobbyRoot, clock: FakeClock, until: float) -> list[tuple[str, float]]:
    """(number, seconds from now) of each highlight up to ``until``, the clock stepped 0.1 s."""
    seen: list[tuple[str, float]] = []
    start = clock.t
    while clock.t <= start + until:
        root._pace()  # what the lobby's 0.2 s pacing timer calls
        if root.now_number and (not seen or seen[-1][0] != root.now_number):
            seen.append((root.now_number, round(clock.t - start, 1)))
        clock.t = round(clock.t + 0.1, 1)
    return seen


def test_a_call_is_highlighted_as_long_as_the_voice_announces_it(
    daemon: Daemon, clock: FakeClock
) -> None:
    """devices.voice says each call 3 times at speed 150: 3 x 4.6 s + 2 x 0.8 s = 15.4 s."""
    root = _voice_lobby(daemon, clock, repeat=3, speed=150)
    try:
        kiosk = daemon.api("kiosk-token-1")
        for _ in range(2):
            kiosk.post("/tickets", {"service": "general"})
        daemon.staff("S001", 1).post("/windows/1/call")
        daemon.staff("S002", 2).post("/windows/2/call")
        assert idle_until(lambda: len(root.highlighter.pending) == 1, 10)
        assert _highlights(root, clock, 20) == [("A001", 0.0), ("A002", 15.4)]
    finally:
        root.shutdown()
        root.ctx.client.close()


def test_a_backlog_of_calls_is_highlighted_as_fast_as_the_voice_catches_up(
    daemon: Daemon, clock: FakeClock
) -> None:
    """Six calls within a second, voice twice at speed 150 (10 s; 4.6 s said once).

    Like the voice (hall.drivers.voice: said once while 3 or more wait behind it),
    A001 is already being said in full when the others come; A002 and A003 start
    with 4 and 3 waiting and are said once; the rest in full.
    """
    root = _voice_lobby(daemon, clock, repeat=2, speed=150)
    try:
        kiosk = daemon.api("kiosk-token-1")
        for service in ("general",) * 4 + ("other",) * 2:
            kiosk.post("/tickets", {"service": service})
        staff = {n: daemon.staff(f"S00{n}", n) for n in (1, 2, 3, 4)}
        staff[1].post("/windows/1/call")
        assert idle_until(lambda: root.now_number == "A001", 10)
        called = [staff[n].post(f"/windows/{n}/call").json()["number"] for n in (2, 3, 4)]
        staff[1].post("/windows/1/recall")
        staff[2].post("/windows/2/recall")
        assert idle_until(lambda: len(root.highlighter.pending) == 5, 10)
        assert _highlights(root, clock, 45) == [
            ("A001", 0.0),
            (called[0], 10.0),  # said once: 4 wait behind it
            (called[1], 14.6),  # said once: 3 wait
            (called[2], 19.2),  # in full again: 2 wait
            ("A001", 29.2),
            (called[0], 39.2),
        ]
    finally:
        root.shutdown()
        root.ctx.client.close()


def test_shows_who_should_get_ready(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    for service in ("general", "general", "general", "other"):
        kiosk.post("/tickets", {"service": service})
    w1 = daemon.staff("S001", 1)
    daemon.staff("S003", 3)
    assert idle_until(lambda: lobby.prepare == ["A001", "C001", "A002"], 10), lobby.prepare
    assert lobby.prepare_text == "请 A001、C001、A002 号准备"
    w1.post("/windows/1/call")
    assert idle_until(lambda: lobby.prepare == ["A002", "C001", "A003"], 10), lobby.prepare
    assert by_id(lobby, "prepare-0").text == "A002"


def test_lays_out_portrait_and_landscape_every_name_whole(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    for service in ("general", "vip", "general"):
        kiosk.post("/tickets", {"service": service})
    daemon.staff("S002", 2).post("/windows/2/call")
    daemon.staff("S003", 3)
    assert board_is(lobby, [("A001", "2号窗口")])
    assert idle_until(lambda: lobby.now_number == "A001", 10)
    assert idle_until(lambda: waiting(lobby, "vip") == "1 人", 10)
    assert not lobby.landscape
    labels_fit(lobby)
    assert find(lobby, lambda w: getattr(w, "text", "") == "企业开办（一窗通办）")
    # The footer: large enough, and light on dark well above 4.5:1.
    tip = by_id(lobby, "lobby-tip")
    footer = by_id(lobby, "lobby-footer")
    assert tip.font_size >= 28
    assert contrast(tip.color, footer_colour(footer)) >= 4.5

    # One window per process: lay the board out at 1920x1080 and draw it off screen.
    lobby.size_hint = (None, None)
    lobby.size = (1920, 1080)
    idle(4)
    assert lobby.landscape
    calls, side = by_id(lobby, "lobby-calls"), by_id(lobby, "lobby-waiting")
    assert calls.right < side.x
    # Both columns are used: the calls and the get-ready list, side by side.
    assert by_id(lobby, "prepare-list").children and calls.children
    labels_fit(lobby)
    lobby.strings.language = "en"
    lobby.lang = "en"
    idle(4)
    labels_fit(lobby)
    lobby.export_to_png(str(SCREENSHOT_DIR / "lobby-landscape.png"))


@pytest.mark.parametrize(
    ("slot", "size"),
    [("band", (1920, 1080)), ("band", (1080, 1920)), ("side_band", (1920, 1080))],
    ids=["bottom-landscape", "bottom-portrait", "side-landscape"],
)
def test_a_band_added_to_a_slot_takes_its_room_and_pushes_nothing_off(
    lobby: LobbyRoot, daemon: Daemon, slot: str, size: tuple[int, int]
) -> None:
    """The lobby's band slots: one widget added (as the 公示 / figures band is) shows whole.

    ``band`` runs the full width above the footer in either orientation (the 公示 /
    figures band, notices.py, lives there already); ``side_band`` sits under the waiting
    counts in landscape. A slot takes only the room of what it holds.
    """
    from kivy.uix.label import Label

    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    daemon.staff("S001", 1).post("/windows/1/call")
    assert board_is(lobby, [("A001", "1号窗口")])
    lobby.size_hint = (None, None)
    lobby.size = size
    idle(4)
    box = lobby.ids[slot]
    held = sum(c.height for c in box.children)  # the notices band in ``band``; nothing at the side
    assert box.height == held
    calls, footer = by_id(lobby, "lobby-calls"), by_id(lobby, "lobby-footer")
    before = calls.height
    band = Label(text="本月满意率 99.2%　办结率 98.7%", size_hint_y=None, height=120)
    box.add_widget(band)
    idle(4)
    assert band.height == 120 and band.width > 0
    labels_fit(lobby)
    assert by_id(lobby, "lobby-waiting").children  # the counts still show
    left, bottom, right, top = lobby.x, lobby.y, lobby.right, lobby.top
    assert left <= band.x and band.right <= right and bottom <= band.y and band.top <= top
    if slot == "band":  # full width, between the board and the footer
        assert band.y >= footer.top and band.top <= calls.y
        assert band.width >= lobby.width - 60
        assert calls.height < before
    else:  # under the waiting counts, in the right-hand column
        waiting_panel = by_id(lobby, "lobby-waiting").parent
        assert band.top <= waiting_panel.y and band.x >= calls.right
        assert calls.height == before  # the call list keeps its room
    box.remove_widget(band)
    idle(4)
    assert box.height == held and calls.height == before


def footer_colour(footer: object) -> tuple[float, ...]:
    """The colour the footer is painted with."""
    from kivy.graphics import Color

    found = [i for i in footer.canvas.before.children if isinstance(i, Color)]
    return tuple(found[-1].rgba)


@pytest.mark.process  # kill -9: a real subprocess
def test_reconnects_after_a_restart_and_catches_up(lobby: LobbyRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    kiosk.post("/tickets", {"service": "general"})
    daemon.staff("S001", 1).post("/windows/1/call")
    assert board_is(lobby, [("A001", "1号窗口")])
    assert by_id(lobby, "lobby-offline").text == ""

    daemon.kill()
    assert idle_until(lambda: by_id(lobby, "lobby-offline").text, 10)
    daemon.start()
    # Made before the lobby's follower retries: it gets them by Last-Event-ID.
    kiosk.post("/tickets", {"service": "general"})
    kiosk.post("/tickets", {"service": "general"})
    daemon.staff("S002", 2).post("/windows/2/call")
    assert board_is(lobby, [("A002", "2号窗口"), ("A001", "1号窗口")], timeout=RETRY_S + 3)
    assert idle_until(lambda: by_id(lobby, "lobby-offline").text == "", 10)
    assert idle_until(lambda: waiting(lobby, "general") == "1 人", 10)

    # And live events flow again.
    daemon.staff("S004", 4).post("/windows/4/call")
    expected = [("A003", "4号窗口"), ("A002", "2号窗口"), ("A001", "1号窗口")]
    assert board_is(lobby, expected)

    # A lobby (re)started while the daemon is down has no event to catch up from: once
    # it connects, it reads the board from the daemon's state (no event replays it).
    lobby.shutdown()
    daemon.kill()
    late = mount(LobbyRoot(lobby.ctx, clock=lobby.highlighter.clock, call_s=CALL_S))
    try:
        idle(3)
        assert rows(late) == []
        # It says so, as a lobby that lost the daemon does.
        assert idle_until(lambda: by_id(late, "lobby-offline").text, 10)
        daemon.start()
        assert board_is(late, expected, timeout=RETRY_S + 3)
        assert idle_until(lambda: by_id(late, "lobby-offline").text == "", 10)
    finally:
        late.shutdown()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_starts_in_either_language_and_switches_at_run_time(
    daemon: Daemon, clock: FakeClock, language: str
) -> None:
    """A lobby configured in English starts (kiosk.language: en), and switches both ways."""
    kiosk = daemon.api("kiosk-token-1")
    kiosk.post("/tickets", {"service": "general"})
    kiosk.post("/tickets", {"service": "vip"})
    daemon.staff("S001", 1).post("/windows/1/call")
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, "display-token-1"),
        strings=Strings(language),
        hall_name="测试大厅政务服务中心",
    )
    root = mount(LobbyRoot(ctx, clock=clock, call_s=CALL_S))
    try:
        window_word = {"zh": "1号窗口", "en": "Window 1"}
        count_word = {"zh": "1 人", "en": "1"}
        assert board_is(root, [("A001", window_word[language])])
        assert idle_until(lambda: waiting(root, "vip") == count_word[language], 10)
        for lang in ("en", "zh", "en") if language == "zh" else ("zh", "en", "zh"):
            ctx.strings.language = lang
            root.lang = lang
            assert board_is(root, [("A001", window_word[lang])])
            assert waiting(root, "vip") == count_word[lang]
            labels_fit(root)
    finally:
        root.shutdown()
        ctx.client.close()


def test_with_nothing_announced_the_board_stays_inside_the_screen(
    lobby: LobbyRoot, daemon: Daemon
) -> None:
    """The words "暂无叫号" where the number would be: laid out inside the window, not off its edge."""
    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    assert idle_until(lambda: waiting(lobby, "general") == "1 人", 10)
    assert lobby.now_number == ""
    for lang in ("zh", "en"):
        lobby.strings.language = lang
        lobby.lang = lang
        idle(3)
        findings, _targets = check_tree(lobby, "lobby", f"{lang}-normal")
        assert not findings, findings
        now, panel = by_id(lobby, "now-window"), by_id(lobby, "lobby-now")
        assert panel.x <= now.x and now.right <= panel.right
