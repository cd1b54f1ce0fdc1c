"""首问登记 on the caller panel in real Kivy frames against a real daemon.

Window 3 belongs to 不动产登记中心 (bdc: BDC-BF-001, BDC-ZY-001) in the register's test
hall (tests/queue/cases/case_helpers.py); S003 signs in there. What the form logs is read
back from the daemon's register with a manager's token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import check_tree
from tests.kivy_harness import by_id, idle, idle_until, screenshot, tap
from tests.queue.cases.case_helpers import register_config
from tests.screens.caller.sizing import MODES, sized_caller
from tests.screens.caller.test_panel import caller_of, shows, sign_in
from tests.support import Daemon

#: Text drawn this much larger in "large" mode (a system's large-text setting).


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(register_config())


@pytest.fixture
def caller(hall: Daemon) -> Iterator[CallerRoot]:
    yield from caller_of(hall)


def logged(daemon: Daemon) -> list[dict]:
    r = daemon.api("manager-token-1").get("/enquiries")
    assert r.status_code == 200, r.text
    return r.json()["enquiries"]


def reach(root: CallerRoot, hall_id: str) -> None:
    """Scroll the form to a widget and tap it, as a clerk would."""
    widget = by_id(root, hall_id)
    scroll = root.enquiry.screen.ids.scroll
    if scroll.children[0].height > scroll.height:  # scroll_to of a form that fits goes astray
        scroll.scroll_to(widget, animate=False)
        idle(3)
    tap(widget)


def open_form(root: CallerRoot) -> None:
    sign_in(root)
    assert idle_until(lambda: root.current == "panel" and root.panel.services, 5)
    screen = root.enquiry.screen
    for _ in range(2):  # once more if the read timed out (the client's 3 s, a loaded box)
        tap(by_id(root, "btn-enquiry"))
        assert root.current == "enquiry"
        assert idle_until(lambda: not screen.busy, 8), screen.message
        if screen.form["matters"]:
            break
        tap(by_id(root, "enq-cancel"))
    assert screen.form["matters"], screen.message


def test_a_phone_enquiry_referred_to_another_department_in_a_few_taps(
    caller: CallerRoot, hall: Daemon
) -> None:
    open_form(caller)
    reach(caller, "enq-channel-phone")
    reach(caller, "enq-topic-0")  # 办事材料, the first of the default quick topics
    assert by_id(caller, "enq-topic").text == "办事材料"
    reach(caller, "enq-matter-BDC-ZY-001")
    reach(caller, "enq-answer-referred")
    reach(caller, "enq-dept-scjg")
    by_id(caller, "enq-name").text = "李四"
    by_id(caller, "enq-phone").text = "13812345678"
    screenshot("caller-enquiry")
    tap(by_id(caller, "enq-submit"))
    assert idle_until(lambda: caller.current == "panel", 5), caller.enquiry.screen.message
    assert shows(caller, "panel-message", "已登记首问：办事材料")
    (row,) = logged(hall)
    assert (row["staff_id"], row["window"], row["channel"]) == ("S003", 3, "phone")
    assert (row["topic"], row["matter"], row["answer"]) == ("办事材料", "BDC-ZY-001", "referred")
    assert row["referred_to"] == "scjg"
    assert row["contact"] == {"name": "李四", "phone": "13812345678"}


def test_what_is_missing_is_said_and_an_english_quick_topic_is_logged_in_chinese(
    caller: CallerRoot, hall: Daemon
) -> None:
    open_form(caller)
    tap(by_id(caller, "enq-submit"))
    screen = caller.enquiry.screen
    assert screen.message == "请填写咨询事项" and screen.message_error
    reach(caller, "enq-answer-referred")
    by_id(caller, "enq-topic").text = "附近停车场"
    tap(by_id(caller, "enq-submit"))
    assert screen.message == "请选择或填写转交给谁"
    assert logged(hall) == []
    tap(by_id(caller, "enq-cancel"))
    assert caller.current == "panel"

    tap(by_id(caller, "btn-language"))
    tap(by_id(caller, "btn-enquiry"))
    assert idle_until(lambda: not screen.busy and screen.form["matters"], 8), screen.message
    assert by_id(caller, "enq-submit").text == "Log it"
    reach(caller, "enq-topic-1")
    assert by_id(caller, "enq-topic").text == "How to apply"
    reach(caller, "enq-answer-guided")
    tap(by_id(caller, "enq-submit"))
    assert idle_until(lambda: caller.current == "panel", 5), screen.message
    assert shows(caller, "panel-message", "Enquiry logged: 办理流程")
    (row,) = logged(hall)
    assert (row["topic"], row["channel"], row["answer"], row["matter"]) == (
        "办理流程",
        "in_person",
        "guided",
        None,
    )


@pytest.fixture(params=MODES)
def sized(request: pytest.FixtureRequest, hall: Daemon) -> Iterator[tuple[CallerRoot, str]]:
    """Window 3's caller at the test window's size, at 480x800 (its scale), or in large text."""
    with sized_caller(request.param, lambda: caller_of(hall)) as root:
        yield root, request.param


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_form_and_the_help_banner_fit(
    sized: tuple[CallerRoot, str], hall: Daemon, language: str
) -> None:
    root, mode = sized
    if language == "en":
        root.switch_language()

    def fits(screen: str) -> None:
        idle(3)
        found, _targets = check_tree(root, screen, f"{language}-{mode}")
        assert not found, "\n".join(map(str, found))
        screenshot(f"caller-{screen}-{language}-{mode}")

    open_form(root)
    reach(root, "enq-answer-referred")  # the longest form: the departments and a text box
    fits("enquiry")
    root.enquiry.screen.ids.scroll.scroll_y = 0
    fits("enquiry-end")
    tap(by_id(root, "enq-cancel"))
    hall.api("kiosk-token-1").post("/help", {"where": "1号自助取号机"})
    assert idle_until(lambda: root.panel.help_open, 5)
    fits("panel-help")
