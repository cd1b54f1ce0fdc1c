"""Refused bearer tokens, counted per client address for the manager (issue 13).

A terminal with a wrong token (a mistyped ``kiosk.token``, a rotated one) is
refused on every request, its device reports too, so nothing it says reaches
the daemon. This module is how the daemon notices: every request refused with
401/403 whose token is neither a configured token nor any staff session the
daemon ever issued (or that has no token at all) is counted in
``token_refusals``, one row per client address and token. A row holds the
first 8 hex digits of the token's SHA-256, never the token: enough to tell
"the old kiosk token" (``printf %s TOKEN | sha256sum | cut -c1-8``) from a
stranger's guess, useless to sign in with.

A burst of refusals costs the writer one transaction per address and token at a
time (:class:`RefusalCounter` folds the refusals that arrive meanwhile). The
table is bounded: past :data:`PREFIXES_PER_ADDRESS` tokens from one address
the rest are counted under ``*``, and past :data:`MAX_ROWS` rows the oldest go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from hall.queue.core.tables.security import token_refusals_table as R
from hall.queue.core.writer import Tx

log = logging.getLogger(__name__)

#: Hex digits of the token's SHA-256 kept (32 bits: tells tokens apart, reveals nothing).
PREFIX_LEN = 8
#: Distinct tokens counted apart per address; more are counted under "*" (a guesser).
PREFIXES_PER_ADDRESS = 20
#: Rows kept at most; the least recently seen go first.
MAX_ROWS = 1000
#: The prefix of a request without a token; of the tokens past PREFIXES_PER_ADDRESS.
NO_TOKEN, MANY = "", "*"


def token_prefix(token: str | None) -> str:
    """What is kept of a refused token: the first hex digits of its SHA-256 ("" for none)."""
    if not token:
        return NO_TOKEN
    return hashlib.sha256(token.encode()).hexdigest()[:PREFIX_LEN]


def record(tx: Tx, address: str, prefix: str, count: int, path: str) -> None:
    """Count ``count`` refusals of ``prefix`` from ``address`` (the last on ``path``)."""
    key = (R.c.address == address) & (R.c.token_prefix == prefix)
    if tx.conn.execute(select(R.c.count).where(key)).first() is None:
        known = tx.conn.execute(
            select(func.count()).select_from(R).where(R.c.address == address)
        ).scalar_one()
        if known >= PREFIXES_PER_ADDRESS and prefix != MANY:
            return record(tx, address, MANY, count, path)
        tx.conn.execute(
            insert(R).values(
                address=address,
                token_prefix=prefix,
                count=count,
                first_at=tx.now,
                last_at=tx.now,
                last_path=path[:128],
            )
        )
        log.warning(
            "API request refused: unknown bearer token %s from %s (%s)",
            prefix or "(none)",
            address,
            path[:128],
        )
        _trim(tx)
        return None
    tx.conn.execute(
        update(R).where(key).values(count=R.c.count + count, last_at=tx.now, last_path=path[:128])
    )
    return None


def _trim(tx: Tx) -> None:
    total = tx.conn.execute(select(func.count()).select_from(R)).scalar_one()
    if total > MAX_ROWS:
        oldest = select(R.c.last_at).order_by(R.c.last_at).limit(1).offset(total - MAX_ROWS - 1)
        tx.conn.execute(delete(R).where(R.c.last_at <= oldest.scalar_subquery()))


def recent(tx: Tx, limit: int, tz: dt.tzinfo) -> list[dict[str, Any]]:
    """The refused tokens, the most recently seen first, times in the hall's zone."""

    def local(ts: float) -> str:
        return dt.datetime.fromtimestamp(ts, tz).isoformat("T", "seconds")

    rows = tx.conn.execute(select(R).order_by(R.c.last_at.desc()).limit(limit))
    return [
        {
            "address": r.address,
            "token_prefix": r.token_prefix,
            "count": r.count,
            "first_at": local(r.first_at),
            "last_at": local(r.last_at),
            "last_path": r.last_path,
        }
        for r in rows
    ]


class RefusalCounter:
    """Folds refusals that arrive while one is being written (one writer job per key)."""

    def __init__(self) -> None:
        """An empty counter."""
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], list[Any]] = {}  # key: [count, last path]

    def add(self, address: str, prefix: str, path: str) -> bool:
        """Count one refusal; True if the caller must hand :meth:`flush` to the writer."""
        with self._lock:
            entry = self._pending.get((address, prefix))
            if entry is not None:
                entry[0] += 1
                entry[1] = path
                return False
            self._pending[(address, prefix)] = [1, path]
            return True

    def flush(self, tx: Tx, address: str, prefix: str) -> None:
        """The writer operation: store what was counted for this key so far."""
        with self._lock:
            count, path = self._pending.pop((address, prefix), (0, ""))
        if count:
            record(tx, address, prefix, count, path)

    def discard(self, address: str, prefix: str) -> None:
        """Forget what is counted for this key (after its write, or when the write failed)."""
        with self._lock:
            self._pending.pop((address, prefix), None)
