"""联办件 and 上报件 steps on the caller's case screen, in real Kivy frames against a real daemon.

不动产登记中心 (bdc, windows 3 and 4, chief S003) leads a 联办件 with 市场监督管理局 (scjg,
window 1, chief S001) as its co-department: scjg's clerk finds it in 本部门办件 and marks
its step there (the lead is not offered that button). A 上报件 of bdc is reported up to
an office above and its answer recorded, each in a few taps.
"""

from __future__ import annotations

from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import by_id, idle_until, screenshot, tap
from tests.screens.caller.cases.support import (
    APPLICANT_ID,
    case_context,
    case_of,
    open_by_taps,
    serve_and_finish,
    signed_in,
)
from tests.screens.caller.cases.test_detail import _act, _action_ids, _from_list
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon


def _open_joint(root: CallerRoot, daemon: Daemon) -> str:
    """At window 3: a 联办件 of BDC-ZY-001 with scjg as co-department, opened by taps."""
    serve_and_finish(root, daemon, "联办件")
    tap(by_id(root, "choice-open-case"))
    tap(by_id(root, "matter-BDC-ZY-001"))
    tap(by_id(root, "co-scjg"))
    by_id(root, "case-name").text = "王五"
    by_id(root, "case-id-number").text = APPLICANT_ID
    tap(by_id(root, "case-all-present"))
    tap(by_id(root, "case-submit"))
    detail = root.cases.detail
    assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5), (
        root.cases.open_form.message
    )
    return detail.case["receipt"]


def test_the_co_department_marks_its_step_from_its_own_list(
    chief: CallerRoot, dept_daemon: Daemon
) -> None:
    daemon = dept_daemon
    signed_in(chief, "S003")
    receipt = _open_joint(chief, daemon)
    _act(chief, "accept")
    assert "act-finish" in _action_ids(chief)
    assert "act-step" not in _action_ids(chief)  # scjg's step: not the lead's to mark
    assert "联办环节1：市场监督管理局，办理中" in by_id(chief, "case-facts").text

    made = caller_of(daemon, 1, **case_context(daemon))  # scjg's window, its chief S001
    root = next(made)
    try:
        signed_in(root, "S001")
        _from_list(root, receipt)  # 本部门办件 of scjg lists the bdc case it works on
        assert _action_ids(root) == {"act-step"}  # a co-department does its step only
        screenshot("caller-case-joint-step")
        _act(root, "step", note="已核查营业执照")
        step = case_of(daemon, receipt)["steps"][1]
        assert (step["department"], step["note"]) == ("scjg", "已核查营业执照")
        assert step["done_at"] is not None
        assert _action_ids(root) == set()
        assert "联办环节1：市场监督管理局，已完成" in by_id(root, "case-facts").text
        assert root.cases.detail.message == "已完成：联办环节办结"
    finally:
        next(made, None)


def test_a_reported_case_is_sent_up_and_its_answer_recorded(
    chief: CallerRoot, dept_daemon: Daemon
) -> None:
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    serve_and_finish(root, daemon, "上报件")
    receipt = open_by_taps(root, "BDC-BF-001")["receipt"]
    assert not {"act-report_up", "act-answered"} & _action_ids(root)  # not accepted yet
    _act(root, "accept")
    assert "act-report_up" in _action_ids(root) and "act-answered" not in _action_ids(root)
    tap(by_id(root, "act-report_up"))
    assert by_id(root, "form-confirm").disabled  # 上级机关 first
    by_id(root, "input-to").text = "市不动产登记局"
    by_id(root, "input-note").text = "需上级审批"
    tap(by_id(root, "form-confirm"))
    assert idle_until(lambda: not root.cases.detail.busy, 5)
    assert not root.cases.detail.message_error, root.cases.detail.message
    up = case_of(daemon, receipt)["steps"][-1]
    assert (up["role"], up["department"], up["note"], up["done_at"]) == (
        "upper",
        "市不动产登记局",
        "需上级审批",
        None,
    )
    assert "已上报：市不动产登记局，待上级答复" in by_id(root, "case-facts").text
    assert "act-answered" in _action_ids(root) and "act-report_up" not in _action_ids(root)
    screenshot("caller-case-reported")
    _act(root, "answered", note="同意")
    back = case_of(daemon, receipt)
    assert back["steps"][-1]["done_at"] is not None and back["steps"][-1]["note"] == "同意"
    assert [h["action"] for h in back["history"]][-2:] == ["report_up", "answered"]
    assert "已上报：市不动产登记局，上级已答复" in by_id(root, "case-facts").text
    root.switch_language()
    assert "Reported up to 市不动产登记局: answered" in by_id(root, "case-facts").text
