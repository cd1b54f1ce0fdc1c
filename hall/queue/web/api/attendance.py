"""HTTP routes for staff attendance (考勤) and face check-in consent, under /api/v1.

Face check-in comes from a *face terminal* (attendance.terminals in config),
authenticated by its own device token: a kiosk, display or staff token cannot
claim a face match. Id + PIN check-in is always available next to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from hall.config import FaceTerminalConfig
from hall.queue.attendance import records, report
from hall.queue.core.domain import QueueError, forbidden
from hall.queue.tickets import sessions
from hall.queue.web import pins
from hall.queue.web.auth import manager_actor, principal, require
from hall.queue.web.dates import Day, Moment, Month
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1/attendance", tags=["attendance"])
StaffId = Annotated[str, Field(min_length=1, max_length=32)]


class FaceCheckinBody(Body):
    """POST /attendance/checkin/face: the terminal matched this staff member's face."""

    staff_id: StaffId
    window: int = Field(ge=1, le=999)
    engine: str = Field(pattern=r"^(classic|dnn)$", description="face engine that matched")


class PinCheckinBody(Body):
    """POST /attendance/checkin: id + PIN, the always-available alternative."""

    staff_id: StaffId
    pin: str = Field(min_length=4, max_length=12)
    window: int = Field(ge=1, le=999)


class ConsentBody(Body):
    """POST /attendance/consents: consent to face check-in, given on a terminal."""

    staff_id: StaffId
    terminal: str = Field(min_length=1, max_length=32)
    consent_version: str = Field(min_length=1, max_length=32)


class LeaveBody(Body):
    """POST /attendance/leave: 请假 for one day."""

    staff_id: StaffId
    date: Day
    note: str = Field("", max_length=200, description="kind of leave, e.g. 年假")


class CorrectionBody(Body):
    """POST /attendance/records: a manager's correction (补卡) with an explicit time."""

    staff_id: StaffId
    kind: Literal["checkin", "checkout"]
    at: Moment
    note: str = Field("", max_length=200)


