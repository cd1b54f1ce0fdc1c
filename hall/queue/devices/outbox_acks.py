"""Staff take up a case a terminal's outbox could not deliver (issue 13).

A case the daemon refused for good (hall/kiosk/forwarding.py ``FINAL_REFUSALS``)
stays on its terminal with the citizen's data: the citizen holds a receipt, so
someone must take it up. The terminal reports such cases with its outbox
device (``POST /devices/report``, ``rejected``: receipt and reason code, no
personal data). A manager acknowledges one (:func:`ack`, recorded with the
person); the terminal learns of it in the answer to its next report
(:func:`acked_for`), removes the case's personal data and images, and stops
reporting it, which marks the acknowledgement ``cleared``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update

from hall.queue.core.tables.security import outbox_acks_table as A
from hall.queue.core.writer import Tx

#: The event managers see when a refused case is acknowledged (no other role does).
ACKED = "outbox.acked"


def ack(
    tx: Tx, device: str, receipt: str, reason: str, source: str, by: str, note: str, tz: dt.tzinfo
) -> dict[str, Any]:
    """Record that ``by`` took up the refused case ``receipt`` of ``device`` (once)."""
    key = (A.c.device == device) & (A.c.receipt == receipt)
    found = tx.conn.execute(select(A).where(key)).first()
    if found is None:
        tx.conn.execute(
            insert(A).values(
                device=device,
                receipt=receipt,
                reason=reason,
                source=source,
                acked_by=by,
                acked_at=tx.now,
                note=note,
            )
        )
        found = tx.conn.execute(select(A).where(key)).one()
        tx.emit(ACKED, {"device": device, "receipt": receipt, "reason": reason, "by": by})
    return _view(found, tz)


def acked_for(tx: Tx, device: str, source: str, reported: Iterable[str]) -> list[str]:
    """The receipts among ``reported`` that are acknowledged, for the terminal to clear.

    Acknowledged cases the terminal no longer reports have been cleared there:
    their ``cleared_at`` is set now. Only acknowledgements of cases this same
    kiosk token reported count (``source``).
    """
    reported = set(reported)
    mine = (A.c.device == device) & (A.c.source == source)
    rows = tx.conn.execute(select(A.c.receipt, A.c.cleared_at).where(mine)).all()
    gone = [r.receipt for r in rows if r.cleared_at is None and r.receipt not in reported]
    if gone:
        tx.conn.execute(update(A).where(mine & A.c.receipt.in_(gone)).values(cleared_at=tx.now))
    return sorted(r.receipt for r in rows if r.receipt in reported)


def listing(tx: Tx, tz: dt.tzinfo, limit: int = 100) -> list[dict[str, Any]]:
    """The latest acknowledgements, newest first, times in the hall's zone."""
    rows = tx.conn.execute(select(A).order_by(A.c.acked_at.desc()).limit(limit))
    return [_view(r, tz) for r in rows]


def _view(r: Any, tz: dt.tzinfo) -> dict[str, Any]:
    def local(ts: float | None) -> str | None:
        return None if ts is None else dt.datetime.fromtimestamp(ts, tz).isoformat("T", "seconds")

    return {
        "device": r.device,
        "receipt": r.receipt,
        "reason": r.reason,
        "acked_by": r.acked_by,
        "acked_at": local(r.acked_at),
        "note": r.note,
        "cleared_at": local(r.cleared_at),
    }
