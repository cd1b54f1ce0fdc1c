"""Event fan-out to subscribers (lobby displays, caller panels, device drivers).

Events are stored by the writer in the same transaction as the change they
describe, so their ids are the order of history and survive a restart. The bus
hands them to live subscribers; a subscriber that (re)connects with a last id
first gets the stored events after it, then the live ones, with no gap and no
repeat. A subscriber too slow to keep up is dropped and reconnects the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Connection, func, select

from hall.queue.core.schema import events_table
from hall.queue.core.writer import Event

log = logging.getLogger(__name__)


class SubscriberLagged(Exception):
    """The subscriber's queue overflowed; it must reconnect with its last id."""


class EventBus:
    """In-process fan-out of committed events, thread-safe on the publishing side."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_pending: int = 10_000) -> None:
        self.loop = loop
        self.max_pending = max_pending
        self._subscribers: set[asyncio.Queue] = set()
        self._listeners: list[Callable[[list[Event]], None]] = []

    def add_listener(self, listener: Callable[[list[Event]], None]) -> None:
        """Call ``listener(events)`` on the writer thread after each commit (device fan-out)."""
        self._listeners.append(listener)

    def publish(self, batch: list[Event]) -> None:
        """Called by the writer thread after COMMIT."""
        for listener in self._listeners:
            try:
                listener(batch)
            except Exception:  # one device must not stop the others
                log.exception("event listener failed")
        if self._subscribers and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._deliver, batch)

    def _deliver(self, batch: list[Event]) -> None:
        for q in list(self._subscribers):
            if q.qsize() + len(batch) > self.max_pending:
                self._subscribers.discard(q)
                q.put_nowait(None)  # tells the reader it lagged
                continue
            for ev in batch:
                q.put_nowait(ev)

    def subscribe(self) -> asyncio.Queue:
        """A queue that receives every event published from now on."""
        q: asyncio.Queue = asyncio.Queue()
        self._subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        """Stop delivering to ``q``."""
        self._subscribers.discard(q)

    @property
    def subscriber_count(self) -> int:
        """Live subscribers (for health)."""
        return len(self._subscribers)


def stored_after(conn: Connection, last_id: int, limit: int = 5000) -> list[Event]:
    """Stored events with id > last_id, oldest first."""
    rows = conn.execute(
        select(events_table)
        .where(events_table.c.id > last_id)
        .order_by(events_table.c.id)
        .limit(limit)
    )
    return [Event(r.type, json.loads(r.data), r.ts, r.id) for r in rows]


def oldest_id(conn: Connection) -> int | None:
    """Smallest stored event id (older ones were pruned)."""
    return conn.execute(select(func.min(events_table.c.id))).scalar_one()


def sse_frame(ev: Event) -> bytes:
    """One Server-Sent Event: id, event type and JSON data."""
    return f"id: {ev.id}\nevent: {ev.type}\ndata: {ev.to_json()}\n\n".encode()


async def sse_stream(
    bus: EventBus,
    replay: Callable[[int], Any],
    last_id: int | None,
    keepalive_s: float = 15.0,
    queue: asyncio.Queue | None = None,
) -> AsyncIterator[bytes]:
    """Yield SSE frames: stored events after ``last_id``, then live ones.

    ``replay(after_id)`` is an awaitable returning ``(events, oldest_stored_id)``.
    If events the client missed were already pruned, a ``reset`` event tells it
    to reload its whole state before following. Pass ``queue`` (from
    ``bus.subscribe()``) to be subscribed before the response starts, so a
    client that sees the stream open has missed nothing; an unused queue is
    dropped by the bus once it overflows.
    """
    q = queue if queue is not None else bus.subscribe()
    try:
        yield b"retry: 1000\n\n"
        sent = last_id
        if last_id is not None:
            while True:
                missed, oldest = await replay(sent)
                if sent == last_id and oldest is not None and oldest > last_id + 1 and missed:
                    yield sse_frame(
                        Event("reset", {"reason": "events pruned"}, 0, missed[0].id - 1)
                    )
                for ev in missed:
                    yield sse_frame(ev)
                    sent = ev.id
                if len(missed) < 5000:
                    break
        while True:
            try:
                ev = await asyncio.wait_for(q.get(), keepalive_s)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if ev is None:
                raise SubscriberLagged
            if sent is not None and ev.id <= sent:
                continue  # already replayed from the store
            yield sse_frame(ev)
            sent = ev.id
    except SubscriberLagged:
        log.warning("an event subscriber lagged and was dropped; it will resume by id")
    finally:
        bus.unsubscribe(q)
