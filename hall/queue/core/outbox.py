"""Durable outbox to an upstream platform (provincial 一网通办, 好差评 system).

Rows are added to the ``outbox`` table in the same transaction as the thing
they forward, so nothing is forwarded that was not stored and nothing stored
is forgotten across a crash. One thread per target sends them in order with
the row's key as ``Idempotency-Key``: a repeat after a lost answer is harmless.
Failures back off per target (one probe per period while the platform is
down, not one failing request per queued item); the first success resumes
draining at once. A 4xx the platform will never accept parks the item with
its error for staff, it is not dropped.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy import bindparam, func, select

from hall.config import UpstreamEndpoint
from hall.queue.core.tables.daemon import outbox_table
from hall.queue.core.writer import Tx

log = logging.getLogger(__name__)

PARKED = 9e18  # next_at of an item the platform refused for good
_RETRYABLE_4XX = {408, 425, 429}
_DUE = (
    select(outbox_table)
    .where(
        outbox_table.c.target == bindparam("target"),
        outbox_table.c.sent_at.is_(None),
        outbox_table.c.next_at <= bindparam("now"),
    )
    .order_by(outbox_table.c.id)
    .limit(bindparam("n"))
)


class Forwarder:
    """Sends one target's outbox rows; ``payload(ref)`` builds the JSON body of a row."""

    def __init__(
        self,
        writer: Any,
        target: str,
        endpoint: UpstreamEndpoint,
        payload: Callable[[str], dict[str, Any]],
        batch: int = 20,
    ) -> None:
        self.writer = writer
        self.target = target
        self.endpoint = endpoint
        self.payload = payload
        self.batch = batch
        self.session = requests.Session()
        if endpoint.token:
            self.session.headers["Authorization"] = f"Bearer {endpoint.token}"
        self.failures = 0  # consecutive, for the back-off
        self.paused_until = 0.0
        self.sent = 0
        self.parked = 0
        self.last_error: str | None = None  # the last transport failure (cleared by a success)
        self.last_refusal: str | None = None  # the last item the platform refused for good
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-{target}", daemon=True)

    def start(self) -> Forwarder:
        """Start sending."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the request under way."""
        self._stop.set()
        self._wake.set()
        self._thread.join(self.endpoint.timeout_s + 5)
        self.session.close()

    def wake(self) -> None:
        """Something new was queued: look now (unless the platform is known down)."""
        self._wake.set()

    def backlog(self) -> int:
        """Rows not yet sent (parked ones included)."""
        return self.writer.call(
            lambda tx: tx.conn.execute(
                select(func.count()).where(
                    outbox_table.c.target == self.target, outbox_table.c.sent_at.is_(None)
                )
            ).scalar_one()
        )

    def status(self) -> dict[str, Any]:
        """Figures for the device list / health."""
        return {
            "id": f"upstream:{self.target}",
            "kind": "upstream",
            "url": self.endpoint.url,
            "status": "ok" if self.failures == 0 else "offline",
            "sent": self.sent,
            "parked": self.parked,
            "consecutive_failures": self.failures,
            "last_error": self.last_error,
            "last_refusal": self.last_refusal,
            "backlog": self.backlog(),
        }

    def _backoff(self) -> float:
        ep = self.endpoint
        delay = min(ep.retry_max_s, ep.retry_initial_s * 2 ** max(0, self.failures - 1))
        return delay * random.uniform(0.9, 1.1)  # jitter, not security

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.paused_until - time.time()
            if wait > 0:
                self._stop.wait(wait)
                continue
            try:
                due = self.writer.call(
                    lambda tx: list(
                        tx.conn.execute(
                            _DUE, {"target": self.target, "now": tx.now, "n": self.batch}
                        )
                    )
                )
            except Exception:  # the store is busy or closing; try again soon
                log.exception("outbox %s: cannot read the queue", self.target)
                self._stop.wait(1.0)
                continue
            if not due:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                for row in due:
                    if self._stop.is_set() or not self._send(row):
                        break
            except Exception:  # a bug or a store error must not end forwarding
                log.exception("outbox %s: sending failed", self.target)
                self._stop.wait(1.0)

    def _send(self, row: Any) -> bool:
        """Send one row; False when the platform is down (stop this round)."""
        try:
            body = self.payload(row.ref)
        except OSError as exc:  # the stored images cannot be read: keep it, tell staff
            return self._failed(row, f"cannot read the stored case: {exc}")
        try:
            r = self.session.post(
                self.endpoint.url,
                json=body,
                timeout=self.endpoint.timeout_s,
                headers={"Idempotency-Key": row.key},
            )
        except (requests.RequestException, OSError) as exc:
            return self._failed(row, f"{type(exc).__name__}")
        if r.status_code < 300 or r.status_code == 409:  # 409: the platform has it already
            self.failures = 0
            self.last_error = None
            self.sent += 1
            self.writer.call(lambda tx: self._mark(tx, row.id, sent=True))
            return True
        if 400 <= r.status_code < 500 and r.status_code not in _RETRYABLE_4XX:
            error = f"HTTP {r.status_code}: {r.text[:200]}"
            log.error("outbox %s: %s refused for good: %s", self.target, row.key, error)
            self.parked += 1
            self.last_refusal = f"{row.key}: {error}"
            self.writer.call(lambda tx: self._mark(tx, row.id, error=error, park=True))
            return True
        return self._failed(row, f"HTTP {r.status_code}")

    def _failed(self, row: Any, error: str) -> bool:
        self.failures += 1
        self.last_error = error
        delay = self._backoff()
        self.paused_until = time.time() + delay
        log.warning("outbox %s: %s (retry in %.0f s)", self.target, error, delay)
        self.writer.call(lambda tx: self._mark(tx, row.id, error=error))
        return False

    @staticmethod
    def _mark(
        tx: Tx, row_id: int, sent: bool = False, error: str | None = None, park: bool = False
    ) -> None:
        values: dict[str, Any] = {"attempts": outbox_table.c.attempts + 1, "last_error": error}
        if sent:
            values["sent_at"] = tx.now
        if park:
            values["next_at"] = PARKED
        tx.conn.execute(outbox_table.update().where(outbox_table.c.id == row_id).values(**values))
