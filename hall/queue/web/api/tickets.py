"""HTTP routes of tickets (号票) and appointments (预约), under /api/v1.

Kiosks take numbers and check appointments in; anyone with a token reads the
services' queues; a ticket's page reads it by its unguessable id; managers book.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from hall.queue.core.domain import forbidden, not_found
from hall.queue.tickets import appointments, issuing
from hall.queue.web.auth import require
from hall.queue.web.dates import Moment
from hall.queue.web.deps import Body, Caller, daemon_of, reader

router = APIRouter(prefix="/api/v1", tags=["tickets"])


class IssueBody(Body):
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


class AppointmentBody(Body):
    """POST /appointments: book a slot (managers; the booking site in a real hall)."""

    service: str = Field(min_length=1, max_length=32, description="service code")
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


@router.get("/services")
async def list_services(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Services with waiting count, open windows, estimated wait and why not accepting."""
    await reader(request, p)
    return await daemon_of(request).services()


@router.post("/tickets", status_code=201)
async def issue_ticket(request: Request, body: IssueBody, p: Caller) -> dict[str, Any]:
    """取号: issue the next number of a service.

    预约签到 (appointment priority): ``appointment_code``, or ``id_number`` with
    ``appointment: true`` for the appointment this person booked for this
    service today (no per-person daily limit then: the slot is booked).

    Kiosk tokens only. The answer carries ``rating_key``, the ticket's rating
    key: the kiosk prints it in the ticket's QR code (``/t/<id>?k=<key>``) and
    nothing else ever shows it again (``POST /evaluations/online`` takes it).
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
    return await daemon_of(request).issue(req)


@router.get("/tickets/{ticket_id}")
async def get_ticket(request: Request, ticket_id: str) -> dict[str, Any]:
    """A ticket by id; needs no token.

    The id is a random 128-bit value printed in the ticket's QR code, so a citizen
    can follow it on a phone; the answer holds no personal data and no rating key
    (staff see ticket ids: the id alone does not rate).
    """
    found = await daemon_of(request).ticket(ticket_id)
    if found is None:
        raise not_found("号票", "ticket", code="unknown_ticket")
    return found


@router.post("/appointments", status_code=201)
async def book(request: Request, body: AppointmentBody, p: Caller) -> dict[str, Any]:
    """Book an appointment slot and get its check-in code (manager).

    Optional: the booker's ID number (check-in by ID; only a keyed fingerprint
    is kept) and a face template with the consent version (check-in by face
    at the kiosk). Both are deleted when the ticket is issued or the slot has
    passed.
    """
    require(p)
    start, end = body.slot_start.timestamp(), body.slot_end.timestamp()
    daemon = daemon_of(request)
    # Decoding and checking a template (~0.5 MB) runs off the event loop and the writer.
    extras = await asyncio.to_thread(
        appointments.parse_booking,
        daemon.config,
        daemon.ctx.id_key,
        body.id_number,
        body.face_template,
        body.face_consent,
    )
    return await daemon.run(
        lambda tx: appointments.create_appointment(daemon.ctx, tx, body.service, start, end, extras)
    )


@router.get("/appointments/faces")
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
    daemon = daemon_of(request)
    return await daemon.run(lambda tx: appointments.open_faces(daemon.ctx, tx, service))
