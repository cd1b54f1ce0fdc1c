"""限时办结 clock: dates worked out by hand on the 2026 calendar around National Day.

The 2026 table (hall/data/holidays/2026.yaml) around National Day, with the weekdays
(2026-01-01 is a Thursday, so 2026-10-01, 273 = 39 x 7 days later, is one too):

    Mon 09-14 .. Fri 09-18  working          Sat 09-19 off
    Sun 09-20  MAKE-UP working day (国庆节)
    Mon 09-21 .. Thu 09-24  working
    Fri 09-25 .. Sun 09-27  off (中秋节)
    Mon 09-28 .. Wed 09-30  working
    Thu 10-01 .. Wed 10-07  off (国庆节)
    Thu 10-08, Fri 10-09    working
    Sat 10-10  MAKE-UP working day (国庆节)  Sun 10-11 off
    Mon 10-12 .. Fri 10-16  working

Every expected date below is counted by hand on this table in the comment above it,
never with the calendar under test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hall.queue.cases.deadline import Clock, ClockError, ClockEvent, compute_clock
from hall.workdays import WorkCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def ev(kind: str, month: int, day: int, **kw) -> ClockEvent:
    """An event of ``kind`` on 2026-``month``-``day``."""
    return ClockEvent(kind, D(2026, month, day), **kw)


def clock(cal: WorkCalendar, received: dt.date, limit: int, events, today, yellow=2) -> Clock:
    return compute_clock(cal, received, limit, events, today=today, yellow_days=yellow)


def test_the_table_is_as_the_comment_says(cal: WorkCalendar) -> None:
    # Guards the hand computations: if the table changes, they must be redone.
    assert D(2026, 10, 1).isoweekday() == 4 and D(2026, 9, 20).isoweekday() == 7
    assert cal.is_working_day(D(2026, 9, 20)) and cal.is_working_day(D(2026, 10, 10))
    assert not any(cal.is_working_day(D(2026, 9, d)) for d in (19, 25, 26, 27))
    assert not any(cal.is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert not cal.is_working_day(D(2026, 10, 11))


def test_promised_across_national_day(cal: WorkCalendar) -> None:
    # Received Mon 09-28, 5 days: 09-29 (1), 09-30 (2), [10-01..10-07 off], 10-08 (3),
    # 10-09 (4), Sat 10-10 make-up (5) -> 2026-10-10.
    c = clock(cal, D(2026, 9, 28), 5, [], today=D(2026, 9, 28))
    assert c.promised == D(2026, 10, 10)
    assert (c.used, c.left, c.state, c.warning) == (0, 5, "running", None)
    # The day of receipt is not counted; on 10-05 (holiday) 09-29 and 09-30 are used.
    c = clock(cal, D(2026, 9, 28), 5, [], today=D(2026, 10, 5))
    assert (c.used, c.left) == (2, 3)


def test_friday_receipt_counts_the_make_up_sunday(cal: WorkCalendar) -> None:
    # Received Fri 09-18, 3 days: Sat 09-19 off, Sun 09-20 make-up (1), 09-21 (2), 09-22 (3).
    c = clock(cal, D(2026, 9, 18), 3, [], today=D(2026, 9, 18))
    assert c.promised == D(2026, 9, 22)


def test_yellow_and_red(cal: WorkCalendar) -> None:
    # Received 09-28, 5 days, promised Sat 10-10 (above); yellow at 2 days or fewer left.
    # today 09-29: used 1 (09-29), left 4 -> none.
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 9, 29)).warning is None
    # today 10-07 (holiday): used 2 (09-29, 09-30), left 3 -> none.
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 7)).warning is None
    # today 10-08: used 3, left 2 -> yellow.
    c = clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 8))
    assert (c.used, c.left, c.warning) == (3, 2, "yellow")
    # today 10-10, the promised day: used 5, left 0 -> still yellow, not yet overdue.
    c = clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 10))
    assert (c.used, c.left, c.warning) == (5, 0, "yellow")
    # today Sun 10-11: no working day since, left 0, but the promised day has passed -> red.
    c = clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 11))
    assert (c.used, c.left, c.warning) == (5, 0, "red")
    # today Mon 10-12: used 6, left -1 -> red.
    c = clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 12))
    assert (c.used, c.left, c.warning) == (6, -1, "red")
    # A threshold of 0: yellow only on the promised day itself.
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 9), yellow=0).warning is None
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 10), yellow=0).warning == "yellow"


def test_correction_stops_and_restarts_after_supply(cal: WorkCalendar) -> None:
    # Received Wed 09-23, 5 days. Without a return: 09-24 (1), [09-25..27 off], 09-28 (2),
    # 09-29 (3), 09-30 (4), 10-08 (5) -> it would be due 10-08.
    assert clock(cal, D(2026, 9, 23), 5, [], D(2026, 9, 23)).promised == D(2026, 10, 8)
    # Returned for 补正 on Thu 09-24: stopped; on 10-12 (long past 10-08) never red/yellow.
    events = [ev("return", 9, 24)]
    c = clock(cal, D(2026, 9, 23), 5, events, D(2026, 10, 12))
    assert (c.state, c.stopped, c.since, c.warning, c.promised) == (
        "waiting",
        True,
        D(2026, 9, 24),
        None,
        None,
    )
    # While it waits the whole limit is ahead: it counts again from the day after supply.
    assert (c.used, c.left) == (0, 5)
    # Supplied Sat 10-03 (a holiday, at a 24-hour kiosk): counting from the day after,
    # [10-04..10-07 off], 10-08 (1), 10-09 (2), Sat 10-10 make-up (3), 10-12 (4),
    # 10-13 (5) -> 2026-10-13.
    events.append(ev("supply", 10, 3))
    c = clock(cal, D(2026, 9, 23), 5, events, D(2026, 10, 3))
    assert (c.state, c.promised, c.used, c.left) == ("running", D(2026, 10, 13), 0, 5)
    # today 10-09: used 2 (10-08, 10-09), left 3.
    c = clock(cal, D(2026, 9, 23), 5, events, D(2026, 10, 9))
    assert (c.used, c.left, c.warning) == (2, 3, None)


def test_correction_after_days_used_counts_the_limit_afresh(cal: WorkCalendar) -> None:
    # Received 09-21, 3 days; 09-22 (1), 09-23 (2) used, returned 09-23; supplied Wed 09-30:
    # 从补全材料的次日起计算 -> [10-01..07 off] 10-08 (1), 10-09 (2), Sat 10-10 (3) -> 10-10.
    events = [ev("return", 9, 23), ev("supply", 9, 30)]
    c = clock(cal, D(2026, 9, 21), 3, events, D(2026, 9, 30))
    assert (c.promised, c.used, c.left) == (D(2026, 10, 10), 0, 3)


def test_suspension_is_not_counted_and_resumes_next_working_day(cal: WorkCalendar) -> None:
    # Received Tue 09-22, 10 days. Without a stop: 09-23 (1), 09-24 (2), [09-25..27 off],
    # 09-28 (3), 09-29 (4), 09-30 (5), 10-08 (6), 10-09 (7), 10-10 (8), 10-12 (9),
    # 10-13 (10) -> 10-13.
    assert clock(cal, D(2026, 9, 22), 10, [], D(2026, 9, 22)).promised == D(2026, 10, 13)
    # Suspended for a hearing on Tue 09-29 (that day counted): used 4, 6 left, stopped.
    events = [ev("suspend", 9, 29, reason="听证")]
    c = clock(cal, D(2026, 9, 22), 10, events, D(2026, 10, 9))
    assert (c.state, c.reason, c.used, c.left, c.promised, c.warning) == (
        "suspended",
        "听证",
        4,
        6,
        None,
        None,
    )
    # Resumed Fri 10-09: counting from the next working day, Sat 10-10 make-up (5),
    # 10-12 (6), 10-13 (7), 10-14 (8), 10-15 (9), 10-16 (10) -> 2026-10-16.
    events.append(ev("resume", 10, 9))
    c = clock(cal, D(2026, 9, 22), 10, events, D(2026, 10, 9))
    assert (c.state, c.promised, c.used, c.left) == ("running", D(2026, 10, 16), 4, 6)
    # today 10-14: used 4 + 4 (10-10, 10-12, 10-13, 10-14) = 8, left 2 -> yellow.
    c = clock(cal, D(2026, 9, 22), 10, events, D(2026, 10, 14))
    assert (c.used, c.left, c.warning) == (8, 2, "yellow")


def test_stopped_case_is_never_flagged(cal: WorkCalendar) -> None:
    # Received 09-28, 1 day: due 09-29. Suspended 09-29 (1 used, 0 left) for 现场勘查;
    # on 10-12 (promised long passed had it run) it is stopped, not red.
    events = [ev("suspend", 9, 29, reason="现场勘查")]
    c = clock(cal, D(2026, 9, 28), 1, events, D(2026, 10, 12))
    assert (c.used, c.left, c.warning, c.stopped) == (1, 0, None, True)


def test_extension_adds_working_days(cal: WorkCalendar) -> None:
    # The 补正 case above (promised 10-13), extended by 3 on 10-12: 10-14 (6), 10-15 (7),
    # 10-16 (8) -> 2026-10-16; on 10-13 used 5 (10-08, 10-09, 10-10, 10-12, 10-13), 3 left.
    events = [ev("return", 9, 24), ev("supply", 10, 3), ev("extend", 10, 12, days=3)]
    c = clock(cal, D(2026, 9, 23), 5, events, D(2026, 10, 13))
    assert (c.promised, c.limit, c.extended, c.used, c.left) == (D(2026, 10, 16), 8, 3, 5, 3)
    assert c.warning is None
    # Before the extension (today 10-09) the promised date was 10-13.
    assert clock(cal, D(2026, 9, 23), 5, events, D(2026, 10, 9)).promised == D(2026, 10, 13)


def test_finish_stops_the_clock_and_says_on_time(cal: WorkCalendar) -> None:
    # Received 09-28, 5 days, promised 10-10 (above). Finished 10-09: used 4 (09-29, 09-30,
    # 10-08, 10-09), on time; seen on 10-20 it is not red.
    c = clock(cal, D(2026, 9, 28), 5, [ev("finish", 10, 9)], D(2026, 10, 20))
    assert (c.state, c.used, c.on_time, c.warning, c.promised) == (
        "finished",
        4,
        True,
        None,
        D(2026, 10, 10),
    )
    # Finished Mon 10-12: used 6 of 5, late.
    c = clock(cal, D(2026, 9, 28), 5, [ev("finish", 10, 12)], D(2026, 10, 20))
    assert (c.used, c.left, c.on_time) == (6, -1, False)
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 10, 1)).on_time is None


def test_whole_counter_flow(cal: WorkCalendar) -> None:
    # The flow: 补正 -> supply -> accept -> extend -> finish, received Fri 09-18, 8 days.
    # Returned the same day (nothing used); supplied Sun 09-20 (a make-up working day, the
    # day itself not counted): 09-21 (1), 09-22 (2), 09-23 (3), 09-24 (4), [09-25..27 off],
    # 09-28 (5), 09-29 (6), 09-30 (7), [10-01..07 off], 10-08 (8) -> 2026-10-08.
    events = [ev("return", 9, 18), ev("supply", 9, 20)]
    assert clock(cal, D(2026, 9, 18), 8, events, D(2026, 9, 21)).promised == D(2026, 10, 8)
    # Suspended for 专家评审 Wed 09-30 (used 7), resumed Thu 10-08 (not counted): 10-09 (8).
    events += [ev("suspend", 9, 30, reason="专家评审"), ev("resume", 10, 8)]
    assert clock(cal, D(2026, 9, 18), 8, events, D(2026, 10, 8)).promised == D(2026, 10, 9)
    # Extended by 2 on 10-09: Sat 10-10 make-up (9), 10-12 (10) -> 2026-10-12.
    events.append(ev("extend", 10, 9, days=2))
    c = clock(cal, D(2026, 9, 18), 8, events, D(2026, 10, 10))
    assert (c.promised, c.used, c.left, c.warning) == (D(2026, 10, 12), 9, 1, "yellow")
    # Finished 10-12: used 10 of 10, on time.
    events.append(ev("finish", 10, 12))
    c = clock(cal, D(2026, 9, 18), 8, events, D(2026, 10, 30))
    assert (c.used, c.limit, c.on_time, c.warning) == (10, 10, True, None)


def test_events_after_today_are_not_yet_seen(cal: WorkCalendar) -> None:
    events = [ev("suspend", 9, 29, reason="公告")]
    assert clock(cal, D(2026, 9, 28), 5, events, D(2026, 9, 28)).state == "running"


def test_zero_day_limit_is_due_on_receipt(cal: WorkCalendar) -> None:
    c = clock(cal, D(2026, 10, 8), 0, [], D(2026, 10, 8))
    assert (c.promised, c.left) == (D(2026, 10, 8), 0)
    assert clock(cal, D(2026, 10, 8), 0, [], D(2026, 10, 9)).warning == "red"


@pytest.mark.parametrize(
    ("events", "words"),
    [
        ([ClockEvent("supply", D(2026, 9, 29))], "补正"),
        ([ClockEvent("resume", D(2026, 9, 29))], "suspended"),
        ([ClockEvent("return", D(2026, 9, 27))], "before"),
        ([ClockEvent("return", D(2026, 9, 30)), ClockEvent("supply", D(2026, 9, 29))], "order"),
        ([ClockEvent("suspend", D(2026, 9, 29), reason="听证")] * 2, "suspended"),
        (
            [ClockEvent("finish", D(2026, 9, 29)), ClockEvent("extend", D(2026, 9, 30), days=1)],
            "finished",
        ),
    ],
)
def test_impossible_histories_are_refused(cal: WorkCalendar, events, words) -> None:
    with pytest.raises(ClockError, match=words):
        clock(cal, D(2026, 9, 28), 5, events, D(2026, 10, 12))


@pytest.mark.parametrize(
    ("kind", "kw"),
    [("pause", {}), ("extend", {"days": 0}), ("suspend", {}), ("return", {"days": 2})],
)
def test_bad_events_are_refused(kind: str, kw: dict) -> None:
    with pytest.raises(ClockError):
        ClockEvent(kind, D(2026, 9, 28), **kw)


def test_today_before_receipt_and_negative_limit(cal: WorkCalendar) -> None:
    with pytest.raises(ClockError, match="today"):
        clock(cal, D(2026, 9, 28), 5, [], D(2026, 9, 27))
    with pytest.raises(ClockError, match="limit"):
        clock(cal, D(2026, 9, 28), -1, [], D(2026, 9, 28))
    with pytest.raises(ClockError, match="yellow_days"):
        clock(cal, D(2026, 9, 28), 5, [], D(2026, 9, 28), yellow=-1)


def test_why_in_both_languages(cal: WorkCalendar) -> None:
    waiting = clock(cal, D(2026, 9, 28), 5, [ev("return", 9, 29)], D(2026, 9, 30))
    assert "补正" in waiting.why_zh and "material" in waiting.why_en
    held = clock(cal, D(2026, 9, 28), 5, [ev("suspend", 9, 29, reason="听证")], D(2026, 9, 30))
    assert "听证" in held.why_zh and "hearing" in held.why_en
    assert clock(cal, D(2026, 9, 28), 5, [], D(2026, 9, 30)).why_zh == ""


def test_overdue_then_suspended_keeps_the_past_promised_day(cal: WorkCalendar) -> None:
    # Received 09-28, 1 day: due 09-29. Still running, suspended Fri 10-09: used 09-29,
    # 09-30, 10-08, 10-09 = 4. Resumed Mon 10-12 (not counted): 4 used of 1, the promised
    # day stays 09-29 and the case is red.
    events = [ev("suspend", 10, 9, reason="公告"), ev("resume", 10, 12)]
    c = clock(cal, D(2026, 9, 28), 1, events, D(2026, 10, 12))
    assert (c.promised, c.used, c.left, c.warning) == (D(2026, 9, 29), 4, -3, "red")
    # Extended by 5 the same day: limit 6, 2 left from 10-12: 10-13 (5), 10-14 (6) -> 10-14.
    events.append(ev("extend", 10, 12, days=5))
    c = clock(cal, D(2026, 9, 28), 1, events, D(2026, 10, 12))
    assert (c.promised, c.used, c.left, c.warning) == (D(2026, 10, 14), 4, 2, "yellow")


def test_resumed_on_a_holiday_counts_from_the_next_working_day(cal: WorkCalendar) -> None:
    # Received 09-22, 10 days, suspended 09-29 with 4 used (above); the expert review ends
    # on Sun 10-04 (a holiday): the next working day, Thu 10-08, is counted: 10-08 (5),
    # 10-09 (6), Sat 10-10 (7), 10-12 (8), 10-13 (9), 10-14 (10) -> 2026-10-14.
    events = [ev("suspend", 9, 29, reason="专家评审"), ev("resume", 10, 4)]
    c = clock(cal, D(2026, 9, 22), 10, events, D(2026, 10, 8))
    assert (c.promised, c.used, c.left) == (D(2026, 10, 14), 5, 5)


def test_counts_agree_with_the_calendar_day_by_day(cal: WorkCalendar) -> None:
    # The clock counts with a table of its own (speed); it must answer as the calendar's
    # day-by-day walk does, across the 2024-2025 year end and the 调休 days of 2025-2026.
    from hall.queue.cases.deadline import _days

    days = _days(cal)
    start = D(2024, 12, 1)
    for offset in range(0, 720, 3):  # to 2026-11-20: answers stay in 2026
        day = start + dt.timedelta(days=offset)
        for n in (0, 1, 2, 5, 8, 20):
            assert days.add(day, n) == cal.add_working_days(day, n), (day, n)
        other = day + dt.timedelta(days=offset % 47 - 10)
        assert days.between(day, other) == cal.working_days_between(day, other), (day, other)


def test_a_year_beyond_the_next_without_a_table_is_an_error(cal: WorkCalendar) -> None:
    # Received 2026-12-20 with 300 days: 2027 is counted provisionally (Monday to Friday,
    # 261 days), which leaves the promised day in 2028, two years past the last table.
    from hall.workdays import CalendarError

    with pytest.raises(CalendarError, match="2028"):
        clock(cal, D(2026, 12, 20), 300, [], D(2026, 12, 21))


def test_finished_while_stopped_has_no_promised_day(cal: WorkCalendar) -> None:
    # Received 09-22, 10 days, suspended 09-29 with 4 used (above) and finished (a refusal
    # after the hearing, say) on 10-09 while still suspended: 4 used, on time; the promised
    # day of 10-13 it had before the stop was never in force after it.
    events = [ev("suspend", 9, 29, reason="听证"), ev("finish", 10, 9)]
    c = clock(cal, D(2026, 9, 22), 10, events, D(2026, 10, 20))
    assert (c.state, c.used, c.on_time, c.promised, c.warning) == (
        "finished",
        4,
        True,
        None,
        None,
    )


def test_a_december_case_counts_into_the_year_without_a_table_provisionally(
    cal: WorkCalendar,
) -> None:
    # Received Thu 2026-12-03, 25 working days. December 2026 has no holiday and no
    # make-up day: 12-04 is day 1, 12-07..11 days 2-6, 12-14..18 7-11, 12-21..25 12-16,
    # 12-28..31 17-20. 2027 has no table yet (the State Council publishes it late), so it
    # is counted Monday to Friday: 01-01 (Fri) day 21, 01-04..07 days 22-25 -> 2027-01-07.
    c = clock(cal, D(2026, 12, 3), 25, [], today=D(2026, 12, 3))
    assert c.promised == D(2027, 1, 7) and c.provisional
    assert c.used == 0 and c.left == 25 and c.warning is None
    # On 2027-01-05 (Tue): 20 days in 2026 + 01-01, 01-04, 01-05 = 23 used, 2 left: yellow.
    late = clock(cal, D(2026, 12, 3), 25, [], today=D(2027, 1, 5))
    assert (late.used, late.left, late.warning) == (23, 2, "yellow")
    # A case all inside the tables is not provisional.
    assert not clock(cal, D(2026, 12, 3), 5, [], today=D(2026, 12, 3)).provisional
