"""办件查询 over the whole register: kiosk and counter cases alike, with the clock.

The kiosk's ``POST /api/v1/progress`` and the citizen's ``/progress`` page find a
case by receipt + ID number (the ID only compared with the keyed fingerprint). A
kiosk case answers as before (hall/queue/cases/submissions.py ``progress``); a
counter case answers in the same shape, its status in the submissions' words
(case_sync.SUBMISSION_STATUS, so the screens that know them keep working) and the
register's own in ``case_status``. Both add ``clock``: days used and left, the
promised date, and while it is stopped, since when and why (zh/en).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hall.idnumber import id_fingerprint
from hall.queue.cases import case_rules, case_sync, case_views, register, sealed, submissions
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, not_found
from hall.queue.core.writer import Tx
from hall.queue.tickets import views


def _case(tx: Tx, receipt: str) -> Any:
    return tx.conn.execute(register._BY_RECEIPT, {"r": receipt}).first()


def progress(ctx: Context, tx: Tx, receipt: str, id_number: str, today: dt.date) -> dict:
    """The case for a receipt if the ID number matches (else 404, the same for both)."""
    receipt = receipt.strip().upper()
    case = _case(tx, receipt)
    if case is None or case.source == "kiosk":
        found = submissions.progress(tx, receipt, id_number, ctx.id_key, today)
        if case is not None:
            found.update(_register_part(ctx, tx, case, today))
        return found
    if case.applicant == sealed.ARCHIVED:
        raise QueueError(
            410,
            "case_archived",
            "该办件已办结并归档,按规定已删除申请人信息,无法在线查询,请到窗口咨询",
            "This case was closed and archived; its personal data was deleted as the"
            " retention rules require, so it cannot be looked up: ask at a window",
        )
    if case.id_fp != id_fingerprint(id_number, ctx.id_key):
        raise not_found(
            "与该回执和证件号码相符的办件", "a case for this receipt and ID", code="unknown_case"
        )
    status = case_sync.SUBMISSION_STATUS[case.status]
    history = []
    for ev in case_views.history(ctx, case_views.case_clock.events(tx.conn, receipt)):
        old = case_sync.SUBMISSION_STATUS[ev["status"]]
        history.append(
            {
                "ts": ev["ts"],
                "status": old,
                "label": case_rules.label(ev["status"]),
                "note": ev["action_label"]["zh"],
            }
        )
    part = _register_part(ctx, tx, case, today)
    return {
        "id": None,
        "receipt": case.receipt,
        "matter": case.matter,
        "terminal": None,
        "status": status,
        "status_label": part["case_status_label"],
        "submitted_at": views.iso(case.received_at),
        "received_at": views.iso(case.received_at),
        "promised_date": case.promised_date,
        "missing": case_sync.missing_of(case),
        "overdue": part["clock"]["warning"] == "red",
        "history": history,
        **part,
    }


def _register_part(ctx: Context, tx: Tx, case: Any, today: dt.date) -> dict[str, Any]:
    return {
        "source": case.source,
        "kind": case.kind,
        "case_status": case.status,
        "case_status_label": case_rules.label(case.status),
        "clock": case_views.clock_of(ctx, tx, case, today),
    }
