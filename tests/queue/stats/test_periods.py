"""Periods: quarter and year buckets, report periods by name, their words."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.queue.core.domain import QueueError
from hall.queue.stats.periods import Period, bucket_start, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("day", "period", "start"),
    [
        (D(2026, 12, 31), "quarter", D(2026, 10, 1)),
        (D(2026, 10, 1), "quarter", D(2026, 10, 1)),
        (D(2026, 9, 30), "quarter", D(2026, 7, 1)),
        (D(2026, 3, 31), "quarter", D(2026, 1, 1)),
        (D(2026, 6, 30), "year", D(2026, 1, 1)),
        (D(2026, 10, 7), "week", D(2026, 10, 5)),  # 2026-10-05 is a Monday
        (D(2026, 10, 7), "month", D(2026, 10, 1)),
        (D(2026, 10, 7), "day", D(2026, 10, 7)),
    ],
)
def test_bucket_start(day: dt.date, period: str, start: dt.date) -> None:
    assert bucket_start(day, period) == start


def test_a_whole_range_is_one_bucket_labelled_by_its_first_day() -> None:
    assert bucket_start(D(2026, 12, 30), "whole", D(2026, 11, 15)) == D(2026, 11, 15)


def test_periods_by_name() -> None:
    q4 = parse_period("2026Q4")
    assert (q4.kind, q4.start, q4.end) == ("quarter", D(2026, 10, 1), D(2026, 12, 31))
    assert (q4.zh, q4.en, q4.chart_period) == ("2026年第四季度", "Q4 2026", "month")
    feb = parse_period(" 2028-02 ")  # 2028 is a leap year
    assert (feb.code, feb.end, feb.zh, feb.en) == (
        "2028-02",
        D(2028, 2, 29),
        "2028年2月",
        "February 2028",
    )
    assert feb.chart_period == "week"
    year = parse_period("2026")
    assert (year.start, year.end, year.zh) == (D(2026, 1, 1), D(2026, 12, 31), "2026年度")
    assert parse_period("2026q1").code == "2026Q1"


def test_a_range_as_a_period() -> None:
    two_weeks = Period.of_range(D(2026, 5, 1), D(2026, 5, 14))
    assert (two_weeks.kind, two_weeks.zh, two_weeks.chart_period) == (
        "range",
        "2026-05-01至2026-05-14",
        "day",
    )
    assert Period.of_range(D(2026, 4, 1), D(2026, 6, 30)).chart_period == "week"  # 91 days
    assert Period.of_range(D(2026, 1, 1), D(2026, 6, 30)).chart_period == "month"


@pytest.mark.parametrize("bad", ["", "2026Q0", "2026-00", "2026-1", "2100", "2026/10", "x"])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(QueueError) as caught:
        parse_period(bad)
    assert caught.value.status == 422 and caught.value.code == "bad_period"
