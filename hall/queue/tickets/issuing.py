"""Issuing numbers (取号), ordinary, priority or an appointment's check-in (预约签到).

The appointment rules themselves (booking, when a check-in is open, by code,
ID number or face) are in :mod:`hall.queue.tickets.appointments`.

The issuing answer alone carries the ticket's rating key (``rating_key``,
:mod:`hall.queue.ratings.keys`), for the kiosk's QR code; the store keeps its
digest, and no view or event has it.

Each function here is an operation for :class:`hall.queue.core.writer.Writer`: it
runs inside the writer's transaction, so the read of the last sequence number
and the insert of the next one can never interleave with another issue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

from hall.config import ServiceConfig
from hall.queue.core.context import Context
from hall.queue.core.domain import TicketKind, TicketStatus, conflict
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import keys
from hall.queue.tickets import appointments, views

_LAST_SEQ = text(
    "SELECT max(seq) FROM tickets"
    " WHERE day = :day AND service = :service AND transferred_from IS NULL"
)
_PERSON = text(
    "SELECT count(*) FROM tickets WHERE day = :day AND service = :service AND id_fp = :fp"
    " AND transferred_from IS NULL AND status != 'cancelled'"
)
_INSERT = tickets_table.insert()
# Columns a fresh ticket has no value for yet.
_UNSET = dict.fromkeys(
    [
        "called_at",
        "served_at",
        "finished_at",
        "window",
        "staff_id",
        "case_type",
        "transferred_from",
        "transferred_to",
    ]
)


@dataclass(frozen=True)
class IssueRequest:
    """What a kiosk asks for when a citizen takes a number."""

    service: str
    priority: bool = False
    id_number: str | None = None
    appointment_code: str | None = None
    source: str = ""
    # 预约签到 by ID number: the appointment this person booked for the service today.
    appointment_by_id: bool = False


def _check_hours(ctx: Context, svc: ServiceConfig, now: float) -> None:
    avail = ctx.schedule.availability(svc, dt.datetime.fromtimestamp(now, dt.UTC))
    if not avail.accepting:
        raise conflict(
            avail.reason_code or "outside_hours",
            f"{svc.name_zh}:{avail.reason_zh}",
            f"{svc.name_en}: {avail.reason_en}",
            next_open=avail.next_open.isoformat() if avail.next_open else None,
        )


def _person(ctx: Context, tx: Tx, svc: ServiceConfig, day: str, id_number: str) -> str:
    fp = appointments.fingerprint(id_number, ctx.id_key)
    taken = tx.conn.execute(_PERSON, {"day": day, "service": svc.code, "fp": fp}).scalar_one()
    if taken >= svc.per_person_daily_limit:
        raise conflict(
            "person_limit",
            f"同一证件今日在“{svc.name_zh}”最多取号{svc.per_person_daily_limit}次",
            f"This ID may take at most {svc.per_person_daily_limit} tickets a day "
            f"for {svc.name_en}",
        )
    return fp


def issue(ctx: Context, tx: Tx, req: IssueRequest) -> dict[str, Any]:
    """Issue the next number of a service: every check, then one insert."""
    svc = ctx.service_or_404(req.service)
    _check_hours(ctx, svc, tx.now)
    # Lazy expiry of bookings' ID fingerprints and face templates (appointment_checkin).
    appointments.purge_expired(ctx, tx)
    day = ctx.day(tx.now)
    if req.priority and not svc.allow_priority:
        raise conflict(
            "priority_not_allowed",
            f"“{svc.name_zh}”不设优先号",
            f"{svc.name_en} has no priority tickets",
        )
    if req.appointment_by_id:
        fp, appt = appointments.by_id_number(ctx, tx, svc, req.id_number, req.appointment_code)
    else:
        fp = _person(ctx, tx, svc, day, req.id_number) if req.id_number else None
        appt = (
            appointments.by_code(ctx, tx, svc, req.appointment_code)
            if req.appointment_code
            else None
        )

    last = tx.conn.execute(_LAST_SEQ, {"day": day, "service": svc.code}).scalar_one()
    seq = (last or 0) + 1
    if svc.daily_cap is not None and seq > svc.daily_cap:
        raise conflict(
            "daily_cap_reached",
            f"“{svc.name_zh}”今日号源已满({svc.daily_cap}个),请明天再来或网上预约",
            f"{svc.name_en}: today's {svc.daily_cap} tickets are all taken",
        )
    digits = ctx.config.hall.number_digits
    if seq >= 10**digits:
        raise conflict(
            "numbers_exhausted",
            f"“{svc.name_zh}”今日号码已用完",
            f"{svc.name_en}: no numbers left today",
        )
    kind = TicketKind.NORMAL
    if appt is not None:
        kind = TicketKind.APPOINTMENT
    elif req.priority:
        kind = TicketKind.PRIORITY
    ticket_id = uuid.uuid4().hex
    row = {
        "id": ticket_id,
        "day": day,
        "service": svc.code,
        "seq": seq,
        "number": f"{svc.prefix}{seq:0{digits}d}",
        "kind": kind,
        "status": TicketStatus.WAITING,
        "issued_at": tx.now,
        "queue_at": tx.now,
        "recalls": 0,
        "id_fp": fp,
        "appointment_code": appt.code if appt is not None else req.appointment_code,
        "slot_end": appt.slot_end if appt is not None else None,
        "source": req.source[:64],
        "updated_at": tx.now,
    }
    tx.conn.execute(_INSERT, row)
    rating_key = keys.new_key()
    keys.keep(tx, f"ticket:{ticket_id}", rating_key)
    if appt is not None:
        appointments.checked_in(tx, appt.code, ticket_id)
    saved = SimpleNamespace(**_UNSET, **row)
    public = views.ticket_view(saved)
    place = views.place(ctx.config, tx.conn, saved, tx.now, ctx.grace_s, ctx.times, newest=True)
    waiting = views.waiting_in(tx.conn, day, svc.code)
    tx.emit("ticket.issued", {"ticket": public, "waiting": {svc.code: waiting}})
    return {
        **public,
        **place,  # ahead, est_wait_s, est_wait_range_s
        "service_name": {"zh": svc.name_zh, "en": svc.name_en},
        # For the issuing kiosk's QR code only: never in an event or another view.
        "rating_key": rating_key,
    }
