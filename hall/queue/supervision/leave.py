"""请假 and 顶岗: leave requests in working half-days, who approves them, and the cover.

The seeds' rules ("请假半天的,由单位负责人批准…请假3天以上应…确定顶岗接替人员"), with the
lengths in config (``leave:``, hall/config/leave.py):

- a request runs from a first half-day off (``start_day`` + ``am``/``pm``) to a last one
  (``end_day`` + ``am``/``pm``); its length ``days`` counts only the working days of the
  hall calendar (ctx.calendar: holidays and 调休 included), in halves;
- a clerk requests leave for themselves, a manager for anyone;
- up to ``head_max_days`` (half a day) it may be approved by the clerk's department head
  (the 首席代表 or the deputy, config ``departments:``) or a manager; longer leave by a
  manager only; nobody approves their own;
- from ``cover_from_days`` (3) working days on, the request names a cover (顶岗), who
  must not be on leave (requested or approved) in any of the same half-days; a shorter
  request may name one too; and a cover cannot then ask for leave in those half-days;
- while an approved leave lasts (any of its days), the cover may sign in at the absent
  clerk's windows (:func:`covering`, used by hall/queue/tickets/sessions.py);
- approve, refuse and cancel (the clerk their own, or a manager) are kept on the row
  (``decided_by``, ``note``) and as events (``leave.*``, stored with the change), so the
  whole history is in the event log.

The counting, approvers, overlaps and covers are hall/queue/supervision/leave_rules.py
(its names are importable from here too); this module is the register's actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update

from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, conflict, forbidden, not_found
from hall.queue.core.tables.supervision import leave_table as T
from hall.queue.core.writer import Tx
from hall.queue.supervision.leave_rules import (  # noqa: F401 - re-exported for routes and callers
    AM,
    APPROVED,
    CANCELLED,
    HALVES,
    KINDS,
    LIVE,
    MAX_SPAN_DAYS,
    PM,
    REFUSED,
    REQUESTED,
    approved_days,
    covering,
    covering_overlapping,
    half_key,
    live_overlapping,
    may_approve,
    visible_to,
    working_halves,
)
from hall.queue.tickets.views import iso
from hall.workdays import CalendarError


def _staff(ctx: Context, staff_id: str, what_zh: str = "工号") -> Any:
    person = ctx.config.staff_member(staff_id)
    if person is None:
        raise not_found(f"{what_zh}{staff_id}", f"staff {staff_id}", code="unknown_staff")
    return person


def view(ctx: Context, row: Any) -> dict[str, Any]:
    """A request as the API shows it: names, who may approve it, times in ISO."""
    cfg = ctx.config
    person = cfg.staff_member(row.staff_id)
    cover = cfg.staff_member(row.cover_staff) if row.cover_staff else None
    dept = cfg.department_of_staff(row.staff_id)
    by_head = dept is not None and row.days <= cfg.leave.head_max_days
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "name": person.name if person else row.staff_id,
        "department": dept.code if dept else None,
        "start_day": row.start_day,
        "start_half": row.start_half,
        "end_day": row.end_day,
        "end_half": row.end_half,
        "days": row.days,
        "kind": row.kind,
        "reason": row.reason,
        "cover_staff": row.cover_staff,
        "cover_name": cover.name if cover else None,
        "status": row.status,
        "approver": "department_head" if by_head else "manager",
        "requested_by": row.requested_by,
        "requested_at": iso(row.requested_at),
        "decided_by": row.decided_by,
        "decided_at": iso(row.decided_at),
        "note": row.note,
    }


def _row(tx: Tx, leave_id: int) -> Any:
    row = tx.conn.execute(select(T).where(T.c.id == leave_id)).first()
    if row is None:
        raise not_found(f"请假申请{leave_id}", f"leave request {leave_id}", code="unknown_leave")
    return row


def _check_cover(ctx: Context, tx: Tx, staff_id: str, cover: str, start: tuple, end: tuple):
    _staff(ctx, cover, "顶岗人员工号")
    if cover == staff_id:
        raise QueueError(
            422, "cover_is_self", "顶岗人员不能是本人", "The cover cannot be the clerk"
        )
    if live_overlapping(tx, cover, start, end):
        raise conflict(
            "cover_on_leave",
            f"顶岗人员{cover}在同一时段也请了假",
            f"The cover {cover} is on leave (or has asked for it) in the same half-days",
        )


def request(
    ctx: Context,
    tx: Tx,
    staff_id: str,
    start: tuple[dt.date, str],
    end: tuple[dt.date, str],
    kind: str,
    reason: str,
    cover: str | None,
    actor: str,
) -> dict[str, Any]:
    """请假: store a request (status ``requested``) after the seeds' rules; its view."""
    _staff(ctx, staff_id)
    if half_key(*end) < half_key(*start) or (end[0] - start[0]).days > MAX_SPAN_DAYS:
        raise QueueError(
            422,
            "leave_dates",
            f"请假结束时间须在开始之后，且不超过{MAX_SPAN_DAYS}天",
            f"The leave must end after it starts, within {MAX_SPAN_DAYS} days",
        )
    try:
        halves = working_halves(ctx.calendar, start[0], start[1], end[0], end[1])
    except CalendarError as exc:
        raise QueueError(
            422, "no_calendar", "该年度的节假日安排尚未登记", f"No holiday table: {exc}"
        ) from exc
    if halves == 0:
        raise QueueError(
            422, "no_working_days", "所选时段没有工作日", "The leave covers no working half-day"
        )
    days = halves / 2
    k_start, k_end = half_key(*start), half_key(*end)
    if live_overlapping(tx, staff_id, k_start, k_end):
        raise conflict(
            "leave_overlaps",
            "同一时段已有请假申请",
            f"{staff_id} already has leave requested or approved in these half-days",
        )
    covered = covering_overlapping(tx, staff_id, k_start, k_end)
    if covered:
        raise conflict(
            "is_cover",
            f"同一时段本人是{covered[0].staff_id}的顶岗人员，请先另行安排顶岗",
            f"{staff_id} covers for {covered[0].staff_id} in these half-days: "
            "change that cover first",
        )
    if cover is None and days >= ctx.config.leave.cover_from_days:
        need = ctx.config.leave.cover_from_days
        raise QueueError(
            422,
            "cover_required",
            f"请假{need:g}天以上须确定顶岗接替人员",
            f"Leave of {need:g} working days or more must name a cover (顶岗)",
        )
    if cover is not None:
        _check_cover(ctx, tx, staff_id, cover, k_start, k_end)
    values = {
        "staff_id": staff_id,
        "start_day": start[0].isoformat(),
        "start_half": start[1],
        "end_day": end[0].isoformat(),
        "end_half": end[1],
        "days": days,
        "kind": kind,
        "reason": reason,
        "cover_staff": cover,
        "requested_by": actor,
        "requested_at": tx.now,
        "status": REQUESTED,
        "note": "",
    }
    leave_id = tx.conn.execute(insert(T).values(**values)).inserted_primary_key[0]
    row = _row(tx, leave_id)
    _emit(tx, "leave.requested", row, actor)
    return view(ctx, row)


