"""What the register stores of a clock: the first 黄牌 day, worked out on the 2026 tables."""

from __future__ import annotations

import datetime as dt

from hall.queue.cases import case_clock
from hall.workdays import WorkCalendar

D = dt.date


def test_the_first_yellow_day_counts_back_working_days() -> None:
    cal = WorkCalendar.load()
    # Promised Mon 10-12, two days: Sun 10-11 off, Sat 10-10 a make-up day (1), Fri 10-09 (2).
    assert case_clock.yellow_on(cal, D(2026, 10, 12), 2) == D(2026, 10, 9)
    # Promised Thu 10-08: 10-01..10-07 National Day, Wed 09-30 (1), Tue 09-29 (2).
    assert case_clock.yellow_on(cal, D(2026, 10, 8), 2) == D(2026, 9, 29)
    assert case_clock.yellow_on(cal, D(2026, 10, 8), 0) == D(2026, 10, 8)
    # Promised Mon 09-21: Sun 09-20 a make-up day (1).
    assert case_clock.yellow_on(cal, D(2026, 9, 21), 1) == D(2026, 9, 20)


def test_a_clock_past_the_tables_is_shown_without_a_date() -> None:
    view = case_clock.as_view(None)
    assert view["promised_date"] is None and view["reason"] == "no_calendar"
    assert view["why"]["zh"] and view["why"]["en"]
