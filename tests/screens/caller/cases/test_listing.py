"""本部门办件 on the caller panel: rows by warning and status, the button's 黄牌 count.

A hall whose 黄牌 starts 20 working days ahead (``cases.yellow_days``) makes a fresh
BDC-BF-001 case (20 days) yellow at once, without moving any clock; a case opened
with a mandatory material missing waits for 补正 and is never yellow or red.
"""

from __future__ import annotations

from collections.abc import Callable

from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import by_id, idle_until, screenshot, tap
from tests.screens.caller.cases.support import (
    APPLICANT_ID,
    DEPARTMENTS,
    case_context,
    open_by_taps,
    serve_and_finish,
    signed_in,
)
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon, hall_config


def _show(root: CallerRoot, filter_key: str) -> list[str]:
    """Tap a filter; the receipts listed once the daemon answered."""
    listing = root.cases.listing
    tap(by_id(root, f"filter-{filter_key}"))
    assert idle_until(lambda: not listing.busy, 5)
    return [c["receipt"] for c in listing.cases]


def test_rows_carry_their_warning_and_the_button_counts_it(
    make_daemon: Callable[..., Daemon],
) -> None:
    daemon = make_daemon(hall_config(departments=DEPARTMENTS, cases={"yellow_days": 20}))
    made = caller_of(daemon, 3, **case_context(daemon))
    root = next(made)
    try:
        signed_in(root, "S003")
        serve_and_finish(root, daemon, "承诺件")
        yellow = open_by_taps(root, "BDC-BF-001")["receipt"]
        tap(by_id(root, "case-back"))
        serve_and_finish_from_list(root, daemon)
        tap(by_id(root, "choice-open-case"))
        tap(by_id(root, "matter-BDC-BF-001"))
        by_id(root, "case-name").text = "李四"
        by_id(root, "case-id-number").text = APPLICANT_ID
        tap(by_id(root, "case-submit"))  # no material ticked: 待补正
        detail = root.cases.detail
        assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5)
        waiting = detail.case["receipt"]
        tap(by_id(root, "case-back"))
        assert idle_until(lambda: not root.cases.listing.busy, 5)
        assert _show(root, "yellow") == [yellow]
        row = by_id(root, f"case-{yellow}")
        # 20 working days left: from 06-02 to the promised 2026-07-02 (see test_open_form).
        assert row.warning == "yellow" and "【黄牌·临近期限】" in row.text
        assert "剩余 20 个工作日" in row.text and "2026-07-02" in row.text
        screenshot("caller-case-list-yellow")
        assert _show(root, "returned") == [waiting]
        assert "停止计时" in by_id(root, f"case-{waiting}").text
        assert by_id(root, f"case-{waiting}").warning == ""
        assert _show(root, "red") == []
        assert by_id(root, "case-list-summary").text == "没有符合条件的办件"
        assert sorted(_show(root, "all")) == sorted([yellow, waiting])
        root.switch_language()
        assert "[YELLOW · due soon]" in by_id(root, f"case-{yellow}").text
        root.switch_language()
        tap(by_id(root, "case-list-back"))
        assert idle_until(lambda: "黄牌 1" in by_id(root, "btn-cases").text, 5)
        assert "红牌" not in by_id(root, "btn-cases").text
    finally:
        next(made, None)


def serve_and_finish_from_list(root: CallerRoot, daemon: Daemon) -> None:
    """From the list back to the panel, the next citizen served and finished as 承诺件."""
    tap(by_id(root, "case-list-back"))
    assert root.current == "panel"
    serve_and_finish(root, daemon, "承诺件")
