"""Staff attendance (考勤): check-in (签到), check-out, leave, face consent, reports.

Check-in opens the window through :func:`hall.queue.tickets.sessions.login` (AB岗 rule
included) and records how it was done: ``face`` (a registered window terminal
matched the face locally), ``pin`` (id + PIN, always available) or ``manual``
(a manager's correction with an explicit time). The daemon keeps these
records and the consent to face check-in, never a face template.

A face claim is not taken on trust: it must come with the token of a face
terminal configured at that window, and the staff member must have an active
consent whose template is held by that very terminal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update

from hall.config import AttendanceSection, FaceTerminalConfig, parse_hhmm
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, forbidden
from hall.queue.core.tables.attendance import attendance_table, face_consents_table
from hall.queue.core.writer import Tx
from hall.queue.tickets import sessions

FACE, PIN, MANUAL = "face", "pin", "manual"


def local_day(ctx: Context, ts: float) -> dt.date:
    """The calendar day (hall time zone) a moment falls on."""
    return ctx.local_date(ts)


def _person(ctx: Context, staff_id: str) -> Any:
    person = ctx.config.staff_member(staff_id)
    if person is None:
        raise QueueError(
            404, "unknown_staff", f"工号{staff_id}不存在", f"staff {staff_id} not found"
        )
    return person


def record(
    ctx: Context, tx: Tx, staff_id: str, kind: str, ts: float, method: str, actor: str, **extra: Any
) -> dict[str, Any]:
    """Store one attendance record and emit ``attendance.recorded``."""
    _person(ctx, staff_id)
    values = {
        "staff_id": staff_id,
        "day": (extra.pop("day", None) or local_day(ctx, ts)).isoformat(),
        "kind": kind,
        "ts": ts,
        "method": method,
        "actor": actor,
        "note": extra.pop("note", ""),
        **extra,
    }
    row_id = tx.conn.execute(insert(attendance_table).values(**values)).inserted_primary_key[0]
    view = {"id": row_id, **values}
    tx.emit("attendance.recorded", {k: view[k] for k in ("staff_id", "day", "kind", "method")})
    return view


def check_in(
    ctx: Context, tx: Tx, staff_id: str, window: int, method: str, actor: str, **extra: Any
) -> dict[str, Any]:
    """Open the window for the staff member (AB rule) and record the check-in."""
    opened = sessions.login(ctx, tx, staff_id, window)
    rec = record(ctx, tx, staff_id, "checkin", tx.now, method, actor, window=window, **extra)
    return {**opened, "attendance": rec}


def face_check_in(
    ctx: Context, tx: Tx, terminal: FaceTerminalConfig, staff_id: str, window: int, engine: str
) -> dict[str, Any]:
    """A window terminal matched ``staff_id``'s face: check the claim, then check in."""
    _person(ctx, staff_id)
    if window not in terminal.windows:
        raise forbidden(
            f"该终端不在{window}号窗口", f"terminal {terminal.name} is not at window {window}"
        )
    consent = active_consent(tx, staff_id)
    if consent is None or consent.terminal != terminal.name:
        raise QueueError(
            403,
            "no_face_consent",
            "未登记人脸签到或已撤回同意,请使用工号和密码签到",
            f"{staff_id} has no face enrolment on terminal {terminal.name}: use id + PIN",
        )
    return check_in(
        ctx,
        tx,
        staff_id,
        window,
        FACE,
        f"terminal:{terminal.name}",
        terminal=terminal.name,
        engine=engine,
    )


def check_out(ctx: Context, tx: Tx, token_hash: str | None) -> dict[str, Any]:
    """签退: record the check-out of a staff session and close its window."""
    session = sessions.staff_session(tx, token_hash)
    rec = record(
        ctx, tx, session.staff_id, "checkout", tx.now, PIN, session.staff_id, window=session.window
    )
    closed = sessions.logout(ctx, tx, token_hash)
    return {**closed, "attendance": rec}


