"""The staff caller panel against a real daemon: sign-in, every window operation, events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient, DaemonError
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import check_tree, labels_fit
from tests.kivy_harness import by_id, idle, idle_until, mount, screenshot, tap, texts
from tests.support import PIN, Daemon, hall_config


@pytest.fixture
def caller(daemon: Daemon) -> Iterator[CallerRoot]:
    """The caller role of window 3 on screen, not signed in."""
    yield from caller_of(daemon)


def caller_of(daemon: Daemon, window: int = 3, **ctx_extra: Any) -> Iterator[CallerRoot]:
    """Mount ``window``'s caller role on ``daemon``; unmount it after.

    ``ctx_extra``: more of the context (a catalogue, an ID card reader, a printer).
    """
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings("zh"),
        hall_name="测试大厅",
        **ctx_extra,
    )
    root = mount(CallerRoot(ctx, window))
    yield root
    root.shutdown()
    ctx.client.close()


def sign_in(root: CallerRoot, staff_id: str = "S003", pin: str = PIN) -> None:
    by_id(root, "login-staff").text = staff_id
    by_id(root, "login-pin").text = pin
    tap(by_id(root, "btn-login"))


def window(daemon: Daemon, number: int) -> dict:
    found = daemon.api("manager-token-1").get("/windows").json()
    return next(w for w in found if w["number"] == number)


def ticket(daemon: Daemon, ticket_id: str) -> dict:
    return daemon.api(None).get(f"/tickets/{ticket_id}").json()


def shows(root: CallerRoot, hall_id: str, text: str, timeout: float = 3) -> bool:
    return idle_until(lambda: text in by_id(root, hall_id).text, timeout)


def operate(root: CallerRoot, hall_id: str, choice: str | None = None) -> None:
    """Tap a panel button (and an option of its picker), wait for the daemon's answer."""
    tap(by_id(root, hall_id))
    if choice is not None:
        tap(by_id(root, f"choice-{choice}"))
    assert idle_until(lambda: not root.panel.busy, 10)  # a daemon round trip on a loaded box
    assert not root.panel.message_error, root.panel.message


@pytest.fixture
def slow_backoff(make_daemon) -> Daemon:
    """A daemon whose sign-in backoff (3 s, doubling) outlasts the screen's steps on a loaded box."""
    return make_daemon(hall_config(sign_in={"backoff_s": 3}))


@pytest.fixture
def slow_caller(slow_backoff: Daemon) -> Iterator[CallerRoot]:
    yield from caller_of(slow_backoff)


def test_wrong_pin_shows_the_daemons_words_in_the_current_language(
    slow_caller: CallerRoot, slow_backoff: Daemon
) -> None:
    caller, daemon = slow_caller, slow_backoff
    by_id(caller, "login-staff").text = "S003"
    screenshot("caller-login")
    sign_in(caller, pin="0000")
    assert shows(caller, "login-error", "工号或密码错误")
    assert by_id(caller, "login-pin").text == ""
    tap(by_id(caller, "btn-language"))
    sign_in(caller, pin="0000")
    assert shows(caller, "login-error", "wrong PIN")
    assert caller.current == "login"
    assert window(daemon, 3)["state"] == "closed"
    # Two failures: the daemon's backoff (issue 13) refuses even the right PIN for a few
    # seconds, in its own words (429, sign_in.backoff_s); then the PIN opens the window.
    sign_in(caller)
    assert shows(caller, "login-error", "wait")
    assert caller.current == "login"
    for _ in range(60):
        sign_in(caller)
        if idle_until(lambda: caller.current == "panel", 0.5):
            break
    assert caller.current == "panel"
    assert "Window 3" in by_id(caller, "panel-window").text
    assert window(daemon, 3)["state"] == "open"


