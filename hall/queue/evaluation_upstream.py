"""What the provincial 好差评 system receives, and starting its forwarder.

Each outbox row of target ``evaluation`` names a ledger record
(``ledger:<id>``: a rating or an appeal) or a rectification step
(``step:<id>``: the outcome of a 差评). The idempotency key is stable
(``rating-<id>``, ``rect-<case>-<step>``), so a repeat after a lost answer is
harmless; the body says which hall it comes from and, for a rating, carries
its ledger hash so the platform can hold the hall to it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import select

from hall.queue import evaluation, ledger, rectification, views
from hall.queue.store import rectification_steps
from hall.queue.upstream import Forwarder
from hall.queue.writer import Tx
from hall.workdays import CalendarError, WorkCalendar

log = logging.getLogger(__name__)


def payload(tx: Tx, ref: str, hall: str) -> dict[str, Any]:
    """The JSON body for one outbox row."""
    kind, _, ident = ref.partition(":")
    if kind == "ledger":
        row = ledger.get(tx.conn, int(ident))
        view = evaluation.record_view(row)
        return {"type": "appeal" if row.kind == "appeal" else "rating", "hall": hall, **view}
    step = tx.conn.execute(
        select(rectification_steps).where(rectification_steps.c.id == int(ident))
    ).one()
    case = rectification.get(tx.conn, step.case_id)
    return {
        "type": "rectification",
        "hall": hall,
        "case": rectification.case_view(case, dt.date.fromisoformat(step.day)),
        "step": step.step,
        "ts": views.iso(step.ts),
        "day": step.day,
        "actor": step.actor,
        "data": json.loads(step.data),
    }


def start(service: Any) -> Forwarder | None:
    """Install the ledger's policy, migrate old ratings, start forwarding if configured."""
    config = service.config
    endpoint = config.upstream.evaluation
    try:
        calendar = WorkCalendar.load(
            config.submissions.holidays,
            closed_dates=config.hall.hours.closed_dates,
            open_dates=config.hall.hours.open_dates,
        )
    except CalendarError:
        log.exception(
            "差评 deadlines: the hall's holiday tables cannot be read; using the built-in"
        )
        calendar = None
    evaluation.install(
        evaluation.Policy(
            rectification=config.rectification,
            calendar=calendar,
            forward=endpoint is not None,
            timezone=config.hall.timezone,
        )
    )
    service.writer.call(evaluation.migrate_legacy)
    if endpoint is None:
        return None
    hall = config.hall.name
    return Forwarder(
        service.writer,
        evaluation.UPSTREAM,
        endpoint,
        lambda ref: service.writer.call(lambda tx: payload(tx, ref, hall)),
    ).start()
