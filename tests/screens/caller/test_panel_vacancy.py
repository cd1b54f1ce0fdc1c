"""空岗 on the caller panel (real Kivy frames, a real daemon): the pause reason, the B岗 notice."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.caller.root import CallerRoot
from hall.screens.caller.vacancy import PAUSE_REASONS, VacancyNotice
from hall.tools.layout_check import labels_fit
from tests.kivy_harness import by_id, idle, idle_until, mount, screenshot, tap, texts
from tests.screens.caller.test_panel import sign_in
from tests.support import Daemon, hall_config


@pytest.fixture
def hall(make_daemon: Callable[..., Daemon]) -> Daemon:
    """The test hall; a window empty while people wait alerts at once (for the test)."""
    cfg = hall_config()
    cfg["vacancy"] = {"alert_after_min": 0, "check_every_s": 0.2}
    return make_daemon(cfg)


@pytest.fixture
def caller2(hall: Daemon) -> Iterator[CallerRoot]:
    """The caller role of window 2 on screen, not signed in."""
    ctx = KioskContext(
        settings=KioskSection(daemon_url=hall.base),
        client=DaemonClient(hall.base, None),
        strings=Strings("zh"),
        hall_name="测试大厅",
    )
    root = mount(CallerRoot(ctx, 2))
    yield root
    root.shutdown()
    ctx.client.close()


def test_pause_asks_the_reason_first(caller2: CallerRoot, hall: Daemon) -> None:
    sign_in(caller2, "S002")
    assert idle_until(lambda: caller2.current == "panel" and caller2.panel.services, 5)
    tap(by_id(caller2, "btn-pause"))
    assert texts(by_id(caller2, "choice-sheet"))[:1] == ["暂停原因"]
    shown = [by_id(caller2, f"choice-{value}").text for value, _ in PAUSE_REASONS]
    assert shown == ["午间轮换", "咨询", "如厕", "会议", "其他"]
    screenshot("caller-pause-reasons")
    labels_fit(caller2)
    manager = hall.api("manager-token-1")
    assert manager.get("/vacancy/pauses").json()["pauses"] == []  # nothing before the choice
    tap(by_id(caller2, "choice-lunch_relief"))
    # The event (window paused) may come before the operation's own answer (the message).
    paused = "已暂停服务（午间轮换）"
    message = lambda: by_id(caller2, "panel-message").text  # noqa: E731
    assert idle_until(lambda: caller2.panel.window_state == "paused" and message() == paused, 5)
    (pause,) = manager.get("/vacancy/pauses").json()["pauses"]
    assert (pause["reason"], pause["staff_id"]) == ("lunch_relief", "S002")
    tap(by_id(caller2, "btn-pause"))  # resume: no question
    assert idle_until(lambda: caller2.panel.window_state == "open", 5)
    assert manager.get("/vacancy/pauses").json()["pauses"][0]["ended_by"] == "resume"


def test_the_b_clerk_is_told_of_an_empty_window_it_covers(
    caller2: CallerRoot, hall: Daemon
) -> None:
    """SB (B岗 of windows 1 and 2) signs in at 2; window 1 is closed while a citizen waits."""
    hall.api("kiosk-token-1").post("/tickets", {"service": "general"})
    manager = hall.api("manager-token-1")

    def alerting() -> set[int]:
        return {a["window"] for a in manager.get("/vacancy").json()["alerts"]}

    assert idle_until(lambda: 1 in alerting(), 5)
    sign_in(caller2, "SB")

    def banner() -> str:
        """The banner's words; "" while the panel is not on screen (a transition under load)."""
        try:
            return by_id(caller2, "vacancy-alert").text
        except LookupError:
            return f"<not on screen: {caller2.current}>"

    # Raised before the sign-in: read from GET /vacancy. Window 4 is not SB's: not shown.
    # Never opened today: empty since the business day began (03:00, seven hours).
    first = re.compile(r"1号窗口空岗4\d\d分钟，1人等候，请B岗补位")  # the session's clock runs
    assert idle_until(lambda: first.fullmatch(banner()), 10), banner()
    assert 4 in alerting()
    idle(3)
    screenshot("caller-vacancy-b")
    labels_fit(caller2)

    a_clerk = hall.staff("S001", 1)  # window 1 opens: the notice goes (vacancy.ended)
    assert idle_until(lambda: banner() == "", 5), banner()
    assert a_clerk.post("/staff/logout").status_code == 200  # empty again: a new alert event
    assert idle_until(lambda: banner() == "1号窗口空岗0分钟，1人等候，请B岗补位", 5), banner()
    tap(by_id(caller2, "btn-language"))
    assert idle_until(lambda: banner().startswith("Window 1 empty"), 5), banner()
    labels_fit(caller2)


def test_an_a_clerk_and_its_own_window_are_not_covered() -> None:
    alert = {"id": 7, "window": 1, "empty_min": 12.4, "waiting": 3, "notify_b": True}
    notice = VacancyNotice()
    assert not notice.begin({"role": "A", "windows": [1], "window": {"number": 1}})
    assert not notice.on_event("vacancy.alert", {"alert": alert})
    assert notice.begin({"role": "B", "windows": [1, 2], "window": {"number": 2}})
    assert not notice.on_event("vacancy.alert", {"alert": {**alert, "window": 2}})
    assert not notice.on_event("vacancy.alert", {"alert": {**alert, "notify_b": False}})
    assert notice.on_event("vacancy.alert", {"alert": alert})
    assert notice.text(Strings("zh").t) == "1号窗口空岗12分钟，3人等候，请B岗补位"
    assert not notice.on_event("vacancy.ended", {"alert": {**alert, "id": 6}})  # an older one
    assert notice.on_event("vacancy.ended", {"alert": alert}) and notice.text(Strings("zh").t) == ""