def _emit(tx: Tx, event: str, row: Any, actor: str) -> None:
    keys = ("id", "staff_id", "start_day", "end_day", "days", "status", "cover_staff")
    tx.emit(event, {**{k: getattr(row, k) for k in keys}, "by": actor})


def decide(
    ctx: Context,
    tx: Tx,
    leave_id: int,
    approve: bool,
    actor: str,
    staff_id: str | None,
    note: str = "",
) -> dict[str, Any]:
    """Approve or refuse a pending request (a manager: ``staff_id`` None; or a head)."""
    row = _row(tx, leave_id)
    if not may_approve(ctx, row.staff_id, row.days, staff_id):
        raise forbidden(
            "无权审批此请假：半天以内由部门负责人审批（不能审批本人），更长的由中心管理人员审批",
            "Not yours to decide: half a day by the department head (not their own), "
            "longer leave by a hall manager",
        )
    if row.status != REQUESTED:
        raise conflict(
            "leave_decided", f"该申请已{_STATUS_ZH[row.status]}", f"The request is {row.status}"
        )
    if approve and row.cover_staff:
        start, end = half_key(row.start_day, row.start_half), half_key(row.end_day, row.end_half)
        if live_overlapping(tx, row.cover_staff, start, end, statuses=(APPROVED,)):
            raise conflict(
                "cover_on_leave",
                f"顶岗人员{row.cover_staff}在同一时段的请假已获批准",
                f"The cover {row.cover_staff} has approved leave in the same half-days",
            )
    status = APPROVED if approve else REFUSED
    return _set(ctx, tx, row, status, actor, note)


_STATUS_ZH = {REQUESTED: "待审批", APPROVED: "批准", REFUSED: "不予批准", CANCELLED: "撤销"}


def _set(ctx: Context, tx: Tx, row: Any, status: str, actor: str, note: str) -> dict[str, Any]:
    line = f"{status} {actor}" + (f": {note}" if note else "")
    tx.conn.execute(
        update(T)
        .where(T.c.id == row.id)
        .values(
            status=status,
            decided_by=actor,
            decided_at=tx.now,
            note=(row.note + "\n" + line).strip(),
        )
    )
    row = _row(tx, row.id)
    _emit(tx, f"leave.{status}", row, actor)
    return view(ctx, row)


def cancel(
    ctx: Context, tx: Tx, leave_id: int, actor: str, staff_id: str | None, note: str = ""
) -> dict[str, Any]:
    """撤销: the clerk their own request (pending or approved), or a manager any."""
    row = _row(tx, leave_id)
    if staff_id is not None and staff_id != row.staff_id:
        raise forbidden("只能撤销本人的请假", "Staff may cancel only their own leave")
    if row.status not in LIVE:
        raise conflict(
            "leave_decided", f"该申请已{_STATUS_ZH[row.status]}", f"The request is {row.status}"
        )
    return _set(ctx, tx, row, CANCELLED, actor, note)


def listing(
    ctx: Context,
    tx: Tx,
    first: dt.date | None = None,
    last: dt.date | None = None,
    status: str | None = None,
    staff_ids: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Requests overlapping [first, last] (any, by default), newest first."""
    query = select(T).order_by(T.c.id.desc())
    if first is not None:
        query = query.where(T.c.end_day >= first.isoformat())
    if last is not None:
        query = query.where(T.c.start_day <= last.isoformat())
    if status is not None:
        query = query.where(T.c.status == status)
    if staff_ids is not None:
        query = query.where(T.c.staff_id.in_(sorted(staff_ids)))
    return [view(ctx, r) for r in tx.conn.execute(query)]
