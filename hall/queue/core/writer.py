"""The single writer: every operation runs here, one at a time, in its own savepoint.

SQLite has one writer anyway; giving it one thread removes lock contention and
makes numbering trivially unique. The thread takes whatever operations are
waiting (up to ``max_batch``), runs each inside a SAVEPOINT of one
``BEGIN IMMEDIATE`` transaction, and COMMITs once: group commit, so a burst of
kiosks costs one fsync instead of one each. Only after the COMMIT returns are
the callers answered and the events published: an acknowledged operation is
on disk. A failed operation rolls back to its savepoint and leaves no trace.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from hall.queue.core.domain import QueueError
from hall.queue.core.tables.daemon import events_table

log = logging.getLogger(__name__)

_INSERT_EVENT = events_table.insert()


@dataclass
class Event:
    """A state change, stored in the events table and pushed to subscribers."""

    type: str
    data: dict[str, Any]
    ts: float
    id: int = 0

    def to_json(self) -> str:
        """The event's data as compact JSON (no personal data is ever put in it)."""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Tx:
    """What an operation sees: the connection, the moment, and an event sink."""

    conn: Connection
    now: float
    emitted: list[Event] = field(default_factory=list)

    def emit(self, type_: str, data: dict[str, Any]) -> None:
        """Record an event; it is stored with the operation and published after COMMIT."""
        self.emitted.append(Event(type_, data, self.now))


Operation = Callable[[Tx], Any]


class Writer:
    """Runs operations on one thread with group commit; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        publish: Callable[[list[Event]], None],
        max_batch: int = 64,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.publish = publish
        self.max_batch = max_batch
        self.clock = clock
        self._inbox: queue.SimpleQueue[tuple[Operation, Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="hall-writer", daemon=True)
        self.batches = 0
        self.operations = 0

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._inbox.put(None)
        self._thread.join(timeout=30)

    def submit(self, op: Operation) -> Future:
        """Queue an operation; the future resolves after its batch is committed."""
        fut: Future = Future()
        self._inbox.put((op, fut))
        return fut

    def call(self, op: Operation, timeout: float = 30) -> Any:
        """Run an operation and wait for its committed result (for threads and tools)."""
        return self.submit(op).result(timeout)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            stopping = False
            while not stopping:
                item = self._inbox.get()
                batch: list[tuple[Operation, Future]] = []
                while item is not None:
                    batch.append(item)
                    if len(batch) >= self.max_batch:
                        break
                    try:
                        item = self._inbox.get_nowait()
                    except queue.Empty:
                        break
                else:
                    stopping = True
                if batch:
                    self._run_batch(conn, batch)

    def _run_batch(self, conn: Connection, batch: list[tuple[Operation, Future]]) -> None:
        results: list[tuple[Future, bool, Any]] = []
        published: list[Event] = []
        try:
            with conn.begin():
                for op, fut in batch:
                    if not fut.set_running_or_notify_cancel():
                        continue
                    tx = Tx(conn, self.clock())
                    try:
                        with conn.begin_nested():
                            value = op(tx)
                            self._store_events(conn, tx.emitted)
                    except Exception as exc:  # handed to the caller
                        if not isinstance(exc, QueueError):
                            log.exception("operation failed")
                        results.append((fut, False, exc))
                        continue
                    results.append((fut, True, value))
                    published.extend(tx.emitted)
        except Exception as exc:  # COMMIT failed: nobody is acknowledged
            log.exception("commit failed; %d operations not acknowledged", len(batch))
            for op_fut in batch:
                if not op_fut[1].done():
                    op_fut[1].set_exception(exc)
            return
        self.batches += 1
        self.operations += len(batch)
        for fut, ok, value in results:
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
        if published:
            try:
                self.publish(published)
            except Exception:  # subscribers must not break the writer
                log.exception("publishing events failed")

    @staticmethod
    def _store_events(conn: Connection, emitted: list[Event]) -> None:
        for ev in emitted:
            row = conn.execute(_INSERT_EVENT, {"ts": ev.ts, "type": ev.type, "data": ev.to_json()})
            ev.id = int(row.inserted_primary_key[0])
