"""The citizen's 办件查询 page for a counter case of the register: status and the clock in words."""

from __future__ import annotations

import datetime as dt

from tests.queue.cases.case_helpers import (
    APPLICANT_ID,
    case_body,
    move_to,
    register_config,
    served_ticket,
)
from tests.queue.web.pages.test_citizen_pages import EN, ZH, element, progress


def test_a_counter_case_shows_its_clock_running_then_stopped(make_daemon) -> None:
    d = make_daemon(register_config())
    # Mon 2026-09-14, SJ-SP-001 (5 working days): promised Sun 09-20 (a make-up day).
    move_to(d, dt.date(2026, 9, 14))
    clerk = d.staff("S001", 1)
    receipt = clerk.post("/cases", case_body(served_ticket(d, clerk, 1)["id"])).json()["receipt"]
    clerk.post(f"/cases/{receipt}/accept", {})
    # Thu 09-17: 15, 16, 17 used, 18 and 20 left.
    move_to(d, dt.date(2026, 9, 17))
    page = progress(d, receipt, APPLICANT_ID)
    assert page.status_code == 200
    assert element(page, "case-status") == "已受理（办理中）"
    assert element(page, "case-promised") == "2026-09-20"
    assert element(page, "case-clock") == ZH["clock_running"].format(used=3, left=2, limit=5)
    clerk = d.staff("S001", 1)
    clerk.post(f"/cases/{receipt}/suspend", {"reason": "现场勘查"})
    english = progress(d, receipt, APPLICANT_ID, lang="en")
    # Suspended on Thu 09-17, a working day: it counts, so 3 days stay used.
    assert element(english, "case-status") == "Suspended"
    assert element(english, "case-clock") == EN["clock_stopped"].format(
        why="suspended for site inspection (not counted in the time limit)", since="2026-09-17"
    )
    assert APPLICANT_ID not in page.text and APPLICANT_ID not in english.text
