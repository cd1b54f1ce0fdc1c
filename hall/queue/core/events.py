"""Event fan-out to subscribers (lobby displays, caller panels, device drivers).

Events are stored by the writer in the same transaction as the change they
describe, so their ids are the order of history and survive a restart. The bus
hands them to live subscribers; a subscriber that (re)connects with a last id
first gets the stored events after it, then the live ones, with no gap and no
repeat. A subscriber too slow to keep up is dropped and reconnects the same way.

What one subscriber is sent is up to its :class:`Audience`: each event is shown
as the audience's ``view`` makes it (or not at all), and a staff session's
stream ends when the session does (``session.ended``, or its expiry time).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from hall.queue.core.tables.daemon import events_table
from hall.queue.core.writer import Event

log = logging.getLogger(__name__)

#: Emitted when staff sessions end (logout, taken over, replaced): ``{"sessions": [token hashes]}``.
#: No subscriber is ever sent it; it ends the streams of those sessions.
SESSION_ENDED = "session.ended"


def _everything(ev: Event) -> Event | None:
    return ev


@dataclass(frozen=True)
class Audience:
    """Who follows a stream: what an event looks like to it, and when its stream ends.

    ``view(event)`` returns the event as this subscriber may see it, or None to
    skip it. ``session`` (a token hash) and ``expires_at`` (epoch seconds on
    ``clock``) tie the stream to a staff session: it ends with the session.
    """

    view: Callable[[Event], Event | None] = _everything
    session: str | None = None
    expires_at: float | None = None
    clock: Callable[[], float] = time.time

    def ended_by(self, ev: Event) -> bool:
        """True if ``ev`` ends this audience's session."""
        return (
            ev.type == SESSION_ENDED
            and self.session is not None
            and self.session in ev.data.get("sessions", ())
        )

    def wait_s(self, keepalive_s: float) -> float:
        """How long to wait for the next event: the keepalive, or less near the expiry."""
        if self.expires_at is None:
            return keepalive_s
        return min(keepalive_s, self.expires_at - self.clock())


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
    audience: Audience | None = None,
) -> AsyncIterator[bytes]:
    """Yield SSE frames: stored events after ``last_id``, then live ones.

    ``replay(after_id)`` is an awaitable returning ``(events, oldest_stored_id)``.
    If events the client missed were already pruned, a ``reset`` event tells it
    to reload its whole state before following. Pass ``queue`` (from
    ``bus.subscribe()``) to be subscribed before the response starts, so a
    client that sees the stream open has missed nothing; an unused queue is
    dropped by the bus once it overflows. ``audience`` (default: everything,
    for ever) filters what is sent and ends the stream with its session.
    """
    q = queue if queue is not None else bus.subscribe()
    who = audience or Audience()
    try:
        yield b"retry: 1000\n\n"
        sent = last_id
        if last_id is not None:
            while True:
                missed, oldest = await replay(sent)
                if sent == last_id and oldest is not None and oldest > last_id + 1 and missed:
                    reset = Event("reset", {"reason": "events pruned"}, 0, missed[0].id - 1)
                    if (shown := who.view(reset)) is not None:
                        yield sse_frame(shown)
                for ev in missed:
                    if who.ended_by(ev):
                        return
                    if (shown := who.view(ev)) is not None:
                        yield sse_frame(shown)
                    sent = ev.id
                if len(missed) < 5000:
                    break
        while True:
            wait_s = who.wait_s(keepalive_s)
            if wait_s <= 0:
                return  # the session expired
            try:
                ev = await asyncio.wait_for(q.get(), wait_s)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if ev is None:
                raise SubscriberLagged
            if sent is not None and ev.id <= sent:
                continue  # already replayed from the store
            if who.ended_by(ev):
                return
            if (shown := who.view(ev)) is not None:
                yield sse_frame(shown)
            sent = ev.id
    except SubscriberLagged:
        log.warning("an event subscriber lagged and was dropped; it will resume by id")
    finally:
        bus.unsubscribe(q)
