"""HTTP routes of the queue daemon, under /api/v1."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from hall import __version__
from hall.config import verify_pin
from hall.queue.attendance import records
from hall.queue.core.domain import QueueError, forbidden, not_found
from hall.queue.core.events import sse_stream
from hall.queue.core.service import QueueService
from hall.queue.ratings import ratings
from hall.queue.tickets import appointments, issuing, sessions
from hall.queue.web.auth import Principal, principal, require
from hall.queue.web.dates import Moment
from hall.words import CaseType

router = APIRouter(prefix="/api/v1")
Caller = Annotated[Principal, Depends(principal)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueBody(_Body):
    """POST /tickets: a citizen takes a number."""

    service: str = Field(min_length=1, max_length=32, description="service code")
    priority: bool = Field(False, description="priority / 绿色通道 ticket")
    id_number: str | None = Field(None, max_length=18, description="18-digit ID number, optional")
    appointment_code: str | None = Field(
        None, max_length=16, description="appointment check-in code"
    )
    appointment: bool = Field(
        False,
        description="预约签到 by ID number: with id_number, issue the ticket of the appointment "
        "this person booked for this service today (found by the ID's keyed fingerprint; "
        "404 no_appointment when there is none)",
    )


class LoginBody(_Body):
    """POST /staff/login: a staff member opens a window."""

    staff_id: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=4, max_length=12)
    window: int = Field(ge=1, le=999)


class TransferBody(_Body):
    """POST /windows/{n}/transfer: send the current citizen to another service."""

    service: str = Field(min_length=1, max_length=32)


class FinishBody(_Body):
    """POST /windows/{n}/finish: the case type of the finished case."""

    case_type: CaseType = Field(description="即办件, 承诺件, 联办件, 上报件 or 补正")


class RequeueBody(_Body):
    """POST /windows/{n}/requeue: a no-show citizen came back."""

    number: str = Field(min_length=2, max_length=8, description="ticket number, e.g. A001")


class HelpBody(_Body):
    """POST /help: a citizen at a kiosk asks for staff."""

    where: str = Field(min_length=1, max_length=64, description="which kiosk or place")


class DeviceReport(_Body):
    """POST /devices/report: a kiosk reports a device attached to it (e.g. its printer)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")
    kind: str = Field(min_length=1, max_length=32)
    status: str = Field(pattern=r"^(ok|offline|paper_out|error|unknown)$")
    detail: str = Field("", max_length=200)


class AppointmentBody(_Body):
    """POST /appointments: book a slot (managers; the booking site in a real hall)."""

    service: str
    slot_start: Moment
    slot_end: Moment
    id_number: str | None = Field(
        None,
        max_length=18,
        description="booker's ID number, for check-in by ID; only its keyed fingerprint is kept",
    )
    face_template: str | None = Field(
        None,
        max_length=2_000_000,
        description="base64 of hall.vision.face.FaceTemplate.to_bytes(), made by the booking "
        "site with this hall's face engine; kept until check-in or the slot has passed",
    )
    face_consent: str | None = Field(
        None,
        min_length=1,
        max_length=32,
        description="version of the face consent the citizen agreed to; required with "
        "face_template",
    )


def _svc(request: Request) -> QueueService:
    return request.app.state.service


async def _reader(request: Request, p: Principal) -> Any:
    """Any valid token may read; a staff token must be a live session (returned)."""
    if p.role == "staff":
        return await _svc(request).run(lambda tx: sessions.staff_session(tx, p.token_hash))
    return None


@router.get("/health", tags=["system"])
async def health(request: Request) -> dict[str, Any]:
    """Liveness and a few figures; needs no token."""
    svc = _svc(request)
    return {
        "status": "ok",
        "version": __version__,
        "hall": request.app.state.config.hall.name,
        "uptime_s": round(dt.datetime.now().timestamp() - svc.started_at, 1),
        "subscribers": svc.bus.subscriber_count,
        "writer": {"batches": svc.writer.batches, "operations": svc.writer.operations},
    }


