"""HTTP routes for 请假 and 顶岗 (leave with cover), under /api/v1/leave.

Who may call (kiosk and display tokens get 403 on every route):

- ``POST /leave``: a clerk (staff session) for themselves, a manager for anyone;
- ``GET /leave``: a manager sees every request; a clerk their own, and a department
  head (首席代表 or deputy) also the department's;
- ``POST /leave/{id}/approve`` and ``/refuse``: a manager, or for leave of up to
  ``leave.head_max_days`` the clerk's department head (never their own): others 403;
- ``POST /leave/{id}/cancel``: the clerk their own request, or a manager.

The rules themselves: hall/queue/supervision/leave.py. A manager is recorded as
``manager:<id>``, a clerk by their staff id.
"""

from __future__ import annotations

import calendar
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from hall.queue.core.domain import forbidden
from hall.queue.supervision import leave
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, manager_actor, require
from hall.queue.web.dates import Day, Month
from hall.queue.web.deps import Body, Caller, DbId, daemon_of

router = APIRouter(prefix="/api/v1/leave", tags=["leave"])
StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Half = Literal["am", "pm"]


class LeaveRequestBody(Body):
    """POST /leave: a request from the first half-day off to the last one."""

    staff_id: StaffId = Field(description="whose leave (a clerk: their own id)")
    start_day: Day
    start_half: Half = Field("am", description="am: from the morning; pm: from the afternoon")
    end_day: Day
    end_half: Half = Field("pm", description="am: until noon; pm: the whole last day")
    kind: Literal["事假", "病假", "年休假", "公出", "other"]
    reason: str = Field("", max_length=500)
    cover_staff: StaffId | None = Field(
        None,
        description="顶岗: who opens the clerk's windows (required from leave.cover_from_days)",
    )


class DecisionBody(Body):
    """POST /leave/{id}/approve, /refuse, /cancel: an optional note, kept on the request."""

    note: str = Field("", max_length=500)


def _who(tx: Any, p: Principal) -> tuple[str, str | None]:
    """(actor recorded, the clerk's staff id or None for a manager)."""
    if p.role == "manager":
        return manager_actor(p), None
    staff_id = sessions.staff_session(tx, p.token_hash).staff_id
    return staff_id, staff_id


@router.post("", status_code=201)
async def request_leave(request: Request, body: LeaveRequestBody, p: Caller) -> dict[str, Any]:
    """请假: a clerk for themselves, a manager for anyone (kiosk, display: 403)."""
    require(p, "staff")
    daemon = daemon_of(request)

    def op(tx):
        actor, staff_id = _who(tx, p)
        if staff_id is not None and staff_id != body.staff_id:
            raise forbidden("只能为本人请假", "A clerk may request leave only for themselves")
        return leave.request(
            daemon.ctx,
            tx,
            body.staff_id,
            (body.start_day, body.start_half),
            (body.end_day, body.end_half),
            body.kind,
            body.reason,
            body.cover_staff,
            actor,
        )

    return await daemon.run(op)


@router.get("")
async def list_leave(
    request: Request,
    p: Caller,
    month: Annotated[Month | None, Query(description="requests touching this month")] = None,
    status: Annotated[
        Literal["requested", "approved", "refused", "cancelled"] | None, Query()
    ] = None,
) -> dict[str, Any]:
    """Requests, newest first: a manager all, a clerk their own (a head: the department's)."""
    require(p, "staff")
    daemon = daemon_of(request)
    first = last = None
    if month is not None:  # Month is the first day of the month
        first = month
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])

    def op(tx):
        _, staff_id = _who(tx, p)
        only = None if staff_id is None else leave.visible_to(daemon.ctx, staff_id)
        rows = leave.listing(daemon.ctx, tx, first, last, status, only)
        for row in rows:  # what this caller may do with each
            decidable = row["status"] == leave.REQUESTED
            row["may_decide"] = decidable and leave.may_approve(
                daemon.ctx, row["staff_id"], row["days"], staff_id
            )
        rules = daemon.config.leave  # for the page's note: who approves, when a cover
        return {
            "month": None if month is None else month.isoformat()[:7],
            "requests": rows,
            "rules": {
                "head_max_days": rules.head_max_days,
                "cover_from_days": rules.cover_from_days,
            },
        }

    return await daemon.read(op)


async def _decide(request: Request, p: Principal, leave_id: int, what: str, note: str):
    require(p, "staff")
    daemon = daemon_of(request)

    def op(tx):
        actor, staff_id = _who(tx, p)
        if what == "cancel":
            return leave.cancel(daemon.ctx, tx, leave_id, actor, staff_id, note)
        return leave.decide(daemon.ctx, tx, leave_id, what == "approve", actor, staff_id, note)

    return await daemon.run(op)


@router.post("/{leave_id}/approve")
async def approve(
    request: Request, leave_id: DbId, p: Caller, body: DecisionBody | None = None
) -> dict[str, Any]:
    """批准: a manager, or the department head for half a day (not their own); else 403."""
    return await _decide(request, p, leave_id, "approve", body.note if body else "")


@router.post("/{leave_id}/refuse")
async def refuse(
    request: Request, leave_id: DbId, p: Caller, body: DecisionBody | None = None
) -> dict[str, Any]:
    """不予批准: the same callers as approve; else 403."""
    return await _decide(request, p, leave_id, "refuse", body.note if body else "")


@router.post("/{leave_id}/cancel")
async def cancel(
    request: Request, leave_id: DbId, p: Caller, body: DecisionBody | None = None
) -> dict[str, Any]:
    """撤销: the clerk their own request (pending or approved), or a manager; else 403."""
    return await _decide(request, p, leave_id, "cancel", body.note if body else "")