def active_consent(tx: Tx, staff_id: str) -> Any:
    """The staff member's face consent in force, or None."""
    query = select(face_consents_table).where(
        face_consents_table.c.staff_id == staff_id, face_consents_table.c.withdrawn_at.is_(None)
    )
    return tx.conn.execute(query.order_by(face_consents_table.c.id.desc())).first()


def give_consent(
    ctx: Context, tx: Tx, staff_id: str, terminal: str, version: str, actor: str
) -> dict[str, Any]:
    """Record consent to face check-in (who, when, text version, where the template is)."""
    _person(ctx, staff_id)
    if ctx.config.attendance.terminal(terminal) is None:
        raise QueueError(
            404, "unknown_terminal", f"终端{terminal}不存在", f"terminal {terminal} not found"
        )
    withdraw_consent(ctx, tx, staff_id, actor, quiet=True)  # a new enrolment replaces the old
    values = {
        "staff_id": staff_id,
        "terminal": terminal,
        "consent_version": version,
        "consented_at": tx.now,
        "actor": actor,
    }
    row_id = tx.conn.execute(insert(face_consents_table).values(**values)).inserted_primary_key[0]
    return {"id": row_id, **values, "withdrawn_at": None}


def withdraw_consent(
    ctx: Context, tx: Tx, staff_id: str, actor: str, quiet: bool = False
) -> dict[str, Any]:
    """撤回同意: the terminal must destroy the template (it follows the consent list)."""
    done = tx.conn.execute(
        update(face_consents_table)
        .where(
            face_consents_table.c.staff_id == staff_id, face_consents_table.c.withdrawn_at.is_(None)
        )
        .values(withdrawn_at=tx.now)
    ).rowcount
    if done and not quiet:
        tx.emit("face.consent_withdrawn", {"staff_id": staff_id})
    return {"staff_id": staff_id, "withdrawn": done}


def consents(tx: Tx, terminal: str | None = None) -> list[dict[str, Any]]:
    """Consents in force (for one terminal: whose templates it may keep)."""
    query = select(face_consents_table).where(face_consents_table.c.withdrawn_at.is_(None))
    if terminal is not None:
        query = query.where(face_consents_table.c.terminal == terminal)
    return [dict(r._mapping) for r in tx.conn.execute(query.order_by(face_consents_table.c.id))]


def classify(
    rules: AttendanceSection,
    tz: dt.tzinfo,
    day: dt.date,
    checkin: float | None,
    checkout: float | None,
    leave: bool,
    now: float,
) -> dict[str, Any]:
    """One staff member's day under the rules: its status and the minutes late and early.

    More than ``late_after_min`` late or ``early_before_min`` early counts as late /
    early (both: "late_early"); more than ``absent_after_min`` either way as absent
    (旷工), as does no check-in that long after the shift starts (before then:
    "pending"). A leave day is "leave". ``checkin``, ``checkout`` and ``now`` are
    epoch seconds.
    """
    start = dt.datetime.combine(day, parse_hhmm(rules.shift.start), tz).timestamp()
    end = dt.datetime.combine(day, parse_hhmm(rules.shift.end), tz).timestamp()
    late = None if checkin is None else round((checkin - start) / 60, 1)
    early = None if checkout is None else round((end - checkout) / 60, 1)
    out = {"late_min": late, "early_min": early, "missing_checkout": checkout is None}
    if leave:
        return {**out, "status": "leave"}
    if checkin is None:
        pending = now < start + rules.absent_after_min * 60
        return {**out, "status": "pending" if pending else "absent"}
    if late > rules.absent_after_min or (early is not None and early > rules.absent_after_min):
        return {**out, "status": "absent"}
    flags = []
    if late > rules.late_after_min:
        flags.append("late")
    if early is not None and early > rules.early_before_min:
        flags.append("early")
    return {**out, "status": "_".join(flags) or "normal"}
