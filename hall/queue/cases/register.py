"""The case register (办件登记): every case, counter and kiosk alike, from receipt to pickup.

A case is opened by the clerk serving a ticket (source ``window``) or by a kiosk
submission (source ``kiosk``, hall/queue/cases/submissions.py, same receipt), then
moved by the actions of :mod:`hall.queue.cases.case_rules` (accept, return, supply,
extend, suspend, resume, finish, ready, deliver, reject; 联办/上报 steps in
:mod:`hall.queue.cases.case_steps`). Every action appends a ``case_events`` row (who,
when, the holder's department, the detail) and recomputes the clock from those events
(:mod:`hall.queue.cases.case_clock`), storing it on the row.

Window receipts are ``ZZ00`` + the hall-local date + 4 digits (``00`` is no kiosk's
terminal code, so the kiosk's 办件查询 keypad takes them too), numbered inside the
writer's transaction from the day's highest receipt: the number is committed with the
case or not at all, so a crash (kill -9) never issues one twice.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from hall.idnumber import id_fingerprint
from hall.queue.cases import case_clock, case_rules, case_steps, case_sync, submissions
from hall.queue.cases.case_listing import listing, summary, warning_of  # noqa: F401 - re-exported
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.cases import case_events_table, cases_table, submissions_table
from hall.queue.core.writer import Tx
from hall.secrets import sealing

C = cases_table
_BY_RECEIPT = select(C).where(C.c.receipt == bindparam("r"))
#: Window receipts: "ZZ" + "00" (the counter's terminal code) + YYYYMMDD + 4 digits.
COUNTER_PREFIX = "ZZ00"
#: The applicant column of a kiosk case: the data stays in its submission's row.
IN_SUBMISSION = "@submission"


@dataclass(frozen=True)
class NewCase:
    """A case to open: what the route or the kiosk submission has checked already."""

    matter: str
    kind: str
    department: str  # the lead department's code; "" when no department claims the matter
    limit_days: int  # the matter's 承诺时限 (working days)
    applicant: dict[str, Any]  # name, id_number, phone
    materials: list[dict[str, Any]]  # name, mandatory, present
    source: str = "window"
    ticket_id: str | None = None
    window: int | None = None
    receipt: str | None = None  # kiosk: the terminal's; window: allocated here
    submission_id: str | None = None
    missing: list[str] | None = None  # kiosk: as submitted; window: the absent mandatory ones
    co_departments: list[str] = field(default_factory=list)  # 联办件
    received_on: dt.date | None = None  # kiosk: the day it was submitted (default: today)


def aad(receipt: str) -> str:
    """What a window case's sealed applicant is bound to."""
    return f"case:{receipt}:applicant"


def get_row(tx: Tx, receipt: str) -> Any:
    """The case row for ``receipt`` (case-insensitive), or 404."""
    row = tx.conn.execute(_BY_RECEIPT, {"r": receipt.strip().upper()}).first()
    if row is None:
        raise not_found(f"办件{receipt}", f"case {receipt}", code="unknown_case")
    return row


def involved(tx: Tx, row: Any) -> frozenset[str]:
    """The 联办 co-departments of a case (they read it and mark their steps)."""
    return frozenset(s.department for s in case_steps.steps(tx.conn, row.receipt) if s.role == "co")


def _next_receipt(tx: Tx, day: dt.date) -> str:
    prefix = f"{COUNTER_PREFIX}{day:%Y%m%d}"
    highest = tx.conn.execute(
        select(func.max(C.c.receipt)).where(C.c.receipt.like(prefix + "%"))
    ).scalar()
    seq = int(highest[len(prefix) :]) + 1 if highest else 1
    if seq > 9999:
        raise conflict(
            "receipts_exhausted",
            "今日窗口收件编号已用完",
            "Every counter receipt number of today is used",
        )
    return f"{prefix}{seq:04d}"


def _record(
    tx: Tx,
    ctx: Context,
    receipt: str,
    action: str,
    status: str,
    actor: str,
    dept: str,
    detail: dict,
) -> None:
    tx.conn.execute(
        case_events_table.insert(),
        {
            "receipt": receipt,
            "ts": tx.now,
            "day": ctx.local_date(tx.now).isoformat(),
            "action": action,
            "status": status,
            "actor": actor,
            "department": dept,
            "detail": json.dumps(detail, ensure_ascii=False),
        },
    )


def _reclock(ctx: Context, tx: Tx, receipt: str, today: dt.date) -> Any:
    """Recompute the clock from the events and store it; the row as saved."""
    row = tx.conn.execute(_BY_RECEIPT, {"r": receipt}).one()
    yellow = ctx.config.cases.yellow_days
    clock = case_clock.compute(
        ctx.calendar, row, case_clock.events(tx.conn, receipt), today, yellow
    )
    values = case_clock.columns(ctx.calendar, clock, yellow)
    tx.conn.execute(C.update().where(C.c.receipt == receipt), values)
    return tx.conn.execute(_BY_RECEIPT, {"r": receipt}).one()


