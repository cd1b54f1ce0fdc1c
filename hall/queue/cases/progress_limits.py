"""Failed 办件查询 lookups: counted in the store per receipt and per address, then locked.

The kiosk's ``POST /api/v1/progress`` and the citizen's ``/progress`` page both
look a case up with :func:`lookup`, one writer operation that checks the locks,
looks the case up and, when nothing matches, records the failure and locks what
reached its limit. Being one serialised transaction, a burst of simultaneous
guesses is counted guess by guess: none can overtake the failures before it.
A lookup that finds nothing answers the same 404 whether it locked something
or not; the next one gets the 429. Counts and locks live in the database, so a
restart keeps them; times are the daemon's clock (``tx.now``). Settings:
``progress`` in config.yaml (hall/config/progress.py). The ID number is never
stored or logged here, only the receipt as typed and the address.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from hall.config import ProgressSection
from hall.queue.cases import case_progress
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, not_found
from hall.queue.core.tables.security import progress_failures_table as F
from hall.queue.core.tables.security import progress_locks_table as L
from hall.queue.core.writer import Tx
from hall.queue.tickets.sign_in_limits import (
    TooManyAttempts,
    active_lock,
    last_locked_at,
    lock_view,
    wait_text,
)

log = logging.getLogger(__name__)

RECEIPT, ADDRESS = "receipt", "address"
KEEP_S = 90 * 86400  # failures and locks older than this are deleted


def locked(kind: str, subject: str, retry_after_s: float) -> TooManyAttempts:
    """The receipt (or the address) is locked: even the right ID number is refused."""
    zh_wait, en_wait = wait_text(retry_after_s)
    if kind == RECEIPT:
        zh = f"回执{subject}查询失败次数过多，已暂停查询，请{zh_wait}后再试或到窗口咨询"
        en = f"Too many failed lookups of receipt {subject}: try again in {en_wait} or ask at a window"
    else:
        zh = f"此终端（{subject}）查询失败次数过多，已暂停查询，请{zh_wait}后再试或到窗口咨询"
        en = (
            f"Too many failed lookups from this address ({subject}): try again in {en_wait}"
            " or ask at a window"
        )
    return TooManyAttempts("progress_locked", zh, en, retry_after_s)


def refusal(tx: Tx, receipt: str, address: str) -> TooManyAttempts | None:
    """The 429 for a locked receipt or address, or None (a read: no writer needed)."""
    for kind, subject in ((RECEIPT, receipt), (ADDRESS, address)):
        lock = active_lock(tx, kind, subject, L)
        if lock is not None:
            return locked(kind, subject, lock.until - tx.now)
    return None


def _failures(tx: Tx, cfg: ProgressSection, kind: str, subject: str) -> int:
    """Failures of ``subject`` in the window, none from before its last lock."""
    locked_at = last_locked_at(tx, kind, subject, L)
    after = tx.now - cfg.window_s
    if locked_at is not None:
        after = max(after, locked_at)
    column = F.c.receipt if kind == RECEIPT else F.c.address
    return tx.conn.execute(
        select(func.count()).where(column == subject, F.c.ts > after)
    ).scalar_one()


def _failed(ctx: Context, tx: Tx, receipt: str, address: str) -> None:
    """Record one failed lookup; lock the receipt or the address at its limit."""
    cfg: ProgressSection = ctx.config.progress
    tx.conn.execute(insert(F).values(ts=tx.now, receipt=receipt, address=address))
    for kind, subject, limit in (
        (RECEIPT, receipt, cfg.receipt_failures),
        (ADDRESS, address, cfg.address_failures),
    ):
        n = _failures(tx, cfg, kind, subject)
        if n >= limit and active_lock(tx, kind, subject, L) is None:
            tx.conn.execute(
                insert(L).values(
                    kind=kind,
                    subject=subject,
                    locked_at=tx.now,
                    until=tx.now + cfg.lockout_s,
                    failures=n,
                )
            )
            log.warning("progress lookups locked: %s %r after %d failures", kind, subject, n)
    tx.conn.execute(delete(F).where(F.c.ts < tx.now - KEEP_S))
    tx.conn.execute(delete(L).where(L.c.until < tx.now - KEEP_S))


def lookup(
    ctx: Context, tx: Tx, receipt: str, id_number: str, address: str, today: dt.date
) -> dict[str, Any] | QueueError:
    """办件查询 under the limits: the case's progress, or the error to answer (429, 404).

    The error is returned, not raised, so that the failure it records is committed.
    """
    receipt = receipt.strip().upper()
    refused = refusal(tx, receipt, address)
    if refused is not None:
        return refused
    try:
        return case_progress.progress(ctx, tx, receipt, id_number, today)
    except QueueError as exc:
        if exc.status != 404:
            raise
        _failed(ctx, tx, receipt, address)
        return exc


def unlock(tx: Tx, kind: str, subject: str, actor: str) -> dict[str, Any]:
    """A manager ends the locks of a receipt or an address (recorded with the manager's name).

    The failures before the lock no longer count after it, so nothing else is reset.
    """
    ended = tx.conn.execute(
        update(L)
        .where(L.c.kind == kind, L.c.subject == subject)
        .where(L.c.until > tx.now, L.c.unlocked_at.is_(None))
        .values(unlocked_at=tx.now, unlocked_by=actor)
    ).rowcount
    if not ended:
        what = "回执" if kind == RECEIPT else "地址"
        raise not_found(
            f"{what}{subject}的查询锁定",
            f"a lock on lookups of {kind} {subject}",
            code="no_progress_lock",
        )
    log.warning("progress lookups unlocked: %s %r by %s", kind, subject, actor)
    return {"kind": kind, "subject": subject, "locks_ended": ended, "by": actor}


def recent_locks(tx: Tx, limit: int, tz: dt.tzinfo) -> dict[str, Any]:
    """The latest locks, newest first, times in the hall's zone (for the manager)."""

    def local(ts: float | None) -> str | None:
        return None if ts is None else dt.datetime.fromtimestamp(ts, tz).isoformat("T", "seconds")

    rows = tx.conn.execute(select(L).order_by(L.c.id.desc()).limit(limit))
    return {"locks": [lock_view(r, tx.now, local) for r in rows]}