def test_every_operation_reaches_the_daemon(caller: CallerRoot, daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    sign_in(caller)
    assert idle_until(lambda: caller.current == "panel", 3)
    assert idle_until(lambda: caller.panel.connected and caller.panel.services, 3)
    tap(by_id(caller, "btn-call"))
    assert shows(caller, "panel-message", "当前没有等候的号")
    assert caller.panel.message_error

    issued = {}
    for service in ("other", "other", "general", "other"):
        t = kiosk.post("/tickets", {"service": service}).json()
        issued[t["number"]] = t["id"]
    # Only window 3's services, in calling order, arrive through the event stream.
    queue = by_id(caller, "queue-list")
    assert idle_until(lambda: texts(queue) == ["C001", "C002", "C003"], 3), texts(queue)
    assert shows(caller, "waiting-other", "3")

    operate(caller, "btn-call")
    assert by_id(caller, "current-number").text == "C001"
    assert window(daemon, 3)["ticket_number"] == "C001"
    assert idle_until(lambda: texts(queue) == ["C002", "C003"], 3)
    kiosk.post("/help", {"where": "1号自助取号机"})
    assert shows(caller, "help-alert", "1号自助取号机")
    screenshot("caller-panel")
    tap(by_id(caller, "btn-help-dismiss"))
    assert by_id(caller, "help-alert").text == ""

    operate(caller, "btn-recall")
    assert ticket(daemon, issued["C001"])["recalls"] == 1
    operate(caller, "btn-start")
    assert ticket(daemon, issued["C001"])["status"] == "serving"
    assert shows(caller, "current-state", "正在办理")
    assert by_id(caller, "done-today").text == "今日已办 0 件"
    operate(caller, "btn-finish", "承诺件")
    done = ticket(daemon, issued["C001"])
    assert (done["status"], done["case_type"]) == ("finished", "承诺件")
    assert by_id(caller, "current-number").text == "---"
    assert shows(caller, "done-today", "今日已办 1 件")

    operate(caller, "btn-call")
    operate(caller, "btn-no-show", "confirm")
    assert ticket(daemon, issued["C002"])["status"] == "no_show"
    operate(caller, "btn-requeue", "C002")
    assert ticket(daemon, issued["C002"])["status"] == "waiting"
    # Where it went, from the daemon's answer or else from this window's queue.
    assert shows(caller, "panel-message", "C002 已回队，前面还有")

    operate(caller, "btn-call")
    assert window(daemon, 3)["ticket_number"] == "C003"
    operate(caller, "btn-transfer", "general")
    assert ticket(daemon, issued["C003"])["status"] == "transferred"
    assert window(daemon, 3)["ticket_id"] is None
    assert "不动产" not in texts(caller)  # no picker left on screen

    operate(caller, "btn-pause", "toilet")  # the reason first (离岗原因)
    assert window(daemon, 3)["state"] == "paused"
    assert by_id(caller, "panel-message").text == "已暂停服务（如厕）"
    pause = daemon.api("manager-token-1").get("/vacancy/pauses").json()["pauses"][-1]
    assert (pause["window"], pause["reason"], pause["open"]) == (3, "toilet", True)
    assert by_id(caller, "btn-call").disabled
    assert by_id(caller, "btn-pause").text == "恢复服务"
    operate(caller, "btn-pause")
    assert window(daemon, 3)["state"] == "open"

    operate(caller, "btn-logout")
    assert idle_until(lambda: caller.current == "login", 3)
    assert window(daemon, 3)["state"] == "closed"
    assert caller.ctx.client.token is None


def test_a_panel_cannot_operate_another_window(caller: CallerRoot, daemon: Daemon) -> None:
    daemon.staff("S004", 4)
    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    sign_in(caller)
    assert idle_until(lambda: caller.current == "panel", 3)
    with pytest.raises(DaemonError) as refused:
        caller.ctx.client.window_op(4, "call")
    assert refused.value.status == 403
    assert window(daemon, 4)["ticket_id"] is None


@pytest.fixture
def caller1(daemon: Daemon) -> Iterator[CallerRoot]:
    """The caller role of window 1 (general and vip: priority tickets), signed in."""
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings("zh"),
        hall_name="测试大厅",
    )
    root = mount(CallerRoot(ctx, 1))
    sign_in(root, "S001")
    assert idle_until(lambda: root.current == "panel" and root.panel.services, 3)
    yield root
    root.shutdown()
    ctx.client.close()