def _terminal(request: Request) -> FaceTerminalConfig:
    """The face terminal whose token the request carries, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    digest = hashlib.sha256(token.strip().encode()).digest()
    if scheme.lower() == "bearer" and token.strip():
        for t in request.app.state.config.attendance.terminals:
            if hmac.compare_digest(hashlib.sha256(t.token.encode()).digest(), digest):
                return t
    raise QueueError(
        401, "not_a_terminal", "此终端未登记为人脸签到终端", "Not a registered face terminal token"
    )


@router.post("/checkin/face")
async def face_checkin(request: Request, body: FaceCheckinBody) -> dict[str, Any]:
    """A window terminal checks a staff member in after matching the face locally."""
    terminal = _terminal(request)
    daemon = daemon_of(request)
    return await daemon.run(
        lambda tx: records.face_check_in(
            daemon.ctx, tx, terminal, body.staff_id, body.window, body.engine
        )
    )


async def pin_check_in(request: Request, staff_id: str, pin: str, window: int) -> dict[str, Any]:
    """Open ``window`` for the staff member after the PIN check (also /staff/login).

    Opening a window is the day's 签到 (id + PIN): the attendance record is
    written in the same transaction as the session. Failures are counted and
    throttled, 401 or 429 with Retry-After (hall/queue/web/pins.py).
    """
    await pins.check_pin(request, staff_id, pin)
    daemon = daemon_of(request)
    return await daemon.run(
        lambda tx: records.check_in(daemon.ctx, tx, staff_id, window, records.PIN, staff_id)
    )


@router.post("/checkin")
async def pin_checkin(request: Request, body: PinCheckinBody) -> dict[str, Any]:
    """签到 with id + PIN: opens the window and records attendance (same as /staff/login)."""
    return await pin_check_in(request, body.staff_id, body.pin, body.window)


# The same operation serves POST /staff/logout (web/api/windows.py): closing the
# window is the 签退, and the attendance report takes the day's last one.
@router.post("/checkout")
async def checkout(request: Request, p: Caller) -> dict[str, Any]:
    """签退: record the check-out and close the window (staff token)."""
    if p.role != "staff":
        raise QueueError(
            400,
            "not_staff",
            "只有工作人员令牌可以签退",
            "Only a staff token can check out (log out)",
        )
    daemon = daemon_of(request)
    return await daemon.run(lambda tx: records.check_out(daemon.ctx, tx, p.token_hash))


def _self_or_manager(tx, p, staff_id: str) -> str:
    """The actor name; staff may only act for themselves."""
    if p.role == "manager":
        return manager_actor(p)
    session = sessions.staff_session(tx, p.token_hash)
    if session.staff_id != staff_id:
        raise forbidden("只能为本人操作", "staff may only act for themselves")
    return staff_id


@router.post("/consents", status_code=201)
async def give_consent(request: Request, body: ConsentBody, p: Caller) -> dict[str, Any]:
    """Record separate consent to face check-in (staff for themselves, or a manager)."""
    require(p, "staff")
    daemon = daemon_of(request)

    def op(tx):
        actor = _self_or_manager(tx, p, body.staff_id)
        return records.give_consent(
            daemon.ctx, tx, body.staff_id, body.terminal, body.consent_version, actor
        )

    return await daemon.run(op)


@router.delete("/consents/{staff_id}")
async def withdraw_consent(
    request: Request, staff_id: Annotated[str, Path(min_length=1, max_length=32)], p: Caller
) -> dict[str, Any]:
    """撤回同意: face check-in stops at once; the terminal destroys the template."""
    require(p, "staff")
    daemon = daemon_of(request)

    def op(tx):
        actor = _self_or_manager(tx, p, staff_id)
        return records.withdraw_consent(daemon.ctx, tx, staff_id, actor)

    return await daemon.run(op)


@router.get("/consents")
async def list_consents(request: Request) -> list[dict[str, Any]]:
    """Consents in force: a terminal sees its own, a manager all of them.

    A terminal reads its own to keep only the templates of those consents.
    """
    try:  # a manager (token or session), else it must be a face terminal's token
        caller = await principal(request)
    except QueueError:
        caller = None
    terminal = None if caller is not None and caller.role == "manager" else _terminal(request).name
    return await daemon_of(request).run(lambda tx: records.consents(tx, terminal))


@router.post("/leave", status_code=201)
async def record_leave(request: Request, body: LeaveBody, p: Caller) -> dict[str, Any]:
    """请假 (manager)."""
    require(p)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(
        lambda tx: records.record(
            daemon.ctx,
            tx,
            body.staff_id,
            "leave",
            tx.now,
            records.MANUAL,
            actor,
            day=body.date,
            note=body.note or "leave",
        )
    )


@router.post("/records", status_code=201)
async def correct(request: Request, body: CorrectionBody, p: Caller) -> dict[str, Any]:
    """补卡: a manager records a check-in or check-out at an explicit time."""
    require(p)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(
        lambda tx: records.record(
            daemon.ctx,
            tx,
            body.staff_id,
            body.kind,
            body.at.timestamp(),
            records.MANUAL,
            actor,
            note=body.note,
        )
    )


@router.get("/daily")
async def daily(
    request: Request, p: Caller, date: Annotated[Day | None, Query()] = None
) -> dict[str, Any]:
    """Attendance of every staff member on one day (default: today)."""
    require(p)
    daemon = daemon_of(request)
    day = date or dt.datetime.fromtimestamp(daemon.clock(), daemon.config.hall.tz).date()
    return await daemon.run(lambda tx: report.daily(daemon.ctx, tx, day))


@router.get("/monthly")
async def monthly(request: Request, p: Caller, month: Annotated[Month, Query()]) -> dict[str, Any]:
    """Counts by status per staff member over a month (YYYY-MM), and each day."""
    require(p)
    daemon = daemon_of(request)
    return await daemon.run(lambda tx: report.monthly(daemon.ctx, tx, month.year, month.month))
