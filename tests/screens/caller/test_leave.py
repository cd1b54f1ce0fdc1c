"""请假 on the caller panel in real Kivy frames against a real daemon.

The test hall of the 办件 tests: 不动产登记中心 (bdc) has windows 3 and 4, its chief S003
(首席代表: a department head) and member S004. The tests' clock starts on Tuesday
2026-06-02, and the test hall is closed that day and Wednesday 06-03, so Thursday 06-04
is the first working day (June 2026 has no holiday before the 19th). What the screen
sends is read back from the daemon with a manager's token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import check_tree
from tests.kivy_harness import by_id, idle, idle_until, screenshot, tap
from tests.screens.caller.cases.support import DEPARTMENTS, case_context, signed_in
from tests.screens.caller.sizing import MODES, sized_caller
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon, hall_config
from tests.support.config import clock

MANAGER = "manager-token-1"


@pytest.fixture
def hall(make_daemon: Callable[..., Daemon]) -> Daemon:
    return make_daemon(hall_config(departments=DEPARTMENTS))


def leave_caller(daemon: Daemon, window: int) -> Iterator[CallerRoot]:
    """``window``'s caller with the hall's calendar and the tests' clock (as the daemon's)."""
    yield from caller_of(daemon, window, clock=clock, **case_context(daemon))


def requests(daemon: Daemon) -> dict[int, dict]:
    r = daemon.api(MANAGER).get("/leave")
    assert r.status_code == 200, r.text
    return {row["id"]: row for row in r.json()["requests"]}


def open_leave(root: CallerRoot, staff_id: str) -> None:
    if root.current == "login":
        signed_in(root, staff_id)
    tap(by_id(root, "btn-leave"))
    assert root.current == "leave"
    assert idle_until(lambda: not root.leave.screen.busy, 5), root.leave.screen.message


def reach(root: CallerRoot, hall_id: str) -> None:
    """Scroll the screen to a widget and tap it, as a clerk would."""
    widget = by_id(root, hall_id)
    scroll = root.leave.screen.ids.scroll
    if scroll.children[0].height > scroll.height:
        scroll.scroll_to(widget, animate=False)
        idle(3)
    tap(widget)


def send(root: CallerRoot) -> None:
    screen = root.leave.screen
    tap(by_id(root, "leave-submit"))
    assert idle_until(lambda: not screen.busy, 5)


def test_a_clerk_asks_for_half_a_day_then_three_days_with_a_cover_and_cancels(
    hall: Daemon,
) -> None:
    made = leave_caller(hall, 4)
    root = next(made)
    try:
        open_leave(root, "S004")
        screen = root.leave.screen
        assert by_id(root, "leave-none").text == "暂无请假记录"
        assert by_id(root, "leave-start-day").text == "06-02（周二）"  # the hall's today
        assert by_id(root, "leave-length").text == "所选时段没有工作日"  # closed today
        reach(root, "leave-start-later")
        reach(root, "leave-start-later")  # Thursday 06-04; the end follows
        assert by_id(root, "leave-end-day").text == "06-04（周四）"
        reach(root, "leave-end-am")  # 06-04 上午 only
        assert by_id(root, "leave-length").text == "共半天（按工作日计）"
        reach(root, "leave-kind-病假")
        by_id(root, "leave-reason").text = "看病"
        send(root)
        assert screen.message == "已提交请假申请（半天），待审批", screen.message
        (half,) = requests(hall).values()
        assert (half["staff_id"], half["kind"], half["reason"], half["status"]) == (
            "S004",
            "病假",
            "看病",
            "requested",
        )
        assert (half["start_day"], half["start_half"], half["end_day"], half["end_half"]) == (
            "2026-06-04",
            "am",
            "2026-06-04",
            "am",
        )
        assert half["days"] == 0.5
        assert (
            "06-04（周四）上午至06-04（周四）上午 · 病假 · 半天 · 待审批"
            in by_id(root, f"leave-row-{half['id']}").children[-1].text
        )

        send(root)  # the same half-day again: refused in the daemon's words
        assert screen.message_error and screen.message == "同一时段已有请假申请"

        # Fri 06-05 to Tue 06-09 whole days: 05, 08, 09 are working days (06-06/07 the
        # weekend): 3 days, so a cover is needed (leave.cover_from_days, default 3).
        reach(root, "leave-start-later")
        for _ in range(4):
            reach(root, "leave-end-later")
        reach(root, "leave-end-pm")
        reach(root, "leave-kind-年休假")
        assert by_id(root, "leave-length").text == "共3天：3天以上须填写顶岗人员"
        send(root)
        assert screen.message == "请假3天以上须填写顶岗人员工号"  # said before sending
        assert len(requests(hall)) == 1
        by_id(root, "leave-cover").text = "s003"
        send(root)
        assert screen.message == "已提交请假申请（3天），待审批", screen.message
        three = next(r for r in requests(hall).values() if r["id"] != half["id"])
        assert (three["start_day"], three["end_day"], three["days"]) == (
            "2026-06-05",
            "2026-06-09",
            3.0,
        )
        assert (three["kind"], three["cover_staff"]) == ("年休假", "S003")
        screenshot("caller-leave-mine")

        reach(root, f"leave-cancel-{three['id']}")
        assert idle_until(lambda: not screen.busy, 5)
        assert screen.message == "已撤销"
        assert requests(hall)[three["id"]]["status"] == "cancelled"
        assert "已撤销" in by_id(root, f"leave-row-{three['id']}").children[-1].text
        with pytest.raises(LookupError):
            by_id(root, f"leave-cancel-{three['id']}")
        assert requests(hall)[half["id"]]["status"] == "requested"
    finally:
        next(made, None)


def _ask(daemon: Daemon, day: str, end_half: str = "am", end_day: str | None = None) -> dict:
    """A manager enters S004's leave (from ``day`` am)."""
    body = {
        "staff_id": "S004",
        "start_day": day,
        "start_half": "am",
        "end_day": end_day or day,
        "end_half": end_half,
        "kind": "事假",
        "reason": "家中有事",
    }
    r = daemon.api(MANAGER).post("/leave", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_department_head_approves_and_refuses_half_days(hall: Daemon) -> None:
    approve = _ask(hall, "2026-06-04")  # Thu am: half a day, the head's to decide
    refuse = _ask(hall, "2026-06-05")  # Fri am
    longer = _ask(hall, "2026-06-08", "pm")  # Mon, a whole day: a manager's
    made = leave_caller(hall, 3)
    root = next(made)
    try:
        signed_in(root, "S003")  # the head's button says two wait (the whole day is not theirs)
        assert idle_until(lambda: by_id(root, "btn-leave").text == "请假\n待批 2", 5)
        open_leave(root, "S003")
        screen = root.leave.screen
        pending = {w.hall_id for w in by_id(root, "leave-pending").children}
        assert pending == {f"leave-row-{approve['id']}", f"leave-row-{refuse['id']}"}
        assert by_id(root, "leave-pending-heading").text == "待审批（本部门，半天以内）"
        row = by_id(root, f"leave-row-{approve['id']}")
        assert "员工4  06-04（周四）上午至06-04（周四）上午 · 事假 · 半天 · 待审批" in [
            w.text for w in row.children if hasattr(w, "text")
        ]
        screenshot("caller-leave-head")
        reach(root, f"leave-approve-{approve['id']}")
        assert idle_until(lambda: not screen.busy, 5)
        assert screen.message == "已批准", screen.message
        reach(root, f"leave-refuse-{refuse['id']}")
        assert idle_until(lambda: not screen.busy, 5)
        assert screen.message == "已不予批准", screen.message
        found = requests(hall)
        assert (found[approve["id"]]["status"], found[approve["id"]]["decided_by"]) == (
            "approved",
            "S003",
        )
        assert (found[refuse["id"]]["status"], found[refuse["id"]]["decided_by"]) == (
            "refused",
            "S003",
        )
        assert found[longer["id"]]["status"] == "requested"
        assert not by_id(root, "leave-pending").children  # nothing left to decide
        assert by_id(root, "leave-pending-heading").text == ""
        tap(by_id(root, "leave-back"))
        assert by_id(root, "btn-leave").text == "请假"
    finally:
        next(made, None)


@pytest.fixture(params=MODES)
def sized(request: pytest.FixtureRequest, hall: Daemon) -> Iterator[tuple[CallerRoot, str]]:
    """Window 3's caller at the test window's size, at 480x800 (its scale), or in large text."""
    with sized_caller(request.param, lambda: leave_caller(hall, 3)) as root:
        yield root, request.param


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_leave_screen_fits(sized: tuple[CallerRoot, str], hall: Daemon, language: str) -> None:
    root, mode = sized
    _ask(hall, "2026-06-04")  # a pending request for the head, with its reason
    body = {"staff_id": "S003", "start_day": "2026-06-05", "end_day": "2026-06-09"}
    body |= {"kind": "年休假", "cover_staff": "S004", "reason": "探亲"}
    assert hall.api(MANAGER).post("/leave", body).status_code == 201  # the head's own
    if language == "en":
        root.switch_language()
    open_leave(root, "S003")
    assert len(by_id(root, "leave-pending").children) == 1
    assert len(by_id(root, "leave-mine").children) == 1
    scroll = root.leave.screen.ids.scroll
    for where in ("top", "end"):
        scroll.scroll_y = 1 if where == "top" else 0
        idle(3)
        found, _targets = check_tree(root, "leave", f"{language}-{mode}-{where}")
        assert not found, "\n".join(map(str, found))
        screenshot(f"caller-leave-{language}-{mode}-{where}")
    tap(by_id(root, "leave-back"))
    assert root.current == "panel"
    idle(3)
    found, _targets = check_tree(root, "panel", f"{language}-{mode}")
    assert not found, "\n".join(map(str, found))
