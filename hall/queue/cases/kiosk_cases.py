"""Kiosk submissions as cases of the register, and the old ``/submissions`` actions as aliases.

A submission received from a terminal opens a register case in the same
transaction (:func:`opener`): source ``kiosk``, the terminal's receipt, the
department owning the matter (config ``departments:``; "" when none does), the kind
and time limit of the catalogue, ``opened_by`` "terminal <id>", received (or
returned, with its missing items, when mandatory materials were skipped). The
applicant stays in the submission's sealed row only.

``POST /submissions/{id}/{action}`` acts through the register (:func:`alias_body`):
accept, return, supply, finish as they are; ``reject`` is the register's refusal,
with the note as the reason and the matter's legal basis from the catalogue.
Submissions received before the register existed have no case and keep the old
rules (hall/queue/cases/submissions.py ``act``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from hall.queue.cases import case_rules, register
from hall.queue.core.context import Context
from hall.queue.core.tables.cases import cases_table
from hall.queue.core.writer import Tx

#: A refusal through the old route names no reason: this one is recorded.
DEFAULT_REASON = "不符合受理条件 / does not meet the conditions"


def case_of_submission(tx: Tx, sid: str) -> Any:
    """The register case of a submission, or None (received before the register)."""
    return tx.conn.execute(select(cases_table).where(cases_table.c.submission_id == sid)).first()


def new_case(ctx: Context, catalogue: Any, item: Any) -> register.NewCase:
    """The register case of a kiosk submission (``item``: submissions.Incoming)."""
    matter = catalogue.get(item.matter) if catalogue is not None else None
    kind = matter.case_type.value if matter is not None else "承诺件"
    if kind not in case_rules.KINDS:
        kind = "承诺件"
    limit = 0 if matter is None or kind == case_rules.IMMEDIATE else matter.promised_days
    dept = ctx.config.department_of_matter(item.matter)
    present = [
        {"name": m["name"], "mandatory": bool(m["mandatory"]), "present": True}
        for m in item.materials
    ]
    absent = [{"name": n, "mandatory": True, "present": False} for n in item.missing]
    return register.NewCase(
        matter=item.matter,
        kind=kind,
        department=dept.code if dept else "",
        limit_days=limit,
        applicant={"id_number": str(item.applicant.get("id_number", ""))},
        materials=present + absent,
        source="kiosk",
        receipt=item.receipt,
        submission_id=item.id,
        missing=list(item.missing),
        received_on=ctx.local_date(item.submitted_at),
    )


def opener(ctx: Context, catalogue: Any, item: Any) -> Callable[[Tx], None]:
    """What ``submissions.receive`` runs in its transaction to open the case."""

    def open_it(tx: Tx) -> None:
        today = ctx.local_date(tx.now)
        body = new_case(ctx, catalogue, item)
        if body.received_on is not None and body.received_on > today:
            body = register.NewCase(**{**body.__dict__, "received_on": today})  # a fast clock
        register.open_case(ctx, tx, f"terminal {item.terminal}", body, today)

    return open_it


def alias_body(action: str, note: str, missing: list[str], matter: Any) -> dict[str, Any]:
    """The register body of an old-route action."""
    body: dict[str, Any] = {"note": note}
    if action == "return":
        body["missing"] = missing
    if action == "reject":
        body["reason"] = note or DEFAULT_REASON
        body["basis"] = matter.legal_basis if matter is not None else "—"
    return body


def today_of(ctx: Context, tx: Tx) -> dt.date:
    """The hall-local date of the transaction."""
    return ctx.local_date(tx.now)
