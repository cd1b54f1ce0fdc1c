"""The queue daemon (HallDaemon) in-process with a settable clock: daily reset and day change."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hall.config import HallConfig
from hall.queue.core.daemon import HallDaemon
from hall.queue.core.domain import QueueError
from hall.queue.tickets import issuing
from tests.support import hall_config

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, when: dt.datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, when: dt.datetime) -> None:
        self.now = when.timestamp()


@pytest.fixture
def service(tmp_path):
    clock = Clock(dt.datetime(2026, 11, 23, 22, 0, tzinfo=TZ))
    cfg = hall_config()
    cfg["hall"]["hours"]["closed_dates"] = []  # this test sets its own days
    svc = HallDaemon(HallConfig.model_validate(cfg), str(tmp_path), clock=clock)
    loop = asyncio.new_event_loop()
    svc.start(loop)
    yield svc, clock
    svc.stop()
    loop.close()


def issue(svc: HallDaemon, service: str = "general") -> dict:
    return svc.writer.call(lambda tx: issuing.issue(svc.ctx, tx, issuing.IssueRequest(service)))


def test_numbers_restart_at_reset_time_and_old_tickets_expire(service) -> None:
    svc, clock = service
    assert [issue(svc)["number"] for _ in range(2)] == ["A001", "A002"]
    clock.set(dt.datetime(2026, 11, 24, 2, 59, tzinfo=TZ))  # still Monday's business day
    late = issue(svc)
    assert late["number"] == "A003" and late["day"] == "2026-11-23"
    clock.set(dt.datetime(2026, 11, 24, 3, 0, tzinfo=TZ))  # reset_time 03:00
    fresh = issue(svc)
    assert fresh["number"] == "A001" and fresh["day"] == "2026-11-24"
    cancelled = svc.writer.call(svc._expire_old_days)
    assert cancelled == 3  # yesterday's waiting tickets are cancelled, not carried over
    rows = svc.writer.call(
        lambda tx: tx.conn.exec_driver_sql(
            "SELECT number, status FROM tickets ORDER BY issued_at"
        ).fetchall()
    )
    assert [tuple(r) for r in rows] == [
        ("A001", "cancelled"),
        ("A002", "cancelled"),
        ("A003", "cancelled"),
        ("A001", "waiting"),
    ]


def test_daily_cap_counts_per_day(service) -> None:
    svc, clock = service
    for _ in range(3):
        issue(svc, "capped")
    with pytest.raises(QueueError) as err:
        issue(svc, "capped")
    assert err.value.code == "daily_cap_reached"
    clock.set(dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    assert issue(svc, "capped")["number"] == "D001"


def test_hall_hours_follow_the_clock(service) -> None:
    svc, clock = service
    clock.set(dt.datetime(2026, 11, 25, 10, 0, tzinfo=TZ))  # a Wednesday morning
    assert issue(svc, "daytime")["number"] == "E001"
    clock.set(dt.datetime(2026, 11, 25, 12, 15, tzinfo=TZ))
    with pytest.raises(QueueError) as err:
        issue(svc, "daytime")
    assert err.value.code == "lunch_break" and "13:30" in err.value.zh
