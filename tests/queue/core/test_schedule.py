"""Issuing hours and business days, with explicit moments (no wall clock)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hall.config import HallConfig
from hall.queue.core.schedule import Schedule
from tests.support import hall_config

TZ = ZoneInfo("Asia/Shanghai")


def schedule(**hours) -> Schedule:
    cfg = hall_config()
    cfg["hall"]["hours"] = {
        "open": "09:00",
        "close": "17:00",
        "lunch_break": {"start": "12:00", "end": "13:30"},
        "extended": {"weekdays": [4], "close": "19:00"},
        "closed_dates": [dt.date(2026, 10, 1)],
        "open_dates": [dt.date(2026, 10, 10)],
        **hours,
    }
    return Schedule(HallConfig.model_validate(cfg))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def sched() -> Schedule:
    return schedule()


def daytime(s: Schedule):
    return s.config.service("daytime")


def test_business_day_starts_at_reset_time(sched: Schedule) -> None:
    assert sched.business_day(at(2026, 11, 24, 2, 59)) == dt.date(2026, 11, 23)
    assert sched.business_day(at(2026, 11, 24, 3, 0)) == dt.date(2026, 11, 24)
    # An aware UTC moment is converted to the hall's zone first.
    utc = dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.UTC)  # 03:30 in Shanghai
    assert sched.business_day(utc) == dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("moment", "accepting", "code"),
    [
        (at(2026, 11, 23, 9, 0), True, None),  # Monday opening
        (at(2026, 11, 23, 8, 59), False, "outside_hours"),
        (at(2026, 11, 23, 12, 30), False, "lunch_break"),
        (at(2026, 11, 23, 13, 30), True, None),
        (at(2026, 11, 23, 17, 0), False, "outside_hours"),
        (at(2026, 11, 26, 18, 30), True, None),  # Thursday 延时服务 until 19:00
        (at(2026, 11, 28, 10, 0), False, "outside_hours"),  # Saturday
        (at(2026, 10, 1, 10, 0), False, "outside_hours"),  # holiday
        (at(2026, 10, 10, 10, 0), True, None),  # 调休 Saturday make-up day
    ],
)
def test_hall_hours(sched: Schedule, moment, accepting: bool, code) -> None:
    avail = sched.availability(daytime(sched), moment)
    assert avail.accepting is accepting
    assert avail.reason_code == code
    if not accepting:
        assert avail.next_open is not None and avail.next_open > moment
        assert avail.reason_zh and avail.reason_en


def test_next_opening_is_named(sched: Schedule) -> None:
    friday_evening = at(2026, 11, 27, 18, 0)
    avail = sched.availability(daytime(sched), friday_evening)
    assert avail.next_open == at(2026, 11, 30, 9, 0)  # Monday
    assert "11月30日(周一)09:00" in avail.reason_zh
    lunch = sched.availability(daytime(sched), at(2026, 11, 23, 12, 10))
    assert lunch.next_open == at(2026, 11, 23, 13, 30) and "今天13:30" in lunch.reason_zh


def test_always_service_ignores_hours(sched: Schedule) -> None:
    assert sched.availability(sched.config.service("general"), at(2026, 10, 1, 3, 0)).accepting


def test_weekend_open_and_no_lunch_break() -> None:
    s = schedule(weekend_open=True, lunch_break=None)
    assert s.availability(daytime(s), at(2026, 11, 28, 12, 30)).accepting


def test_the_period_a_moment_is_in_begins_at_the_opening_or_after_lunch(sched: Schedule) -> None:
    """空岗 alerts count a window's emptiness from the start of its service's period."""
    svc = daytime(sched)
    assert sched.period_start(svc, at(2026, 11, 23, 10, 15)) == at(2026, 11, 23, 9, 0)
    assert sched.period_start(svc, at(2026, 11, 23, 14, 0)) == at(2026, 11, 23, 13, 30)
    for closed in (at(2026, 11, 23, 12, 30), at(2026, 11, 23, 8, 0), at(2026, 10, 1, 10, 0)):
        assert sched.period_start(svc, closed) is None
    general = sched.config.service("general")  # 24 hours: its period is the business day
    assert sched.period_start(general, at(2026, 11, 24, 2, 0)) == at(2026, 11, 23, 3, 0)
    assert sched.period_start(general, at(2026, 11, 24, 10, 0)) == at(2026, 11, 24, 3, 0)
