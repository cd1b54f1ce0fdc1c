"""Daily and monthly attendance reports (考勤报表) for managers.

A day's check-in is its earliest check-in record (every window opening writes
one: /staff/login and /attendance/checkin by id + PIN, a face terminal's
check-in, a manager's correction), its check-out the latest check-out record
(/staff/logout and /attendance/checkout). Only working days of the hall calendar
are judged; a record on a day off is listed but never makes anyone absent. A working
day of approved leave (hall/queue/supervision/leave.py, 请假) is ``leave``, not an
absence, with the kind of leave as its ``leave`` (a half-day's leave too), like a
manager's one-day leave record (POST /attendance/leave).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from hall.queue.attendance.records import classify
from hall.queue.core.context import Context
from hall.queue.core.tables.attendance import attendance_table
from hall.queue.core.writer import Tx
from hall.queue.supervision import leave


def _facts(
    ctx: Context, tx: Tx, first: dt.date, last: dt.date
) -> dict[tuple[str, str], dict[str, Any]]:
    """(staff, day) -> first check-in (time, method), last check-out, leave."""
    facts: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"in": None, "method": None, "out": None, "leave": None}
    )
    rows = tx.conn.execute(
        select(attendance_table)
        .where(
            attendance_table.c.day >= first.isoformat(), attendance_table.c.day <= last.isoformat()
        )
        .order_by(attendance_table.c.ts, attendance_table.c.id)
    )
    for r in rows:
        f = facts[r.staff_id, r.day]
        if r.kind == "checkin" and (f["in"] is None or r.ts < f["in"]):
            f["in"], f["method"] = r.ts, r.method
        elif r.kind == "checkout" and (f["out"] is None or r.ts > f["out"]):
            f["out"] = r.ts
        elif r.kind == "leave":
            f["leave"] = r.note or "leave"
    for (staff_id, day), kind in leave.approved_days(tx, first, last).items():
        if ctx.schedule.is_working_day(dt.date.fromisoformat(day)):  # a day off stays one
            f = facts[staff_id, day]
            f["leave"] = f["leave"] or kind
    return facts


def _row(
    ctx: Context, staff_id: str, day: dt.date, f: dict[str, Any], now: float
) -> dict[str, Any]:
    tz = ctx.config.hall.tz
    judged = classify(ctx.config.attendance, tz, day, f["in"], f["out"], bool(f["leave"]), now)
    if not ctx.schedule.is_working_day(day):
        judged["status"] = "day_off"

    def iso(ts: float | None) -> str | None:
        return (
            None if ts is None else dt.datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
        )

    return {
        "staff_id": staff_id,
        "day": day.isoformat(),
        "checkin": iso(f["in"]),
        "checkin_method": f["method"],
        "checkout": iso(f["out"]),
        "leave": f["leave"],
        **judged,
    }


def daily(ctx: Context, tx: Tx, day: dt.date) -> dict[str, Any]:
    """Every configured staff member's attendance on one day."""
    facts = _facts(ctx, tx, day, day)
    empty = {"in": None, "method": None, "out": None, "leave": None}
    rows = [
        _row(ctx, s.id, day, facts.get((s.id, day.isoformat()), empty), tx.now)
        for s in ctx.config.staff
    ]
    return {"day": day.isoformat(), "working_day": ctx.schedule.is_working_day(day), "staff": rows}


def monthly(ctx: Context, tx: Tx, year: int, month: int) -> dict[str, Any]:
    """Per staff member: counts by status over the month's days so far, and each day."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    today = dt.datetime.fromtimestamp(tx.now, ctx.config.hall.tz).date()
    last = min(last, today)
    facts = _facts(ctx, tx, first, last) if first <= last else {}
    empty = {"in": None, "method": None, "out": None, "leave": None}
    people = []
    for s in ctx.config.staff:
        days, counts = [], defaultdict(int)
        day = first
        while day <= last:
            f = facts.get((s.id, day.isoformat()), empty)
            if ctx.schedule.is_working_day(day) or f is not empty:
                row = _row(ctx, s.id, day, f, tx.now)
                counts[row["status"]] += 1
                days.append(
                    {k: row[k] for k in ("day", "status", "checkin", "checkout", "checkin_method")}
                )
            day += dt.timedelta(days=1)
        people.append({"staff_id": s.id, "name": s.name, "counts": dict(counts), "days": days})
    return {"month": f"{year:04d}-{month:02d}", "staff": people}


def period_counts(
    ctx: Context, tx: Tx, first: dt.date, last: dt.date, period: str
) -> list[dict[str, Any]]:
    """考勤 for statistics: per period bucket and staff member, days by status."""
    from hall.queue.stats.figures import bucket_start

    facts = _facts(ctx, tx, first, last) if first <= last else {}
    empty = {"in": None, "method": None, "out": None, "leave": None}
    out: dict[tuple[str, str], dict[str, int]] = {}
    for s in ctx.config.staff:
        day = first
        while day <= last:
            f = facts.get((s.id, day.isoformat()), empty)
            if ctx.schedule.is_working_day(day) or f is not empty:
                status = _row(ctx, s.id, day, f, tx.now)["status"]
                counts = out.setdefault((bucket_start(day, period).isoformat(), s.id), {})
                counts[status] = counts.get(status, 0) + 1
            day += dt.timedelta(days=1)
    return [{"bucket": b, "staff_id": sid, "days": c} for (b, sid), c in sorted(out.items())]
