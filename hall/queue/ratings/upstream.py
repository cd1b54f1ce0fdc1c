"""What the provincial 好差评 system receives, and starting its forwarder.

Each outbox row of target ``evaluation`` names a ledger record
(``ledger:<id>``: a rating or an appeal) or a rectification step
(``step:<id>``: the outcome of a 差评). The idempotency key is stable
(``rating-<id>``, ``rect-<case>-<step>``), so a repeat after a lost answer is
harmless; the body says which hall it comes from and, for a rating, carries
its ledger hash so the platform can hold the hall to it. Every body carries
``head`` (id, hash and MAC of a ledger row, anchor.py): for a rating or an
appeal the chain as of that record, for a rectification step the chain when
the body is sent; the platform so holds a trail of heads.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import select

from hall.queue.core.outbox import Forwarder
from hall.queue.core.tables.ratings import rectification_steps_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import anchor, ledger, ratings, rectification
from hall.queue.tickets import views

log = logging.getLogger(__name__)


def payload(tx: Tx, ref: str, hall: str) -> dict[str, Any]:
    """The JSON body for one outbox row."""
    kind, _, ident = ref.partition(":")
    if kind == "ledger":
        row = ledger.get(tx.conn, int(ident))
        view = ratings.record_view(row)
        kind = "appeal" if row.kind == "appeal" else "rating"
        return {"type": kind, "hall": hall, **view, "head": anchor.head_of(row)}
    step = tx.conn.execute(
        select(rectification_steps_table).where(rectification_steps_table.c.id == int(ident))
    ).one()
    case = rectification.get(tx.conn, step.case_id)
    current = anchor.head(tx.conn)
    return {
        "type": "rectification",
        "hall": hall,
        "case": rectification.case_view(case, dt.date.fromisoformat(step.day)),
        "step": step.step,
        "ts": views.iso(step.ts),
        "day": step.day,
        "actor": step.actor,
        "data": json.loads(step.data),
        "head": current.to_json() if current else None,
    }


def start(daemon: Any) -> Forwarder | None:
    """Anchor and migrate old ledgers, start forwarding if configured (``daemon``: HallDaemon).

    Typed ``Any``: the daemon module imports this one, and a type-only import
    back would be a cycle for ``scripts/import_cycles.py --deferred``.
    """
    config = daemon.config
    endpoint = config.upstream.evaluation
    daemon.writer.call(lambda tx: anchor.anchor_store(tx, daemon.keyring))
    daemon.writer.call(lambda tx: ratings.migrate_legacy(daemon.ctx, tx))
    if endpoint is None:
        return None
    hall = config.hall.name
    return Forwarder(
        daemon.writer,
        ratings.UPSTREAM,
        endpoint,
        lambda ref: daemon.writer.call(lambda tx: payload(tx, ref, hall)),
    ).start()
