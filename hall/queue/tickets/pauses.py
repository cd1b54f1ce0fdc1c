"""离岗: each pause of a window, with its reason, start, end and duration.

:func:`calling.pause` starts a record (the reason from the caller panel's picker,
or ``vacancy.keypad_reason`` for a keypad's pause key); resuming ends it
(``resume``), and so does the window closing while paused (``closed``: the clerk
signs out, or signs in at another window). A window has at most one open pause.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from hall.queue.core.context import Context
from hall.queue.core.tables.tickets import window_pauses_table
from hall.queue.core.writer import Tx
from hall.queue.tickets.views import iso
from hall.words import PAUSE_REASON_WORDS, PauseReason

_T = window_pauses_table


def start(
    ctx: Context,
    tx: Tx,
    window: int,
    reason: PauseReason,
    note: str,
    staff_id: str | None,
    by: str,
) -> None:
    """Record that ``window`` paused now, for ``reason``."""
    end(tx, window, "closed")  # never two open pauses (a store written by an older version)
    tx.conn.execute(
        insert(_T).values(
            day=ctx.day(tx.now),
            window=window,
            reason=PauseReason(reason).value,
            note=note,
            staff_id=staff_id,
            by=by,
            started_at=tx.now,
        )
    )


def end(tx: Tx, window: int, how: str) -> None:
    """End ``window``'s open pause, if it has one (``how``: resume or closed)."""
    tx.conn.execute(
        update(_T)
        .where(_T.c.window == window, _T.c.ended_at.is_(None))
        .values(ended_at=tx.now, ended_by=how)
    )


def open_pause(tx: Tx, window: int) -> Any:
    """``window``'s open pause row, or None."""
    return tx.conn.execute(
        select(_T).where(_T.c.window == window, _T.c.ended_at.is_(None)).order_by(_T.c.id.desc())
    ).first()


def reason_words(reason: str | None) -> dict[str, str] | None:
    """``{"zh", "en"}`` words of a pause reason (None stays None)."""
    if reason is None:
        return None
    zh, en = PAUSE_REASON_WORDS[PauseReason(reason)]
    return {"zh": zh, "en": en}


def listing(tx: Tx, day: str) -> list[dict[str, Any]]:
    """The pauses begun on business day ``day``, oldest first (managers: staff ids, notes)."""
    found = tx.conn.execute(select(_T).where(_T.c.day == day).order_by(_T.c.started_at, _T.c.id))
    return [
        {
            "id": r.id,
            "window": r.window,
            "reason": r.reason,
            "reason_words": reason_words(r.reason),
            "note": r.note,
            "staff_id": r.staff_id,
            "by": r.by,
            "started_at": iso(r.started_at),
            "ended_at": iso(r.ended_at),
            "ended_by": r.ended_by,
            "duration_s": round((r.ended_at if r.ended_at is not None else tx.now) - r.started_at),
            "open": r.ended_at is None,
        }
        for r in found
    ]
