"""Appointments (预约): booking, when a check-in is open, and 预约签到.

All the appointment rules are here; issuing (:mod:`hall.queue.tickets.issuing`)
asks :func:`by_code` or :func:`by_id_number` for the appointment a ticket checks
in, and calls :func:`checked_in` in the transaction that issues it. A check-in
opens ``calling.appointment_early_min`` before the slot (:func:`check_in_opens`,
the one place that window is computed) and closes ``appointment_grace_min``
after it (``Context.grace_s``).

预约签到 without the code, by ID number or by face, uses what the booking handed
over. A booking (``POST /appointments``) may carry the booker's ID number and, with a
separate consent, a face template the booking site made with the hall's
engine. Neither is kept as given: the ID number becomes its keyed fingerprint
(:func:`hall.idnumber.id_fingerprint`, the one tickets use), the template
stays as feature vectors only. Both live in the ``appointment_checkin`` table,
one row per appointment, and the row is deleted

* in the transaction that issues the appointment's ticket (:func:`forget`), and
* once the slot and the appointment grace have passed (:func:`purge_expired`),
  lazily: on every booking, every ticket issued and every kiosk read of the
  templates. A hall without traffic keeps an expired row until the next of
  those (the daemon's periodic housekeeping can call it too).

On SQLite the delete runs with ``secure_delete`` on, so the template's bytes
are overwritten in the database file, not only unlinked from the b-tree. The
template is stored sealed besides (:mod:`hall.secrets.sealing`, bound to the
appointment's code), so a copy of the database without the key file holds no
face data even while the row lives.

Matching stays on the kiosk: :func:`open_faces` hands a kiosk the templates of
one service's appointments that can check in right now, and nothing else.
Nothing here is logged and no event carries any of it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from hall.config import HallConfig, ServiceConfig
from hall.idnumber import IdNumberError, id_fingerprint, validate_id_number
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.tickets import appointment_checkin_table as checkin
from hall.queue.core.tables.tickets import appointments_table
from hall.queue.core.writer import Tx
from hall.queue.tickets import views
from hall.secrets import sealing
from hall.secrets.keyring import Keyring

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BookingExtras:
    """What a booking keeps for check-in without the code (already checked)."""

    id_fp: str | None = None
    face_template: bytes | None = None
    face_consent: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to keep."""
        return self.id_fp is None and self.face_template is None


def _invalid(code: str, zh: str, en: str) -> QueueError:
    return QueueError(422, code, zh, en)


def fingerprint(id_number: str, key: bytes) -> str:
    """The keyed fingerprint of a valid ID number; 422 ``bad_id_number`` saying why not."""
    try:
        number = validate_id_number(id_number)
    except IdNumberError as exc:
        raise QueueError(422, *exc.api_error()) from None
    return id_fingerprint(number, key)


