"""请假 rules: half-days counted on the hall calendar, who may approve, what overlaps, who covers.

The seeds' rules ("请假半天的,由单位负责人批准…请假3天以上应…确定顶岗接替人员"), with the
lengths in config (``leave:``, hall/config/leave.py); the register that applies them
(request, approve, refuse, cancel) is hall/queue/supervision/leave.py:

- a request runs from a first half-day off to a last one; its length counts only the
  working days of the hall calendar (ctx.calendar: holidays and 调休 included), in
  halves (:func:`working_halves`);
- up to ``head_max_days`` (half a day) the clerk's department head (the 首席代表 or the
  deputy, config ``departments:``) or a manager may approve it, longer leave a manager
  only, nobody their own (:func:`may_approve`); a head sees the department's requests
  (:func:`visible_to`);
- a live request (requested or approved) blocks an overlapping one of the same clerk and
  a cover in the same half-days (:func:`live_overlapping`, :func:`covering_overlapping`);
- while an approved leave lasts, its cover may sign in at the absent clerk's windows
  (:func:`covering`, hall/queue/tickets/sessions.py), and its days are leave, not
  absence, in attendance (:func:`approved_days`, hall/queue/attendance/report.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from hall.queue.core.context import Context
from hall.queue.core.tables.supervision import leave_table as T
from hall.queue.core.writer import Tx
from hall.workdays import WorkCalendar

AM, PM = "am", "pm"
HALVES = (AM, PM)
#: Kinds of leave, as stored (事假 personal, 病假 sick, 年休假 annual, 公出 official business).
KINDS = ("事假", "病假", "年休假", "公出", "other")
REQUESTED, APPROVED, REFUSED, CANCELLED = "requested", "approved", "refused", "cancelled"
LIVE = (REQUESTED, APPROVED)  # what blocks an overlapping request or a cover
MAX_SPAN_DAYS = 366


def working_halves(
    calendar: WorkCalendar, start: dt.date, start_half: str, end: dt.date, end_half: str
) -> int:
    """Working half-days from (start, start_half) to (end, end_half), both included.

    A day off counts nothing; the first day from its ``start_half`` on, the last day up to
    its ``end_half``: Monday pm to Tuesday am is 2 halves (one working day).
    """
    halves, day = 0, start
    while day <= end:
        if calendar.is_working_day(day):
            first = start_half if day == start else AM
            last = end_half if day == end else PM
            halves += 1 + (last == PM) - (first == PM)
        day += dt.timedelta(days=1)
    return halves


def half_key(day: str | dt.date, half: str) -> tuple[str, int]:
    """A half-day as a sortable key."""
    return (day if isinstance(day, str) else day.isoformat(), HALVES.index(half))


def _overlaps(row: Any, start: tuple[str, int], end: tuple[str, int]) -> bool:
    return half_key(row.start_day, row.start_half) <= end and start <= half_key(
        row.end_day, row.end_half
    )


def live_overlapping(tx: Tx, staff_id: str, start: tuple, end: tuple, statuses=LIVE) -> list:
    """``staff_id``'s requests of ``statuses`` (live ones) in these half-days (:func:`half_key`)."""
    rows = tx.conn.execute(
        select(T).where(
            T.c.staff_id == staff_id,
            T.c.status.in_(statuses),
            T.c.start_day <= end[0],
            T.c.end_day >= start[0],
        )
    )
    return [r for r in rows if _overlaps(r, start, end)]


def covering_overlapping(tx: Tx, cover: str, start: tuple, end: tuple) -> list:
    """Live requests in which ``cover`` is the 顶岗 of someone else in these half-days."""
    rows = tx.conn.execute(
        select(T).where(
            T.c.cover_staff == cover,
            T.c.status.in_(LIVE),
            T.c.start_day <= end[0],
            T.c.end_day >= start[0],
        )
    )
    return [r for r in rows if _overlaps(r, start, end)]


def may_approve(ctx: Context, owner: str, days: float, staff_id: str | None) -> bool:
    """True if this caller may approve or refuse ``owner``'s leave of ``days``.

    ``staff_id`` None is a manager: always. "请假半天的,由单位负责人批准": a department
    head (the chief or the deputy of ``owner``'s department) up to
    ``leave.head_max_days``, never for their own request.
    """
    if staff_id is None:
        return True
    if staff_id == owner or days > ctx.config.leave.head_max_days:
        return False
    dept = ctx.config.department_of_staff(owner)
    return dept is not None and staff_id in dept.gatekeepers()


def visible_to(ctx: Context, staff_id: str) -> set[str]:
    """Whose requests a clerk sees: their own, and as a department head the department's."""
    dept = ctx.config.department_of_staff(staff_id)
    if dept is not None and staff_id in dept.gatekeepers():
        return {staff_id, *dept.staff}
    return {staff_id}


def approved_days(tx: Tx, first: dt.date, last: dt.date) -> dict[tuple[str, str], str]:
    """(staff id, ISO day) -> the kind of approved leave on that day, for attendance.

    Every calendar day from a leave's first to its last half-day is a leave day (a
    half-day's leave included: it is not an absence).
    """
    rows = tx.conn.execute(
        select(T).where(
            T.c.status == APPROVED,
            T.c.start_day <= last.isoformat(),
            T.c.end_day >= first.isoformat(),
        )
    )
    out: dict[tuple[str, str], str] = {}
    for r in rows:
        day = max(first, dt.date.fromisoformat(r.start_day))
        end = min(last, dt.date.fromisoformat(r.end_day))
        while day <= end:
            out[r.staff_id, day.isoformat()] = r.kind
            day += dt.timedelta(days=1)
    return out


def covering(ctx: Context, tx: Tx, cover: str, window: int, day: dt.date) -> Any:
    """The approved leave whose cover ``cover`` may open ``window`` on ``day``, or None.

    The window must be one of the absent clerk's own windows, and ``day`` one of the
    leave's days.
    """
    rows = tx.conn.execute(
        select(T).where(
            T.c.cover_staff == cover,
            T.c.status == APPROVED,
            T.c.start_day <= day.isoformat(),
            T.c.end_day >= day.isoformat(),
        )
    )
    for r in rows:
        absent = ctx.config.staff_member(r.staff_id)
        if absent is not None and window in absent.windows:
            return r
    return None
