"""Working a case from the department's list, in real Kivy frames against a real daemon.

The chief opens a 承诺件 at window 3, then from 本部门办件 returns it for 补正 (every
missing item at once), records the supply, accepts and finishes it, marks it ready and
hands it over against the ID card on the window's reader. The chief is offered 延期 and
不予受理; a member of the department is not, and the daemon's refusal of either, and of
an action the status no longer allows, is shown in its own words in zh and en.
"""

from __future__ import annotations

import pytest

from hall.drivers.idreader import IdCardReader
from hall.kiosk.client import DaemonError
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
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon


def _act(root: CallerRoot, action: str, *choices: str, **typed: str) -> None:
    """Tap an action, then (if it asks first) its choices, the text typed, 确认; wait."""
    detail = root.cases.detail
    tap(by_id(root, f"act-{action}"))
    if detail.form is not None:
        for choice in choices:
            tap(by_id(root, choice))
        for key, text in typed.items():
            by_id(root, f"input-{key}").text = text
        tap(by_id(root, "form-confirm"))
    assert idle_until(lambda: not detail.busy, 5)
    assert not detail.message_error, detail.message


def _from_list(root: CallerRoot, receipt: str, filter_key: str = "all") -> None:
    """本部门办件 (or back to it), a filter, then the case's row."""
    listing = root.cases.listing
    if root.current == "panel":
        tap(by_id(root, "btn-cases"))
    elif root.current == "case-detail":
        tap(by_id(root, "case-back"))
    assert idle_until(lambda: root.current == "case-list" and not listing.busy, 5)
    tap(by_id(root, f"filter-{filter_key}"))
    assert idle_until(
        lambda: not listing.busy and any(c["receipt"] == receipt for c in listing.cases), 5
    )
    tap(by_id(root, f"case-{receipt}"))
    assert idle_until(lambda: root.current == "case-detail" and not root.cases.detail.busy, 5)


def test_the_chief_works_a_case_from_the_list_to_pickup(
    chief: CallerRoot, dept_daemon: Daemon, reader: IdCardReader
) -> None:
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    serve_and_finish(root, daemon, "承诺件")
    receipt = open_by_taps(root, "BDC-BF-001")["receipt"]
    tap(by_id(root, "case-back"))
    assert idle_until(lambda: root.current == "case-list" and not root.cases.listing.busy, 5)
    screenshot("caller-case-list")
    _from_list(root, receipt)
    assert _action_ids(root) == {"act-accept", "act-return", "act-reject"}  # 退件: 把关权
    _act(root, "return", "missing-遗失声明", "missing-申请人身份证明")
    case = case_of(daemon, receipt)
    assert (case["status"], sorted(case["missing"])) == ("returned", ["申请人身份证明", "遗失声明"])
    assert case["clock"]["state"] == "waiting"
    assert by_id(root, "case-clock").text == case["clock"]["why"]["zh"]
    assert root.cases.detail.notice_kind == "correction"
    _from_list(root, receipt, "returned")  # 待补正
    screenshot("caller-case-returned")
    _act(root, "supply")  # its note is optional: 确认 at once
    assert case_of(daemon, receipt)["status"] == "received"
    _act(root, "accept")
    assert case_of(daemon, receipt)["status"] == "accepted"
    assert {"act-extend", "act-reject", "act-suspend"} <= _action_ids(root)  # 延期: 把关权
    _act(root, "suspend", "reason-专家评审")
    case = case_of(daemon, receipt)
    assert (case["status"], case["clock"]["state"]) == ("suspended", "suspended")
    assert by_id(root, "case-clock").text == case["clock"]["why"]["zh"]  # stopped, and why
    _act(root, "resume")
    _act(root, "extend", "days-5", reason="需现场核查")
    # Returned and supplied on 06-02: the limit counts afresh from the next working day,
    # so still 2026-07-02 (worked out in test_open_form); suspended and resumed on 06-02,
    # a closed day of the test hall (no working day used); plus 5 working days: July 3
    # (Fri), 6, 7, 8, 9.
    case = case_of(daemon, receipt)
    assert (case["extension"], case["clock"]["promised_date"]) == (
        {"days": 5, "reason": "需现场核查"},
        "2026-07-09",
    )
    assert "2026-07-09" in by_id(root, "case-clock").text
    assert root.cases.detail.notice_kind == "extension"
    _act(root, "finish")
    assert case_of(daemon, receipt)["status"] == "finished"
    _act(root, "ready")
    assert case_of(daemon, receipt)["status"] == "ready"
    tap(by_id(root, "act-deliver"))
    tap(by_id(root, "by-window"))
    reader.feed(f"{APPLICANT_ID},张三\r\n".encode())  # the collector's card
    assert idle_until(lambda: by_id(root, "input-id_number").text == APPLICANT_ID, 5)
    screenshot("caller-case-deliver")
    tap(by_id(root, "form-confirm"))
    assert idle_until(lambda: not root.cases.detail.busy, 5)
    assert not root.cases.detail.message_error, root.cases.detail.message
    case = case_of(daemon, receipt)
    assert (case["status"], case["delivery"]["by"]) == ("delivered", "window")
    assert _action_ids(root) == set()  # nothing left to do


def _action_ids(root: CallerRoot) -> set[str]:
    return {w.hall_id for w in by_id(root, "case-actions").children}


def test_a_member_is_not_offered_gatekeeping_and_refusals_are_shown_as_worded(
    dept_daemon: Daemon,
) -> None:
    daemon = dept_daemon
    made = caller_of(daemon, 4, **case_context(daemon))
    root = next(made)
    try:
        signed_in(root, "S004")
        serve_and_finish(root, daemon, "承诺件")
        receipt = open_by_taps(root, "BDC-BF-001")["receipt"]
        detail = root.cases.detail
        assert idle_until(lambda: "act-accept" in _action_ids(root), 3)
        assert not {"act-extend", "act-reject"} & _action_ids(root)  # 即办权 only
        _act(root, "accept")
        assert "act-finish" in _action_ids(root)
        assert not {"act-extend", "act-reject"} & _action_ids(root)
        with pytest.raises(DaemonError) as refused:  # what the daemon says to this clerk
            root.ctx.client.case_action(receipt, "extend", {"days": 5, "reason": "需现场核查"})
        assert refused.value.status == 403
        detail.act("extend", {"days": "5", "reason": "需现场核查"})  # as a stale button would
        assert idle_until(lambda: not detail.busy, 5)
        assert detail.message_error and detail.message == refused.value.message
        root.switch_language()  # what the panel's 中/EN button does
        assert detail.message == refused.value.message_en
        root.switch_language()
        detail.act("accept", {})  # accepted already: 409, in the daemon's words
        assert idle_until(lambda: not detail.busy, 5)
        with pytest.raises(DaemonError) as conflict:
            root.ctx.client.case_action(receipt, "accept", {})
        assert conflict.value.status == 409
        assert detail.message_error and detail.message == conflict.value.message
        screenshot("caller-case-refused")
        assert case_of(daemon, receipt)["status"] == "accepted"
    finally:
        next(made, None)