def parse_booking(
    config: HallConfig,
    id_key: bytes,
    id_number: str | None,
    face_template: str | None,
    face_consent: str | None,
) -> BookingExtras:
    """Check a booking's optional parts; 422 naming the field when one is wrong.

    A face template needs the consent version with it (and a consent alone
    means nothing); the template must be one of this hall's face engine,
    or the kiosks could not compare it.
    """
    fp = fingerprint(id_number, id_key) if id_number else None
    if face_template is None:
        if face_consent is not None:
            raise _invalid(
                "face_template_missing",
                "有 face_consent 而缺少 face_template:同意书只能随人脸模板一起提交",
                "face_consent was given without face_template",
            )
        return BookingExtras(id_fp=fp)
    if not face_consent:
        raise _invalid(
            "face_consent_missing",
            "缺少 face_consent:没有本人单独同意,不能保存人脸模板",
            "face_consent is required with face_template: no template without separate consent",
        )
    try:
        raw = base64.b64decode(face_template, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(
            "bad_face_template",
            "face_template 不是有效的base64",
            "face_template: not valid base64",
        ) from None
    # Imported here: NumPy only when a booking carries a face; never OpenCV (face_template).
    from hall.vision.face_template import FaceError, FaceTemplate

    try:
        template = FaceTemplate.from_bytes(raw)
    except (FaceError, ValueError, UnicodeDecodeError) as exc:
        raise _invalid(
            "bad_face_template",
            "face_template 不是人脸模板",
            f"face_template: {exc}",
        ) from None
    if template.engine != config.face.engine or template.features.size == 0:
        raise _invalid(
            "bad_face_template",
            f"face_template 由“{template.engine}”算法生成,本大厅使用“{config.face.engine}”",
            f"face_template: made by engine {template.engine!r}, "
            f"this hall uses {config.face.engine!r}",
        )
    return BookingExtras(fp, template.to_bytes(), face_consent)


def _template_aad(code: str) -> str:
    return f"appointment:{code}:face_template"


def keep(tx: Tx, code: str, slot_end: float, extras: BookingExtras, ring: Keyring) -> None:
    """Store a new appointment's check-in data, the template sealed (nothing if none given)."""
    if extras.empty:
        return
    face = extras.face_template
    tx.conn.execute(
        insert(checkin).values(
            code=code,
            slot_end=slot_end,
            id_fp=extras.id_fp,
            face_template=None if face is None else sealing.seal(ring, face, _template_aad(code)),
            face_consent=extras.face_consent,
            created_at=tx.now,
        )
    )


def _secure_delete(tx: Tx, condition: Any) -> int:
    """Delete rows overwriting their bytes (SQLite ``secure_delete``); return how many."""
    if not tx.conn.execute(select(checkin.c.code).where(condition).limit(1)).first():
        return 0  # the usual case, on every ticket issued: one index lookup
    sqlite = tx.conn.dialect.name == "sqlite"
    if sqlite:
        before = tx.conn.exec_driver_sql("PRAGMA secure_delete").scalar()
        tx.conn.exec_driver_sql("PRAGMA secure_delete=ON")
    try:
        return tx.conn.execute(delete(checkin).where(condition)).rowcount
    finally:
        if sqlite:
            tx.conn.exec_driver_sql(f"PRAGMA secure_delete={int(before)}")


def checked_in(tx: Tx, code: str, ticket_id: str) -> None:
    """The appointment's ticket is issued: mark it used, forget its check-in data now."""
    tx.conn.execute(
        update(appointments_table)
        .where(appointments_table.c.code == code)
        .values(ticket_id=ticket_id)
    )
    forget(tx, code)  # checked in: the transaction is over


def forget(tx: Tx, code: str) -> int:
    """The appointment checked in: its ID fingerprint and face template go, now."""
    return _secure_delete(tx, checkin.c.code == code)


def purge_expired(ctx: Context, tx: Tx) -> int:
    """Delete the check-in data of every appointment whose slot and grace have passed."""
    return _secure_delete(tx, checkin.c.slot_end < tx.now - ctx.grace_s)


def check_in_opens(ctx: Context, slot_start: Any) -> Any:
    """When an appointment's check-in opens: ``appointment_early_min`` before its slot.

    The one place the early window is computed; ``slot_start`` may be a number
    or a column (the same rule in a query).
    """
    return slot_start - ctx.config.calling.appointment_early_min * 60.0


def code_for_person(ctx: Context, tx: Tx, svc: ServiceConfig, fp: str) -> str:
    """The code of the appointment this person booked for ``svc`` today.

    The one whose check-in is open now (earliest slot first), else the next
    today (the caller's checks then say "too early, come back at ..."). 404
    ``no_appointment`` when there is none today; 409 when the person's
    appointment today is for another service. (``issue`` purged expired rows.)
    """
    rows = tx.conn.execute(
        select(
            appointments_table.c.code, appointments_table.c.service, appointments_table.c.slot_start
        )
        .join(checkin, checkin.c.code == appointments_table.c.code)
        .where(checkin.c.id_fp == fp, appointments_table.c.ticket_id.is_(None))
        .order_by(appointments_table.c.slot_start)
    ).all()
    today = ctx.day(tx.now)
    mine = [r for r in rows if ctx.day(r.slot_start) == today]
    here = [r for r in mine if r.service == svc.code]
    if not here:
        if mine:
            other = ctx.config.service(mine[0].service)
            name = other.name_zh if other else mine[0].service
            raise conflict(
                "appointment_other_service",
                f"您今天的预约属于“{name}”,请选择该业务",
                f"Your appointment today is for {other.name_en if other else mine[0].service}",
            )
        raise QueueError(
            404,
            "no_appointment",
            f"未找到该身份证号今天在“{svc.name_zh}”的预约,请核对号码,或使用预约码",
            f"No appointment today at {svc.name_en} for this ID number; "
            "check the number or use the appointment code",
        )
    open_now = [r for r in here if check_in_opens(ctx, r.slot_start) <= tx.now]
    return (open_now or here)[0].code


def by_code(ctx: Context, tx: Tx, svc: ServiceConfig, code: str) -> Any:
    """The appointment with this check-in code, if it can check in for ``svc`` now.

    404 for an unknown code; 409 when it was used, is for another service, or
    its check-in is not open (too early: the answer says from when; expired).
    """
    row = tx.conn.execute(
        select(appointments_table).where(appointments_table.c.code == code)
    ).first()
    if row is None:
        raise not_found(f"预约码{code}", f"appointment {code}", code="unknown_appointment")
    if row.ticket_id is not None:
        raise conflict("appointment_used", "该预约已签到取号", "This appointment has been used")
    if row.service != svc.code:
        other = ctx.config.service(row.service)
        name = other.name_zh if other else row.service
        raise conflict(
            "appointment_other_service",
            f"该预约属于“{name}”,请选择该业务",
            f"This appointment is for {row.service}",
        )
    if tx.now < check_in_opens(ctx, row.slot_start):
        opens = dt.datetime.fromtimestamp(check_in_opens(ctx, row.slot_start), ctx.schedule.tz)
        raise conflict(
            "appointment_too_early",
            f"预约时段未到,请于{opens:%H:%M}后签到",
            f"Too early for this appointment; check in after {opens:%H:%M}",
        )
    if tx.now > row.slot_end + ctx.grace_s:
        raise conflict(
            "appointment_expired",
            "预约时段已过,请取普通号",
            "The appointment slot has passed; please take an ordinary ticket",
        )
    return row


def by_id_number(
    ctx: Context, tx: Tx, svc: ServiceConfig, id_number: str | None, code: str | None
) -> tuple[str, Any]:
    """预约签到 by ID number: (fingerprint, appointment); no per-person limit (it is booked).

    ``code`` is the appointment code the request also gave: one way only.
    """
    if not id_number:
        raise QueueError(
            422,
            "id_number_required",
            "请输入身份证号码以查找预约",
            "appointment: true needs id_number",
        )
    if code:
        raise QueueError(
            422,
            "appointment_twice",
            "预约码和身份证号请只用一种方式签到",
            "Give appointment_code, or id_number with appointment: true, not both",
        )
    fp = fingerprint(id_number, ctx.id_key)
    return fp, by_code(ctx, tx, svc, code_for_person(ctx, tx, svc, fp))


def _check_horizon(ctx: Context, tx: Tx, slot_start: float, slot_end: float) -> None:
    """422 for a slot already over, or ending beyond ``appointments.horizon_days``.

    A booking keeps the booker's ID fingerprint and face template until its slot
    has passed: a slot years ahead would keep them for years.
    """
    if slot_end <= tx.now:
        raise QueueError(
            422,
            "slot_past",
            "预约时段已过，不能预约（slot_end）",
            "slot_end: the slot is already over",
        )
    days = ctx.config.appointments.horizon_days
    limit = tx.now + days * 86400
    if slot_end > limit:
        field = "slot_start" if slot_start > limit else "slot_end"
        raise QueueError(
            422,
            "slot_too_far",
            f"只能预约{days}天以内的时段（{field}）",
            f"{field}: slots can be booked at most {days} days ahead",
        )


def create_appointment(
    ctx: Context,
    tx: Tx,
    service: str,
    slot_start: float,
    slot_end: float,
    extras: BookingExtras | None = None,
) -> dict[str, Any]:
    """Book an appointment slot; returns its check-in code.

    ``extras`` (checked by :func:`parse_booking`): the booker's
    ID fingerprint and consented face template, kept until the check-in.
    """
    ctx.service_or_404(service)
    if slot_end <= slot_start:
        raise QueueError(
            422, "bad_slot", "预约时段结束时间应晚于开始时间", "slot_end must be after slot_start"
        )
    _check_horizon(ctx, tx, slot_start, slot_end)
    code = f"{secrets.randbelow(10**8):08d}"
    while tx.conn.execute(
        select(appointments_table.c.code).where(appointments_table.c.code == code)
    ).first():
        code = f"{secrets.randbelow(10**8):08d}"
    tx.conn.execute(
        insert(appointments_table).values(
            code=code, service=service, slot_start=slot_start, slot_end=slot_end, created_at=tx.now
        )
    )
    extras = extras or BookingExtras()
    keep(tx, code, slot_end, extras, ctx.keyring)
    purge_expired(ctx, tx)  # also a booking made after its slot
    return {
        "code": code,
        "service": service,
        "slot_start": views.iso(slot_start),
        "slot_end": views.iso(slot_end),
        "check_in": {
            "id_number": extras.id_fp is not None,
            "face": extras.face_template is not None,
        },
    }


def open_faces(ctx: Context, tx: Tx, service: str) -> list[dict[str, Any]]:
    """Templates of ``service``'s appointments that can check in now (kiosk role).

    Now means: not yet checked in, no earlier than ``appointment_early_min``
    before the slot, no later than the grace after it. The kiosk matches
    against these and destroys them after the attempt.
    """
    svc = ctx.service_or_404(service)
    purge_expired(ctx, tx)
    rows = tx.conn.execute(
        select(
            appointments_table.c.code,
            appointments_table.c.slot_end,
            checkin.c.face_template,
            checkin.c.face_consent,
        )
        .join(checkin, checkin.c.code == appointments_table.c.code)
        .where(
            appointments_table.c.service == svc.code,
            appointments_table.c.ticket_id.is_(None),
            checkin.c.face_template.is_not(None),
            check_in_opens(ctx, appointments_table.c.slot_start) <= tx.now,
        )
        .order_by(appointments_table.c.slot_start)
    ).all()
    out = []
    for r in rows:
        face = _template(ctx.keyring, r.code, r.face_template)
        if face is None:
            continue  # that person checks in by code or ID number instead
        out.append(
            {
                "code": r.code,
                "template": base64.b64encode(face).decode(),
                "consent": r.face_consent,
                "slot_end": views.iso(r.slot_end),
                "check_in_until": views.iso(r.slot_end + ctx.grace_s),
            }
        )
    return out


def _template(ring: Keyring, code: str, stored: bytes) -> bytes | None:
    """A booked template as the booking gave it; None (logged) if its seal does not open."""
    if not sealing.is_sealed(stored):
        return stored  # an older version's plain row: gone at its slot's end (purge_expired)
    try:
        return sealing.unseal(ring, stored, _template_aad(code))
    except sealing.SealError as exc:  # the key file or the disk: an operator's problem
        log.error("appointment %s: face template not usable: %s", code, exc)
        return None
