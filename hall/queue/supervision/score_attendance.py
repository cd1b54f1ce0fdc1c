"""考核 from 考勤: the late, early and absent days of every clerk over a period.

"无故迟到、早退、离岗的每次扣2分;旷工半天(含半天)扣5分". Every working day of the
hall calendar (ctx.calendar: holidays and 调休 make-up days) up to today is judged
with :func:`hall.queue.attendance.records.classify`, the daily report's own rule
(hall/queue/attendance/report.py): late, early (both: two lines) or absent (旷工: no
check-in, or more than ``absent_after_min`` late or early). A day with a leave record
or inside an *approved* leave request (leave_requests, even for half of it) is
leave, never absence. A line points at the day's first check-in record and counts
for the clerk and the window they checked in at; an absence has no record and
counts for the clerk only.

Two queries keep a quarter of 200 clerks cheap: one returns only the days whose
check-in or check-out is near or past the limits (with the first check-in's id and
window), one the days each clerk has a check-in or leave record, as one string per
clerk; :func:`classify` then judges only those candidate days.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from hall.config import parse_hhmm
from hall.queue.attendance.records import classify
from hall.queue.core.context import Context
from hall.queue.core.tables.attendance import attendance_table as att
from hall.queue.core.tables.supervision import leave_table
from hall.queue.supervision.score_lines import Line
from hall.workdays import CalendarError

#: Seconds of slack in the SQL pre-filter: classify() rounds to a tenth of a minute.
_SLACK_S = 60


def _working(ctx: Context, day: dt.date) -> bool:
    try:
        return ctx.calendar.is_working_day(day)
    except CalendarError:  # no holiday table for the year: the hall's own hours
        return ctx.schedule.is_working_day(day)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def approved_leave(conn: Connection, first: dt.date, last: dt.date) -> set[tuple[str, str]]:
    """(staff, day) inside an approved leave request (whole or half days alike)."""
    rows = conn.execute(
        select(leave_table.c.staff_id, leave_table.c.start_day, leave_table.c.end_day).where(
            leave_table.c.status == "approved",
            leave_table.c.start_day <= last.isoformat(),
            leave_table.c.end_day >= first.isoformat(),
        )
    )
    out: set[tuple[str, str]] = set()
    for staff, start, end in rows:
        lo, hi = max(first, dt.date.fromisoformat(start)), min(last, dt.date.fromisoformat(end))
        out.update((staff, d.isoformat()) for d in _days(lo, hi))
    return out


def _candidates(ctx: Context, conn: Connection, days: list[dt.date]) -> list:
    """Days with a check-in near or past the late limit or a check-out near the early one."""
    rules, tz = ctx.config.attendance, ctx.config.hall.tz
    start_t, end_t = parse_hhmm(rules.shift.start), parse_hhmm(rules.shift.end)
    late_at = case(
        *[
            (att.c.day == d.isoformat(), dt.datetime.combine(d, start_t, tz).timestamp())
            for d in days
        ]
    )
    early_at = case(
        *[(att.c.day == d.isoformat(), dt.datetime.combine(d, end_t, tz).timestamp()) for d in days]
    )
    cin = func.min(case((att.c.kind == "checkin", att.c.ts)))
    cout = func.max(case((att.c.kind == "checkout", att.c.ts)))
    leave = func.max(case((att.c.kind == "leave", 1), else_=0))
    facts = (
        select(
            att.c.staff_id,
            att.c.day,
            cin.label("cin"),
            cout.label("cout"),
            func.min(late_at).label("late_at"),
            func.min(early_at).label("early_at"),
        )
        .where(att.c.day.in_([d.isoformat() for d in days]))
        .group_by(att.c.staff_id, att.c.day)
        .having(
            leave == 0,
            cin.is_not(None),
            or_(
                cin > func.min(late_at) + rules.late_after_min * 60 - _SLACK_S,
                cout < func.min(early_at) - rules.early_before_min * 60 + _SLACK_S,
            ),
        )
        .subquery()
    )
    first_in = and_(
        att.c.staff_id == facts.c.staff_id,
        att.c.day == facts.c.day,
        att.c.kind == "checkin",
        att.c.ts == facts.c.cin,
    )
    return list(
        conn.execute(
            select(facts.c.staff_id, facts.c.day, facts.c.cin, facts.c.cout, att.c.id, att.c.window)
            .select_from(facts.join(att, first_in))
            .order_by(facts.c.staff_id, facts.c.day, att.c.id)
        )
    )


def _present(conn: Connection, days: list[dt.date]) -> dict[str, set[str]]:
    """Staff id -> the days of ``days`` with a check-in or a leave record."""
    rows = conn.execute(
        select(att.c.staff_id, func.aggregate_strings(att.c.day, literal(",")))
        .where(att.c.day.in_([d.isoformat() for d in days]), att.c.kind.in_(("checkin", "leave")))
        .group_by(att.c.staff_id)
    )
    return {staff: set(joined.split(",")) for staff, joined in rows}


def attendance(ctx: Context, conn: Connection, first: dt.date, last: dt.date, now: float) -> list:
    """Late, early and absent lines of every configured clerk (see the module docstring)."""
    last = min(last, ctx.local_date(now))
    days = [d for d in _days(first, last) if _working(ctx, d)]
    if not days:
        return []
    staff = {s.id for s in ctx.config.staff}
    on_leave = approved_leave(conn, first, last)
    rules, tz = ctx.config.attendance, ctx.config.hall.tz
    out: list[Line] = []
    seen: set[tuple[str, str]] = set()
    for r in _candidates(ctx, conn, days):
        if (r.staff_id, r.day) in seen or r.staff_id not in staff:
            continue  # two check-ins at the same second: the first record
        seen.add((r.staff_id, r.day))
        if (r.staff_id, r.day) in on_leave:
            continue
        day = dt.date.fromisoformat(r.day)
        judged = classify(rules, tz, day, r.cin, r.cout, False, now)["status"]
        if judged not in ("normal", "pending"):
            kinds = ["absent"] if judged == "absent" else judged.split("_")
            out += [Line(k, "attendance", str(r.id), r.day, r.staff_id, r.window) for k in kinds]
    present = _present(conn, days)
    for person in ctx.config.staff:
        mine = present.get(person.id, set())
        for day in days:
            iso = day.isoformat()
            if iso in mine or (person.id, iso) in on_leave:
                continue
            if classify(rules, tz, day, None, None, False, now)["status"] == "absent":
                out.append(Line("absent", "attendance", None, iso, person.id, None))
    return out
