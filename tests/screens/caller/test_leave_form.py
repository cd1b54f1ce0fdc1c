"""The caller's 请假 form without Kivy: half-days on the hall's calendar, stepping, the body.

Dates worked out by hand on the 2026 tables (hall/data/holidays/2026.yaml): National Day
10-01..10-07 off, Saturday 10-10 a make-up working day; 09-30 is a Wednesday.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hall.screens.caller.leave_form import LeaveDraft, days_text, request_line, working_halves
from hall.workdays import WorkCalendar

CAL = WorkCalendar.load()
D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "halves"),
    [
        ((D(2026, 9, 30), "am"), (D(2026, 9, 30), "am"), 1),  # Wed morning
        ((D(2026, 9, 29), "pm"), (D(2026, 9, 30), "am"), 2),  # Tue pm + Wed am: one day
        # Wed 09-30 pm to Sat 10-10 whole: 09-30 pm (1), 10-01..07 holiday, Thu 08 and
        # Fri 09 (4), the make-up Saturday 10 (2): 7 halves.
        ((D(2026, 9, 30), "pm"), (D(2026, 10, 10), "pm"), 7),
        ((D(2026, 10, 3), "am"), (D(2026, 10, 4), "pm"), 0),  # holiday only
    ],
)
def test_working_halves_count_the_hall_calendar(start, end, halves) -> None:
    assert working_halves(CAL, start, end) == halves


def test_the_days_step_from_today_and_the_end_never_before_the_start() -> None:
    draft = LeaveDraft(D(2026, 9, 28))  # Monday
    assert (draft.start_day, draft.end_day, draft.days(CAL)) == (D(2026, 9, 28),) * 2 + (1.0,)
    draft.step("start", -1)  # never before today
    assert draft.start_day == D(2026, 9, 28)
    draft.step("start", 2)  # Wed 09-30: the end follows
    assert draft.end_day == D(2026, 9, 30)
    draft.step("end", -1)  # not before the start
    assert draft.end_day == D(2026, 9, 30)
    draft.start_half, draft.end_half = "pm", "am"  # the same day, pm to am
    assert not draft.ordered() and draft.days(CAL) is None
    draft.end_half = "pm"
    for _ in range(10):
        draft.step("end", 1)  # to Sat 10-10, the make-up day
    assert draft.days(CAL) == 3.5  # 7 halves, worked out above
    assert draft.needs_cover(CAL, 3) and not draft.needs_cover(CAL, 4)
    assert not draft.needs_cover(None, 3)  # no calendar: the daemon decides
    draft.cover, draft.reason = " s004 ", " 探亲 "
    assert draft.body("S003") == {
        "staff_id": "S003",
        "start_day": "2026-09-30",
        "start_half": "pm",
        "end_day": "2026-10-10",
        "end_half": "pm",
        "kind": "事假",
        "reason": "探亲",
        "cover_staff": "S004",
    }


def test_a_request_in_words() -> None:
    def tr(key: str, **values: object) -> str:
        return key if not values else f"{key}{sorted(values.items())}"

    assert days_text(tr, 0.5) == "leave.half_day"
    row = {"staff_id": "S004", "name": "员工4", "kind": "病假", "days": 2.0, "status": "approved"}
    row |= {"start_day": "2026-09-29", "start_half": "am", "end_day": "2026-09-30"}
    row |= {"end_half": "pm", "cover_staff": "S003", "cover_name": "员工3"}
    line = request_line(tr, row, with_name=True)
    assert line.startswith("员工4  leave.span")
    assert "leave.kind_病假" in line and "leave.status_approved" in line
    assert "leave.cover_line[('name', '员工3')]" in line
