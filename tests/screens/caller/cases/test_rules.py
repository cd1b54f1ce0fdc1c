"""What the 办件 screens offer, worked out without Kivy: actions by status, 把关权, bodies, words."""

from __future__ import annotations

import pytest

from hall.screens.caller.cases.rules import (
    actions_for,
    body_of,
    clock_words,
    days_left,
    missing_inputs,
    pick,
    step_actions,
    warning_of,
)

MATERIALS = [
    {"name": "申请书", "mandatory": False, "present": True},
    {"name": "身份证明", "mandatory": True, "present": False},
]


def _case(status: str, kind: str = "承诺件") -> dict:
    return {"receipt": "W1", "status": status, "kind": kind, "materials": MATERIALS}


@pytest.mark.parametrize(
    ("status", "member", "chief_adds"),
    [
        ("received", ["accept", "return"], ["reject"]),
        ("returned", ["supply"], ["reject"]),
        ("accepted", ["return", "suspend", "finish"], ["extend", "reject"]),
        ("suspended", ["resume"], ["extend", "reject"]),
        ("finished", ["ready"], []),
        ("ready", ["deliver"], []),
        ("delivered", [], []),
        ("rejected", [], []),
    ],
)
def test_actions_follow_the_status_and_gatekeeping_is_the_chiefs(
    status: str, member: list[str], chief_adds: list[str]
) -> None:
    assert actions_for(_case(status), gatekeeper=False) == member
    assert sorted(actions_for(_case(status), gatekeeper=True)) == sorted(member + chief_adds)


def test_an_immediate_case_may_be_finished_straight_from_received() -> None:
    assert actions_for(_case("received", "即办件"), False) == ["accept", "return", "finish"]


def test_return_lists_every_missing_item_and_waits_for_one() -> None:
    case = _case("received")
    assert missing_inputs("return", case, {}) == ["missing"]
    assert missing_inputs("return", case, {"missing": ["身份证明"]}) == []
    body = body_of("return", case, {"missing": ["身份证明", "申请书"], "note": " 原件 "})
    assert body == {"missing": ["身份证明", "申请书"], "note": "原件"}
    assert body_of("return", case, {"missing": ["身份证明"]}) == {
        "missing": ["身份证明"],
        "note": "",
    }


def test_extend_sends_whole_days_and_a_reason() -> None:
    case = _case("accepted")
    assert missing_inputs("extend", case, {"days": "5"}) == ["reason"]
    assert body_of("extend", case, {"days": "5", "reason": "需现场核查"}) == {
        "days": 5,
        "reason": "需现场核查",
    }


def test_deliver_asks_for_the_id_at_the_window_and_the_tracking_number_by_post() -> None:
    case = _case("ready")
    assert missing_inputs("deliver", case, {}) == ["by"]
    assert missing_inputs("deliver", case, {"by": "window"}) == ["id_number"]
    assert missing_inputs("deliver", case, {"by": "post"}) == ["tracking"]
    typed = {"by": "post", "tracking": "SF123", "id_number": "left from the window choice"}
    assert body_of("deliver", case, typed) == {"by": "post", "tracking": "SF123"}


def test_refusal_needs_reason_and_basis() -> None:
    case = _case("accepted")
    assert missing_inputs("reject", case, {"reason": "不符合条件"}) == ["basis"]
    assert missing_inputs("suspend", case, {}) == ["reason"]
    assert body_of("suspend", case, {"reason": "专家评审"}) == {"reason": "专家评审"}
    assert missing_inputs("accept", case, {}) == [] and body_of("accept", case, {}) == {}


def _tr(key: str, **values: object) -> str:
    return key + "".join(f"|{k}={v}" for k, v in sorted(values.items()))


def test_the_clock_in_words_running_overdue_and_stopped() -> None:
    running = {"clock": {"state": "running", "left": 3, "promised_date": "2026-07-01"}}
    assert clock_words(running, "zh", _tr) == "cases.left|date=2026-07-01|days=3"
    overdue = {"clock": {"state": "running", "left": -2, "promised_date": "2026-06-09"}}
    assert clock_words(overdue, "zh", _tr) == "cases.overdue|date=2026-06-09|days=2"
    waiting = {"clock": {"state": "waiting", "why": {"zh": "等待补正", "en": "waiting"}}}
    assert clock_words(waiting, "en", _tr) == "waiting"
    assert clock_words({"clock": {"state": "suspended"}}, "zh", _tr) == "cases.clock_suspended"
    assert days_left(waiting) is None and warning_of(overdue) is None
    assert warning_of({"clock": {"warning": "red"}}) == "red"


def test_names_fall_back_to_the_other_language_then_the_code() -> None:
    assert pick({"zh": "补发", "en": ""}, "en") == "补发"
    assert pick(None, "en", "BDC-BF-001") == "BDC-BF-001"


def _joint(status: str, second_received: bool) -> dict:
    """A bdc 联办件 with co-departments scjg (step 1, done) and mz (step 2)."""
    at = "2026-09-15T10:00:00+08:00"
    steps = [
        {"seq": 0, "role": "lead", "department": "bdc", "received_at": at, "done_at": None},
        {"seq": 1, "role": "co", "department": "scjg", "received_at": at, "done_at": at},
        {
            "seq": 2,
            "role": "co",
            "department": "mz",
            "received_at": at if second_received else None,
            "done_at": None,
        },
    ]
    return {"status": status, "kind": "联办件", "department": "bdc", "steps": steps}


@pytest.mark.parametrize(
    ("status", "received", "departments", "offered"),
    [
        ("accepted", True, {"mz"}, ["step"]),  # mz holds the case now
        ("suspended", True, {"mz"}, ["step"]),
        ("accepted", True, {"scjg"}, []),  # its step is done
        ("accepted", True, {"bdc"}, []),  # the lead finishes the case, not a step
        ("accepted", False, {"mz"}, []),  # not its turn yet
        ("received", True, {"mz"}, []),  # not accepted by the lead yet
    ],
)
def test_the_step_is_offered_to_the_department_holding_it(
    status: str, received: bool, departments: set[str], offered: list[str]
) -> None:
    case = _joint(status, received)
    assert step_actions(case, departments) == offered
    if offered:
        assert body_of("step", case, {"note": " 已核查 "}) == {"seq": 2, "note": "已核查"}


@pytest.mark.parametrize(
    ("status", "upper_done", "offered"),
    [
        ("accepted", None, ["report_up"]),  # no step up yet
        ("accepted", False, ["answered"]),
        ("suspended", False, ["answered"]),
        ("accepted", True, ["report_up"]),  # answered: may go up again
        ("received", None, []),
    ],
)
def test_a_reported_case_offers_report_up_then_answered(
    status: str, upper_done: bool | None, offered: list[str]
) -> None:
    steps = []
    if upper_done is not None:
        done = "2026-09-16T10:00:00+08:00" if upper_done else None
        steps = [{"seq": 1, "role": "upper", "department": "县民政局", "done_at": done}]
    case = {"status": status, "kind": "上报件", "department": "bdc", "steps": steps}
    assert step_actions(case, {"bdc"}) == offered
    assert step_actions(case, {"scjg"}) == []  # another department's case
    assert missing_inputs("report_up", case, {}) == ["to"]
