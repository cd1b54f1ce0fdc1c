"""登记办件 at 办结 on the caller panel, in real Kivy frames against a real daemon.

The chief of 不动产登记中心 serves a ticket at window 3, finishes it as 承诺件 and opens
the case in a few taps: the matter, the applicant from the window's ID card reader,
every material handed in; the receipt and the promised date show at once. Leaving the
form (or declining the offer) keeps the ticket finished and opens no case.
"""

from __future__ import annotations

import pytest

from hall.drivers.idreader import IdCardReader
from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import by_id, idle_until, screenshot, tap
from tests.screens.caller.cases.support import (
    APPLICANT_ID,
    MANAGER,
    case_context,
    case_of,
    serve_and_finish,
    signed_in,
)
from tests.screens.caller.test_panel import caller_of, ticket
from tests.support import Daemon


def test_a_promised_case_is_opened_from_the_served_ticket_in_a_few_taps(
    chief: CallerRoot, dept_daemon: Daemon, reader: IdCardReader
) -> None:
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    ticket_id = serve_and_finish(root, daemon, "承诺件")
    assert ticket(daemon, ticket_id)["status"] == "finished"  # finished before any form
    assert idle_until(lambda: by_id(root, "choice-sheet"), 3)
    assert "C001" in by_id(root, "choice-sheet").title
    screenshot("caller-case-offer")
    tap(by_id(root, "choice-open-case"))
    assert root.current == "case-open"
    assert "C001" in by_id(root, "case-open-title").text
    tap(by_id(root, "matter-BDC-BF-001"))  # the department has two matters
    reader.feed(f"{APPLICANT_ID},张三\r\n".encode())  # the reader's thread in real life
    assert idle_until(lambda: by_id(root, "case-id-number").text == APPLICANT_ID, 5)
    assert by_id(root, "case-name").text == "张三"
    tap(by_id(root, "case-all-present"))
    screenshot("caller-case-open")
    tap(by_id(root, "case-submit"))
    detail = root.cases.detail
    assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5), (
        root.cases.open_form.message
    )
    receipt = detail.case["receipt"]
    # BDC-BF-001 promises 20 working days; received Tue 2026-06-02, that day not counted,
    # and the test hall is closed on 06-03 (hall.hours.closed_dates: a day off there too):
    # June 4-5 (2), 8-12 (7), 15-18 (11), 19-21 端午 off, 22-26 (16), 29-30 (18), July 1-2 (20).
    opened = by_id(root, "case-opened").text
    assert receipt in opened and "2026-07-02" in opened, opened
    screenshot("caller-case-detail")
    case = case_of(daemon, receipt)
    assert (case["status"], case["kind"], case["matter"]) == ("received", "承诺件", "BDC-BF-001")
    assert (case["source"], case["window"], case["opened_by"]) == ("window", 3, "S003")
    assert case["applicant"]["name"] == "张三"
    assert case["applicant"]["id_number"] == APPLICANT_ID  # a manager's full view
    assert [m["present"] for m in case["materials"]] == [True] * 4
    assert (case["clock"]["promised_date"], case["department"]) == ("2026-07-02", "bdc")
    assert ticket(daemon, ticket_id)["case_type"] == "承诺件"


def test_a_mandatory_material_left_unticked_opens_the_case_for_correction(
    chief: CallerRoot, dept_daemon: Daemon
) -> None:
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    serve_and_finish(root, daemon, "承诺件")
    tap(by_id(root, "choice-open-case"))
    tap(by_id(root, "matter-BDC-BF-001"))
    by_id(root, "case-name").text = "李四"
    by_id(root, "case-id-number").text = APPLICANT_ID
    tap(by_id(root, "material-0"))  # 不动产登记申请书 only: 申请人身份证明, 遗失声明 missing
    tap(by_id(root, "case-submit"))
    detail = root.cases.detail
    assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5)
    case = case_of(daemon, detail.case["receipt"])
    assert case["status"] == "returned"
    assert set(case["missing"]) == {"申请人身份证明", "遗失声明"}
    assert case["clock"]["promised_date"] is None  # stopped until the materials come
    assert "遗失声明" in by_id(root, "case-facts").text
    assert detail.notice_kind == "correction"


def test_leaving_the_offer_or_the_form_keeps_the_finish_and_opens_nothing(
    chief: CallerRoot, dept_daemon: Daemon
) -> None:
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    first = serve_and_finish(root, daemon, "承诺件")
    tap(by_id(root, "choice-cancel"))  # no thanks, at the offer
    assert root.current == "panel"
    second = serve_and_finish(root, daemon, "联办件")
    tap(by_id(root, "choice-open-case"))
    tap(by_id(root, "case-cancel"))  # 不登记, from the form
    assert root.current == "panel"
    for ticket_id, kind in ((first, "承诺件"), (second, "联办件")):
        assert (ticket(daemon, ticket_id)["status"], ticket(daemon, ticket_id)["case_type"]) == (
            "finished",
            kind,
        )
    listed = daemon.api(MANAGER).get("/cases?department=bdc").json()
    assert (listed["cases"] if isinstance(listed, dict) else listed) == []
    serve_and_finish(root, daemon, "即办件")  # done at the counter: nothing offered
    assert not idle_until(lambda: root.panel._sheet is not None, 0.5)
    tap(by_id(root, "btn-call"))  # the panel goes on calling: nobody is left
    assert idle_until(lambda: "当前没有等候的号" in root.panel.message, 3)
    assert by_id(root, "btn-cases").text.startswith("本部门办件")


def test_a_window_of_no_department_offers_nothing(dept_daemon: Daemon) -> None:
    """Window 2 and S002 belong to no department: no 办件 button, no offer at 办结."""
    made = caller_of(dept_daemon, 2, **case_context(dept_daemon))
    root = next(made)
    try:
        signed_in(root, "S002")
        serve_and_finish(root, dept_daemon, "承诺件", service="general")
        assert not idle_until(lambda: root.panel._sheet is not None, 0.5)
        with pytest.raises(LookupError):
            by_id(root, "btn-cases")
    finally:
        next(made, None)


def test_a_joint_case_names_its_co_departments(chief: CallerRoot, dept_daemon: Daemon) -> None:
    """联办件: the other departments of the hall are offered as 联办部门, each gets a step."""
    root, daemon = chief, dept_daemon
    signed_in(root, "S003")
    serve_and_finish(root, daemon, "联办件")
    tap(by_id(root, "choice-open-case"))
    tap(by_id(root, "matter-BDC-ZY-001"))
    with pytest.raises(LookupError):
        by_id(root, "co-bdc")  # the window's own department leads; it is no co-department
    tap(by_id(root, "co-scjg"))
    assert by_id(root, "co-scjg").chosen
    by_id(root, "case-name").text = "王五"
    by_id(root, "case-id-number").text = APPLICANT_ID
    tap(by_id(root, "case-all-present"))
    screenshot("caller-case-open-joint")
    tap(by_id(root, "case-submit"))
    detail = root.cases.detail
    assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5), (
        root.cases.open_form.message
    )
    case = case_of(daemon, detail.case["receipt"])
    assert case["kind"] == "联办件"
    assert [(s["role"], s["department"]) for s in case["steps"]] == [
        ("lead", "bdc"),
        ("co", "scjg"),
    ]