def test_the_current_number_shows_service_priority_and_time_since_the_call(
    caller1: CallerRoot, daemon: Daemon
) -> None:
    kiosk = daemon.api("kiosk-token-1")
    first = kiosk.post("/tickets", {"service": "general", "priority": True}).json()
    kiosk.post("/tickets", {"service": "vip"})
    panel = caller1.panel
    clock = {"now": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}
    panel.now = lambda: clock["now"]
    operate(caller1, "btn-call")
    assert by_id(caller1, "current-number").text == "A001"
    called_at = dt.datetime.fromisoformat(ticket(daemon, first["id"])["called_at"])
    clock["now"] = called_at + dt.timedelta(seconds=75)
    assert shows(caller1, "current-elapsed", "01:15", timeout=10)
    assert by_id(caller1, "current-service").text == "综合受理"
    assert "优先" in by_id(caller1, "current-kind").text
    clock["now"] = called_at + dt.timedelta(minutes=12, seconds=3)
    assert shows(caller1, "current-elapsed", "12:03", timeout=10)  # the next tick
    screenshot("caller-panel-current")
    labels_fit(caller1)

    # A panel started later (a restart) takes the call time from the daemon, not its own.
    caller1.panel.reload()
    assert idle_until(lambda: not caller1.panel.busy, 3)
    clock["now"] = called_at + dt.timedelta(seconds=5)
    assert shows(caller1, "current-elapsed", "00:05", timeout=10)

    operate(caller1, "btn-finish", "即办件")
    operate(caller1, "btn-call")
    assert by_id(caller1, "current-number").text == "B001"
    assert by_id(caller1, "current-service").text == "企业开办"
    assert by_id(caller1, "current-kind").text == ""
    tap(by_id(caller1, "btn-language"))
    assert by_id(caller1, "current-service").text == "Business"


def test_one_tap_on_no_show_does_not_mark_it(caller: CallerRoot, daemon: Daemon) -> None:
    t = daemon.api("kiosk-token-1").post("/tickets", {"service": "other"}).json()
    sign_in(caller)
    assert idle_until(lambda: caller.current == "panel" and caller.panel.services, 3)
    operate(caller, "btn-call")
    tap(by_id(caller, "btn-no-show"))
    assert idle_until(lambda: not caller.panel.busy, 3)
    assert ticket(daemon, t["id"])["status"] == "called"
    assert "C001" in by_id(caller, "choice-sheet").title
    tap(by_id(caller, "choice-cancel"))
    assert ticket(daemon, t["id"])["status"] == "called"
    assert by_id(caller, "current-number").text == "C001"
    # Apart from 已到窗口: not in the same row or column of buttons, not touching.
    no_show, arrived = by_id(caller, "btn-no-show"), by_id(caller, "btn-start")
    assert no_show.x > arrived.right + 100 or no_show.right < arrived.x - 100
    assert no_show.y > arrived.top or no_show.top < arrived.y
    operate(caller, "btn-no-show", "confirm")
    assert ticket(daemon, t["id"])["status"] == "no_show"