def open_case(
    ctx: Context, tx: Tx, actor: case_rules.Who | str, body: NewCase, today: dt.date
) -> Any:
    """Open a case (status received, or returned when mandatory materials are missing).

    ``actor``: the clerk or manager opening it, or ``"terminal <id>"`` for a kiosk
    submission. Returns the stored row.
    """
    if body.kind not in case_rules.KINDS:
        raise QueueError(
            422, "bad_kind", f"办件类型“{body.kind}”无效", f"kind must be one of {case_rules.KINDS}"
        )
    receipt = body.receipt or _next_receipt(tx, ctx.local_date(tx.now))
    received_on = body.received_on or today
    if tx.conn.execute(_BY_RECEIPT, {"r": receipt}).first() is not None:
        raise conflict("receipt_taken", "回执编号重复", f"receipt {receipt} is already used")
    if body.missing is not None:
        missing = list(body.missing)
    else:
        missing = [m["name"] for m in body.materials if m["mandatory"] and not m["present"]]
    status = "returned" if missing else "received"
    name = actor.actor if isinstance(actor, case_rules.Who) else actor
    dept = actor.holder(body.department) if isinstance(actor, case_rules.Who) else body.department
    number = str(body.applicant.get("id_number", ""))
    if body.source == "kiosk":
        applicant = IN_SUBMISSION
    else:
        text = json.dumps(body.applicant, ensure_ascii=False)
        applicant = sealing.seal_text(ctx.keyring, text, aad(receipt))
    tx.conn.execute(
        C.insert(),
        {
            "receipt": receipt,
            "source": body.source,
            "submission_id": body.submission_id,
            "ticket_id": body.ticket_id,
            "matter": body.matter,
            "department": body.department,
            "kind": body.kind,
            "status": status,
            "received_at": tx.now,
            "received_on": received_on.isoformat(),
            "limit_days": body.limit_days,
            "window": body.window,
            "opened_by": name,
            "id_fp": id_fingerprint(number, ctx.id_key),
            "applicant": applicant,
            "materials": json.dumps(body.materials, ensure_ascii=False),
            "missing": json.dumps(missing, ensure_ascii=False),
            "clock_state": "running",
            "returns": 1 if missing else 0,
            "updated_at": tx.now,
        },
    )
    detail: dict[str, Any] = {"kind": body.kind, "source": body.source}
    if missing:
        detail["missing"] = missing
    _record(tx, ctx, receipt, "open", status, name, dept, detail)
    row = _reclock(ctx, tx, receipt, today)
    if body.kind == "联办件" or body.co_departments:
        case_steps.open_steps(ctx, tx, row, body.co_departments, today)
    emit(tx, row)
    return row


def act(
    ctx: Context,
    tx: Tx,
    who: case_rules.Who,
    receipt: str,
    action: str,
    body: dict[str, Any],
    today: dt.date,
    catalogue: Any = None,
) -> Any:
    """Take ``action`` on the case (rules: case_rules); returns the row as saved.

    ``body`` is the action's checked body (missing, note, days, reason, basis, by,
    tracking, id_number, seq, to). 403 for a caller who may not, 409 for a wrong state.
    """
    row = get_row(tx, receipt)
    co = involved(tx, row)
    case_rules.check_action(ctx.config, catalogue, who, action, row.department, row.matter, co)
    new = case_rules.next_status(action, row.status, row.kind)
    values: dict[str, Any] = {"status": new, "updated_at": tx.now}
    detail = {k: v for k, v in body.items() if v not in (None, "", []) and k != "id_number"}
    if action == "return":
        values["missing"] = json.dumps(body["missing"], ensure_ascii=False)
        values["returns"] = row.returns + 1
    elif action == "supply":
        values["missing"] = "[]"
    elif action == "extend":
        values["extensions"] = row.extensions + 1
    elif action == "suspend":
        values["suspensions"] = row.suspensions + 1
    elif action in ("finish", "reject"):
        values["finished_on"] = today.isoformat()
        values["finished_by"] = who.actor
    elif action == "deliver" and body.get("by") == "window":
        if row.id_fp != id_fingerprint(str(body.get("id_number") or ""), ctx.id_key):
            raise QueueError(
                422,
                "id_mismatch",
                "证件号码与申请人不符，不能领取",
                "The ID number does not match the applicant's: the case cannot be handed over",
            )
        detail["id_checked"] = True
    elif action in ("step", "report_up", "answered"):
        detail.update(case_steps.act(tx, row, action, body, who, today))
    tx.conn.execute(C.update().where(C.c.receipt == row.receipt), values)
    dept = who.holder(detail.get("step_department") or row.department)
    _record(tx, ctx, row.receipt, action, new, who.actor, dept, detail)
    saved = _reclock(ctx, tx, row.receipt, today)
    emit(tx, saved)
    if saved.submission_id is not None:  # a kiosk case: its submission follows
        legacy = f"staff {who.staff_id}" if who.role == "staff" else who.actor
        sub = case_sync.sync(tx, saved, action, {**detail, "note": body.get("note")}, legacy)
        if sub is not None:
            tx.emit("submission.changed", {"submission": submissions.summary(sub, today)})
    return saved


def emit(tx: Tx, row: Any) -> None:
    """``case.changed`` for staff and managers (hall/queue/web/api/events.py): no personal data."""
    tx.emit("case.changed", {"case": summary(row)})


def submission_row(tx: Tx, row: Any) -> Any:
    """The kiosk submission of a kiosk case (None for a window case)."""
    if row.submission_id is None:
        return None
    return tx.conn.execute(
        select(submissions_table).where(submissions_table.c.id == row.submission_id)
    ).first()


def view(
    tx: Tx,
    row: Any,
    today: dt.date,
    ring: Any,
    full: bool,
    *,
    ctx: Context,
    catalogue: Any = None,
) -> dict[str, Any]:
    """The single-case view (hall/queue/cases/case_views.py ``view``; ``ctx`` for the clock)."""
    from hall.queue.cases import case_views  # it reads this module's helpers

    return case_views.view(tx, row, today, ring, full, ctx=ctx, catalogue=catalogue)
