"""The single-case view of the register (``GET /api/v1/cases/{receipt}``), notices read it.

The shape is the issue's shared design (docs/ARCHITECTURE.md, "cases"): the case,
its live clock (:mod:`hall.queue.cases.case_clock`), the applicant (the full ID
number only when ``full``: staff of the case's department and managers), the
materials, the last extension, refusal and delivery, the 联办/上报 steps with how
long each department held the case, and the whole history. Lists never use this
view: they carry :func:`hall.queue.cases.case_listing.summary`, no personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hall.idnumber import mask_id_number, mask_name
from hall.queue.cases import case_clock, case_rules, case_steps, sealed
from hall.queue.cases.personal_data import mask_phone
from hall.queue.cases.register import IN_SUBMISSION, aad, submission_row
from hall.queue.core.context import Context
from hall.queue.core.writer import Tx
from hall.queue.tickets import views
from hall.secrets import sealing
from hall.secrets.keyring import Keyring


def applicant(tx: Tx, row: Any, ring: Keyring) -> dict[str, Any]:
    """The applicant of a case, opened (a kiosk case's from its submission; {} once archived)."""
    if row.applicant == IN_SUBMISSION:
        sub = submission_row(tx, row)
        if sub is None:
            return {}
        found = sealed.open_json(ring, sub.id, "applicant", sub.applicant)
        found.pop("identity_check", None)
        return found
    if row.applicant == sealed.ARCHIVED:
        return {}
    try:
        return json.loads(sealing.unseal_text(ring, row.applicant, aad(row.receipt)))
    except sealing.SealError as exc:
        raise sealed.UnreadableCase(row.receipt, "applicant") from exc


def _names(ctx: Context, catalogue: Any, row: Any) -> tuple[dict, dict]:
    matter = catalogue.get(row.matter) if catalogue is not None else None
    matter_name = (
        {"zh": matter.name, "en": matter.name_en or matter.name}
        if matter
        else {"zh": row.matter, "en": row.matter}
    )
    dept = ctx.config.department(row.department) if row.department else None
    dept_name = (
        {"zh": dept.name_zh, "en": dept.name_en}
        if dept
        else {"zh": row.department or "", "en": row.department or ""}
    )
    return matter_name, dept_name


def _last(history: list[dict[str, Any]], action: str, keys: tuple[str, ...]) -> dict | None:
    found = [h for h in history if h["action"] == action]
    return {k: found[-1]["detail"].get(k) for k in keys} if found else None


def _action_label(action: str) -> dict[str, str]:
    zh, en = case_rules.ACTION_LABELS.get(action, (action, action))
    return {"zh": zh, "en": en}


def history(ctx: Context, events: list[Any]) -> list[dict[str, Any]]:
    """The case's history: every action, who, when, the holder's department, why."""
    return [
        {
            "ts": views.iso(ev.ts),
            "day": ev.day,
            "action": ev.action,
            "action_label": _action_label(ev.action),
            "status": ev.status,
            "actor": ev.actor,
            "department": ev.department,
            "detail": json.loads(ev.detail),
        }
        for ev in events
    ]


def clock_of(ctx: Context, tx: Tx, row: Any, today: dt.date) -> dict[str, Any]:
    """The case's clock as it stands ``today`` (the view's ``clock``)."""
    events = case_clock.events(tx.conn, row.receipt)
    clock = case_clock.compute(ctx.calendar, row, events, today, ctx.config.cases.yellow_days)
    return case_clock.as_view(clock)


def view(
    tx: Tx,
    row: Any,
    today: dt.date,
    ring: Keyring,
    full: bool,
    *,
    ctx: Context,
    catalogue: Any = None,
) -> dict[str, Any]:
    """The single-case view (personal data: the full ID number only when ``full``)."""
    events = case_clock.events(tx.conn, row.receipt)
    clock = case_clock.compute(ctx.calendar, row, events, today, ctx.config.cases.yellow_days)
    hist = history(ctx, events)
    person = applicant(tx, row, ring)
    shown = {
        "name": person.get("name", ""),
        "id_number": person.get("id_number", ""),
        "phone": person.get("phone"),
    }
    if not full:
        shown = {
            "name": mask_name(str(shown["name"])),
            "id_number": mask_id_number(str(shown["id_number"])),
            "phone": mask_phone(str(shown["phone"])) if shown["phone"] else None,
        }
    matter_name, dept_name = _names(ctx, catalogue, row)
    found = case_steps.steps(tx.conn, row.receipt)
    return {
        "receipt": row.receipt,
        "source": row.source,
        "matter": row.matter,
        "matter_name": matter_name,
        "department": row.department,
        "department_name": dept_name,
        "kind": row.kind,
        "status": row.status,
        "status_label": case_rules.label(row.status),
        "received_at": views.iso(row.received_at),
        "received_on": row.received_on,
        "limit_days": row.limit_days,
        "window": row.window,
        "opened_by": row.opened_by,
        "ticket_id": row.ticket_id,
        "clock": case_clock.as_view(clock),
        "applicant": shown,
        "personal_data": "full" if full else "masked",
        "archived": row.applicant == sealed.ARCHIVED
        or (row.applicant == IN_SUBMISSION and not person),
        "materials": json.loads(row.materials),
        "missing": json.loads(row.missing),
        "counts": {
            "extensions": row.extensions,
            "suspensions": row.suspensions,
            "returns": row.returns,
        },
        "extension": _last(hist, "extend", ("days", "reason")),
        "rejection": _last(hist, "reject", ("reason", "basis")),
        "delivery": _last(hist, "deliver", ("by", "tracking")),
        "steps": [
            {
                "seq": s.seq,
                "role": s.role,
                "department": s.department,
                "received_at": views.iso(s.received_at) if s.received_at else None,
                "due_date": s.due_date,
                "done_at": views.iso(s.done_at) if s.done_at else None,
                "note": s.note,
            }
            for s in found
        ],
        "holding": case_steps.holding(found, tx.now),
        "history": hist,
    }