def test_a_requeue_answer_with_ahead_says_where_it_went(caller: CallerRoot) -> None:
    panel = caller.panel
    answer = {"number": "A007", "status": "waiting", "window": None, "ahead": 3}
    panel._operated("requeue", "", {"number": "A007"}, answer)
    assert panel.message == "A007 已回队，前面还有 3 人"
    caller.switch_language()
    panel._operated("requeue", "", {"number": "A007"}, {**answer, "ahead": 0})
    assert panel.message == "A007 is back in the queue, 0 ahead"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_starts_in_either_language_and_switches_at_run_time(daemon: Daemon, language: str) -> None:
    """A caller configured in English starts (kiosk.language: en), and switches both ways."""
    daemon.api("kiosk-token-1").post("/tickets", {"service": "other"})
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings(language),
        hall_name="测试大厅",
    )
    root = mount(CallerRoot(ctx, 3))
    try:
        window_word = {"zh": "3号窗口", "en": "Window 3"}
        sign_in(root)
        assert idle_until(lambda: root.current == "panel" and root.panel.services, 3)
        assert shows(root, "panel-window", window_word[language])
        assert shows(root, "waiting-other", "1")
        assert texts(by_id(root, "queue-list")) == ["C001"]
        for lang in ("en", "zh", "en") if language == "zh" else ("zh", "en", "zh"):
            tap(by_id(root, "btn-language"))
            assert root.panel.lang == root.login_screen.lang == lang
            assert shows(root, "panel-window", window_word[lang])
            assert texts(by_id(root, "queue-list")) == ["C001"]
            name = {"zh": "不动产", "en": "Real estate"}[lang]
            assert shows(root, "waiting-other", name), by_id(root, "waiting-other").text
    finally:
        root.shutdown()
        ctx.client.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_waiting_counts_of_long_service_names_are_shown_whole(
    make_daemon,
    language: str,
) -> None:
    """The count "综合受理（一窗通办）：1 人" fits its row (smaller if need be), never cut to "…"."""
    cfg = hall_config()
    cfg["services"][0]["name_zh"] = "综合受理（一窗通办）"
    cfg["services"][0]["name_en"] = "General affairs (one window for all)"
    cfg["services"][1]["name_zh"] = "企业开办（一窗通办）"
    cfg["services"][1]["name_en"] = "Business registration (one window)"
    daemon = make_daemon(cfg)
    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings(language),
        hall_name="测试大厅",
    )
    root = mount(CallerRoot(ctx, 1))
    try:
        sign_in(root, "S001")
        assert idle_until(lambda: root.current == "panel" and root.panel.services, 3)
        name = cfg["services"][0][f"name_{language}"]
        assert shows(root, "waiting-general", name)
        idle(3)
        labels_fit(root)
    finally:
        root.shutdown()
        ctx.client.close()


@pytest.fixture
def small_caller(daemon: Daemon) -> Iterator[CallerRoot]:
    """Window 3's caller at its configured size (480x800 beside the business system) and scale."""
    from kivy.metrics import Metrics

    from hall.kiosk.kivy_setup import set_scale

    geometry = KioskSection().screens.caller
    before = Metrics.density
    set_scale(geometry.density())  # before the root is built: its kv rules read dp() then
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings("zh"),
        hall_name="示范区政务服务中心",
    )
    root = CallerRoot(ctx, 3)
    root.size_hint = (None, None)
    root.size = geometry.size
    mount(root)
    try:
        yield root
    finally:
        root.shutdown()
        ctx.client.close()
        set_scale(before)


def _no_findings(root: CallerRoot, screen: str) -> None:
    found, _targets = check_tree(root, screen, f"{root.panel.lang}-normal")
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_480x800_caller_shows_everything_whole_and_works_by_taps(
    small_caller: CallerRoot, daemon: Daemon, language: str
) -> None:
    """At 480x800 the panel is drawn at 0.42: every screen fits, with a help call and a picker."""
    caller = small_caller
    assert tuple(caller.size) == (480, 800)
    if language == "en":
        tap(by_id(caller, "btn-language"))
    _no_findings(caller, "caller-login")
    kiosk = daemon.api("kiosk-token-1")
    for service in ("other", "general", "other"):
        kiosk.post("/tickets", {"service": service})
    sign_in(caller)
    assert idle_until(lambda: caller.current == "panel" and caller.panel.services, 5)
    operate(caller, "btn-call")
    assert by_id(caller, "current-number").text == "C001"
    kiosk.post("/help", {"where": "1号自助取号机"})
    assert shows(caller, "help-alert", "1号自助取号机")
    idle(3)
    _no_findings(caller, "caller-panel")  # the most crowded panel: a call and a help alert
    tap(by_id(caller, "btn-finish"))
    assert idle_until(lambda: by_id(caller, "choice-sheet"), 3)
    idle(3)
    _no_findings(caller, "caller-finish-choice")
    tap(by_id(caller, "choice-即办件"))
    assert idle_until(lambda: not caller.panel.busy, 3)
    assert by_id(caller, "current-number").text == "---"
    assert window(daemon, 3)["ticket_id"] is None