@router.get("/services", tags=["tickets"])
async def list_services(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Services with waiting count, open windows, estimated wait and why not accepting."""
    await _reader(request, p)
    return await _svc(request).services()


@router.post("/tickets", status_code=201, tags=["tickets"])
async def issue_ticket(request: Request, body: IssueBody, p: Caller) -> dict[str, Any]:
    """取号: issue the next number of a service.

    预约签到 (appointment priority): ``appointment_code``, or ``id_number`` with
    ``appointment: true`` for the appointment this person booked for this
    service today (no per-person daily limit then: the slot is booked).
    """
    require(p, "kiosk")
    req = issuing.IssueRequest(
        service=body.service,
        priority=body.priority,
        id_number=body.id_number,
        appointment_code=body.appointment_code,
        source=p.name,
        appointment_by_id=body.appointment,
    )
    return await _svc(request).issue(req)


@router.get("/tickets/{ticket_id}", tags=["tickets"])
async def get_ticket(request: Request, ticket_id: str) -> dict[str, Any]:
    """A ticket by id. Needs no token: the id is a random 128-bit value printed in
    the ticket's QR code, so a citizen can follow it on a phone; no personal data."""
    found = await _svc(request).ticket(ticket_id)
    if found is None:
        raise not_found("号票", "ticket", code="unknown_ticket")
    return found


@router.post("/appointments", status_code=201, tags=["tickets"])
async def book(request: Request, body: AppointmentBody, p: Caller) -> dict[str, Any]:
    """Book an appointment slot and get its check-in code (manager).

    Optional: the booker's ID number (check-in by ID; only a keyed fingerprint
    is kept) and a face template with the consent version (check-in by face
    at the kiosk). Both are deleted when the ticket is issued or the slot has
    passed.
    """
    require(p)
    start, end = body.slot_start.timestamp(), body.slot_end.timestamp()
    svc = _svc(request)
    # Decoding and checking a template (~0.5 MB) runs off the event loop and the writer.
    extras = await asyncio.to_thread(
        appointments.parse_booking,
        svc.config,
        svc.ctx.id_key,
        body.id_number,
        body.face_template,
        body.face_consent,
    )
    return await svc.run(
        lambda tx: appointments.create_appointment(svc.ctx, tx, body.service, start, end, extras)
    )


@router.get("/appointments/faces", tags=["tickets"])
async def appointment_faces(
    request: Request,
    p: Caller,
    service: Annotated[str, Query(min_length=1, max_length=32, description="service code")],
) -> list[dict[str, Any]]:
    """Face templates of ``service``'s appointments that can check in now (kiosk tokens only).

    For 刷脸 check-in at a kiosk, which compares on the device and destroys
    them after the attempt: code, template (base64), consent version, slot end
    and the last moment of check-in. Only appointments not yet checked in whose
    check-in window is open now are listed.
    """
    if p.role != "kiosk":  # not even a manager: face templates go only where they are matched
        raise forbidden(
            "只有自助取号机可以读取人脸模板",
            f"A {p.role} token may not read face templates (kiosk only)",
        )
    svc = _svc(request)
    return await svc.run(lambda tx: appointments.open_faces(svc.ctx, tx, service))


@router.post("/staff/login", tags=["staff"])
async def staff_login(request: Request, body: LoginBody) -> dict[str, Any]:
    """Staff id + PIN at a window → a staff token for that window."""
    return await pin_check_in(request, body.staff_id, body.pin, body.window)


async def pin_check_in(request: Request, staff_id: str, pin: str, window: int) -> dict[str, Any]:
    """Open ``window`` for the staff member after the PIN check (also /attendance/checkin).

    Opening a window is the day's 签到 (id + PIN): the attendance record is
    written in the same transaction as the session.
    """
    svc = _svc(request)
    person = svc.config.staff_member(staff_id)
    # scrypt takes tens of ms: verify off the event loop and off the writer thread.
    ok = person is not None and await asyncio.to_thread(verify_pin, pin, person.pin_hash)
    if not ok:
        raise QueueError(401, "bad_credentials", "工号或密码错误", "Unknown staff id or wrong PIN")
    return await svc.run(
        lambda tx: records.check_in(svc.ctx, tx, staff_id, window, records.PIN, staff_id)
    )


@router.post("/staff/logout", tags=["staff"])
async def staff_logout(request: Request, p: Caller) -> dict[str, Any]:
    """End this staff session and close its window."""
    if p.role != "staff":
        raise QueueError(
            400, "not_staff", "只有工作人员令牌可以签退", "Only a staff token can log out"
        )
    svc = _svc(request)
    # Closing the window is a 签退; the report takes the day's last one.
    return await svc.run(lambda tx: records.check_out(svc.ctx, tx, p.token_hash))


@router.get("/windows", tags=["windows"])
async def list_windows(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Every window: state, staff, area, current ticket (number, service, kind, called_at).

    ``done_today`` (cases finished there this business day): a manager sees it for
    every window, a staff session for its own window only, kiosks and displays never.
    """
    session = await _reader(request, p)
    numbers = {w.number for w in request.app.state.config.windows}
    done_for = numbers if p.role == "manager" else {session.window} if session else set()
    return await _svc(request).windows(done_for)


@router.get("/windows/{number}/queue", tags=["windows"])
async def window_queue(request: Request, number: int, p: Caller) -> list[dict[str, Any]]:
    """Waiting tickets for a window in calling order."""
    await _reader(request, p)
    if request.app.state.config.window(number) is None:
        raise not_found(f"{number}号窗口", f"window {number}", code="unknown_window")
    return await _svc(request).window_queue(number)


async def _op(request: Request, p: Principal, name: str, number: int, **kw: Any) -> Any:
    require(p, "staff")
    return await _svc(request).window_op(name, p.actor(), number, **kw)


@router.post("/windows/{number}/call", tags=["windows"])
async def call(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """叫号: call the next ticket for this window."""
    return await _op(request, p, "call_next", number)


@router.post("/windows/{number}/recall", tags=["windows"])
async def recall(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """重呼: announce the current ticket again."""
    return await _op(request, p, "recall", number)


@router.post("/windows/{number}/start", tags=["windows"])
async def start(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """The called citizen is at the window: serving starts."""
    return await _op(request, p, "start", number)


@router.post("/windows/{number}/no-show", tags=["windows"])
async def no_show(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """过号: the called citizen did not come."""
    return await _op(request, p, "no_show", number)


@router.post("/windows/{number}/requeue", tags=["windows"])
async def requeue(request: Request, number: int, body: RequeueBody, p: Caller) -> dict[str, Any]:
    """Put a returning no-show back in line."""
    return await _op(request, p, "requeue", number, ticket_number=body.number)


@router.post("/windows/{number}/transfer", tags=["windows"])
async def transfer(request: Request, number: int, body: TransferBody, p: Caller) -> dict[str, Any]:
    """转移: send the current citizen to another service, keeping the issue time."""
    return await _op(request, p, "transfer", number, service=body.service)


@router.post("/windows/{number}/pause", tags=["windows"])
async def pause(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """暂停服务."""
    return await _op(request, p, "pause", number)


@router.post("/windows/{number}/resume", tags=["windows"])
async def resume(request: Request, number: int, p: Caller) -> dict[str, Any]:
    """恢复服务."""
    return await _op(request, p, "resume", number)


@router.post("/windows/{number}/finish", tags=["windows"])
async def finish(request: Request, number: int, body: FinishBody, p: Caller) -> dict[str, Any]:
    """办结 with the case type."""
    return await _op(request, p, "finish", number, case_type=body.case_type)


@router.get("/devices", tags=["devices"])
async def list_devices(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Every configured device: status, last frame time, error counters."""
    await _reader(request, p)
    svc = _svc(request)
    devices = await asyncio.to_thread(svc.hub.status)
    for forwarder in svc.forwarders.values():
        devices.append(await asyncio.to_thread(forwarder.status))
    return devices


@router.post("/devices/report", tags=["devices"])
async def report_device(request: Request, body: DeviceReport, p: Caller) -> dict[str, Any]:
    """A kiosk reports the state of a device attached to it; the device list shows it."""
    require(p, "kiosk")
    svc = _svc(request)
    changed = svc.hub.report(body.id, body.kind, body.status, body.detail, source=p.name)
    if changed:
        data = {
            "device": {
                "id": body.id,
                "kind": body.kind,
                "status": body.status,
                "detail": body.detail,
                "source": p.name,
            }
        }
        await svc.run(lambda tx: tx.emit("device.changed", data))
    return {"id": body.id, "status": body.status, "changed": changed}


@router.post("/help", tags=["tickets"])
async def call_for_help(request: Request, body: HelpBody, p: Caller) -> dict[str, Any]:
    """A citizen pressed "help" on a kiosk: staff panels and the lobby are told at once."""
    require(p, "kiosk")
    data = {"where": body.where, "by": p.name}
    await _svc(request).run(lambda tx: tx.emit("help.requested", data))
    return {"ok": True, **data}


@router.get("/evaluations", tags=["evaluations"])
async def list_evaluations(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """The latest ratings, newest first (append-only: there is no edit or delete)."""
    require(p)
    return await _svc(request).run(lambda tx: ratings.recent(tx, limit))


@router.get("/events", tags=["events"])
async def event_stream(
    request: Request,
    p: Caller,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> StreamingResponse:
    """Server-Sent Events of every state change; resume with Last-Event-ID."""
    await _reader(request, p)
    svc = _svc(request)
    start_id = last_event_id if last_event_id is not None else after
    return StreamingResponse(
        # Subscribed now, before the headers go out: "stream open" means "following".
        sse_stream(svc.bus, svc.replay, start_id, queue=svc.bus.subscribe()),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
