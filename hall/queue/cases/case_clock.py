"""A register case's 限时办结 clock, from its stored history, and what the row keeps of it.

The clock itself is :func:`hall.queue.cases.deadline.compute_clock` (pure); this module
reads the case's clock events back from ``case_events`` (return, supply, suspend,
resume, extend, finish, and reject, which ends the clock as a finish does) and turns
the result into the row's columns, so that listings of 黄牌/红牌 are indexed queries:
``promised_date`` (red from the day after it), ``yellow_on`` (the first day of 黄牌:
``yellow_days`` working days before the promised date), ``used_days``/``on_time`` at
the end. A case whose dates run past the hall's holiday tables (a December case with
next year's table not yet published) keeps no promised date and says why.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import bindparam, select

from hall.queue.cases import case_rules, deadline
from hall.queue.core.tables.cases import case_events_table
from hall.workdays import CalendarError, WorkCalendar

log = logging.getLogger(__name__)

E = case_events_table
_EVENTS = select(E).where(E.c.receipt == bindparam("r")).order_by(E.c.id)


def events(conn: Any, receipt: str) -> list[Any]:
    """Every event of a case, in order."""
    return list(conn.execute(_EVENTS, {"r": receipt}))


def clock_events(rows: list[Any]) -> list[deadline.ClockEvent]:
    """The clock's events among a case's history (in order)."""
    out = []
    for ev in rows:
        kind = case_rules.CLOCK_KINDS.get(ev.action)
        if ev.action == "open" and json.loads(ev.detail).get("missing"):
            kind = "return"  # opened with mandatory materials missing: 补正 from day one
        if kind is None:
            continue
        detail = json.loads(ev.detail)
        out.append(
            deadline.ClockEvent(
                kind,
                dt.date.fromisoformat(ev.day),
                reason=str(detail.get("reason", "")) if kind == "suspend" else "",
                days=int(detail.get("days", 0)) if kind == "extend" else 0,
            )
        )
    return out


def compute(
    calendar: WorkCalendar, row: Any, rows: list[Any], today: dt.date, yellow_days: int
) -> deadline.Clock | None:
    """The clock of the case on ``today``; None when the holiday tables do not reach."""
    received = dt.date.fromisoformat(row.received_on)
    try:
        return deadline.compute_clock(
            calendar,
            received,
            row.limit_days,
            clock_events(rows),
            today=max(today, received),
            yellow_days=yellow_days,
        )
    except (CalendarError, deadline.ClockError) as exc:  # ClockError: the clock went back
        log.warning("case %s: no promised date: %s", row.receipt, exc)
        return None


def yellow_on(calendar: WorkCalendar, promised: dt.date, yellow_days: int) -> dt.date:
    """The first day of 黄牌: the working day ``yellow_days`` working days before ``promised``.

    On that day ``yellow_days`` working days are left (deadline's rule); the days off
    before it leave as many days as the working day before them.
    """
    day, n = promised, yellow_days
    try:
        while n:
            day -= dt.timedelta(days=1)
            if calendar.is_working_day_provisional(day):
                n -= 1
    except CalendarError:
        return promised
    return day


def columns(calendar: WorkCalendar, clock: deadline.Clock | None, yellow_days: int) -> dict:
    """What the row keeps of a clock (see the table's comments)."""
    if clock is None:
        return {
            "clock_state": deadline.RUNNING,
            "clock_reason": "no_calendar",
            "clock_since": None,
            "promised_date": None,
            "yellow_on": None,
        }
    running = clock.state == deadline.RUNNING
    values: dict[str, Any] = {
        "clock_state": clock.state,
        "clock_reason": clock.reason,
        "clock_since": clock.since.isoformat() if clock.since else None,
        "promised_date": clock.promised.isoformat() if clock.promised else None,
        "yellow_on": (
            yellow_on(calendar, clock.promised, yellow_days).isoformat()
            if running and clock.promised
            else None
        ),
        "extended_days": clock.extended,
    }
    if clock.state == deadline.FINISHED:
        values["used_days"] = clock.used
        values["on_time"] = int(bool(clock.on_time))
    return values


def as_view(clock: deadline.Clock | None) -> dict[str, Any]:
    """The view's ``clock``: used, left, promised date, stopped since and why, zh/en."""
    if clock is None:
        return {
            "state": deadline.RUNNING,
            "used": None,
            "left": None,
            "limit": None,
            "extended": 0,
            "promised_date": None,
            "since": None,
            "reason": "no_calendar",
            "warning": None,
            "provisional": False,
            "why": {
                "zh": "节假日表未覆盖，暂无法计算承诺日期",
                "en": "the holiday tables do not reach the promised date yet",
            },
        }
    return {
        "state": clock.state,
        "used": clock.used,
        "left": clock.left,
        "limit": clock.limit,
        "extended": clock.extended,
        "promised_date": clock.promised.isoformat() if clock.promised else None,
        "since": clock.since.isoformat() if clock.since else None,
        "reason": clock.reason,
        "warning": clock.warning,
        # Counted into the year after the last holiday table, Monday to Friday (deadline.py).
        "provisional": clock.provisional,
        "why": {"zh": clock.why_zh, "en": clock.why_en},
    }
