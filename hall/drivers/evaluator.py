"""Evaluator sessions (一次一评): ask for a rating, then a key or 未评价 after a timeout.

Built on :class:`hall.drivers.keypad.KeypadBus`: wire it as
``bus.on_rating = sessions.handle_rating`` and call ``tick()`` regularly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hall.drivers.errors import DriverError
from hall.drivers.keypad import RATING_LEVELS, UNRATED, KeypadBus, RatingEvent

log = logging.getLogger(__name__)


class RatingOutcome(StrEnum):
    """How an evaluation ended. Only RATED has a level; the others are 未评价."""

    RATED = "rated"
    TIMEOUT = "timeout"
    SUPERSEDED = "superseded"  # asked again before an answer came


@dataclass(frozen=True)
class RatingResult:
    """The result of one ``EvaluatorSessions.ask``."""

    addr: int
    ticket: str
    outcome: RatingOutcome
    level: int | None = None
    raw: int | None = None
    mapped_from_4key: bool = False
    elapsed: float = 0.0

    @property
    def label(self) -> str:
        """The level's Chinese name, or 未评价."""
        return RATING_LEVELS[self.level] if self.level is not None else UNRATED


class EvaluatorSessions:
    """One open evaluation per evaluator: ask, then a rating or a timeout.

    Wire it as ``bus.on_rating = sessions.handle_rating`` and call ``tick()``
    regularly (e.g. each second); ``clock`` is injectable for tests. Rating
    keys with no open session are ignored and counted: ``duplicates`` (the
    ticket was already rated), ``late`` (after its timeout) and ``unsolicited``.
    """

    def __init__(
        self,
        bus: KeypadBus,
        *,
        timeout: float,
        on_result: Callable[[RatingResult], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        thank_you: bool = True,
    ) -> None:
        """``timeout`` is in seconds; ``thank_you`` sends FUNC 0x14 when a session ends."""
        if timeout <= 0:
            raise ValueError("timeout must be > 0 seconds")
        self.bus = bus
        self.timeout = timeout
        self.on_result = on_result
        self.clock = clock
        self.send_thank_you = thank_you
        self._lock = threading.Lock()
        self._open: dict[int, tuple[str, float]] = {}  # addr -> (ticket, asked at)
        self._closed: dict[int, tuple[str, RatingOutcome]] = {}
        self.duplicates = self.late = self.unsolicited = 0

    def ask(self, addr: int, ticket: str) -> RatingResult | None:
        """Prompt the evaluator; return the session this one replaced, if any.

        DeviceOffline from the bus propagates and opens no session.
        """
        self.bus.ask_rating(addr, ticket)
        now = self.clock()
        with self._lock:
            old = self._open.pop(addr, None)
            self._open[addr] = (ticket, now)
            self._closed.pop(addr, None)
        if old is None:
            return None
        result = RatingResult(addr, old[0], RatingOutcome.SUPERSEDED, elapsed=now - old[1])
        self._report(result, thank=False)
        return result

    def pending(self) -> dict[int, str]:
        """Address -> ticket of every evaluation still waiting for a key."""
        with self._lock:
            return {addr: ticket for addr, (ticket, _) in self._open.items()}

    def next_deadline(self) -> float | None:
        """The clock time of the next timeout, if any session is open."""
        with self._lock:
            return min((t + self.timeout for _, t in self._open.values()), default=None)

    def handle_rating(self, event: RatingEvent) -> RatingResult | None:
        """Close the open session of ``event.addr`` with this rating, if there is one."""
        now = self.clock()
        with self._lock:
            session = self._open.get(event.addr)
            if session is None:
                self._count_stray(event.addr)
                return None
            if now - session[1] >= self.timeout:
                self.late += 1  # time is up; the next tick() reports the timeout
                return None
            del self._open[event.addr]
            self._closed[event.addr] = (session[0], RatingOutcome.RATED)
        result = RatingResult(
            event.addr,
            session[0],
            RatingOutcome.RATED,
            event.level,
            event.raw,
            event.mapped_from_4key,
            now - session[1],
        )
        self._report(result, thank=True)
        return result

    def tick(self) -> list[RatingResult]:
        """Close and report every session whose time is up."""
        now = self.clock()
        results = []
        with self._lock:
            for addr, (ticket, asked) in list(self._open.items()):
                if now - asked >= self.timeout:
                    del self._open[addr]
                    self._closed[addr] = (ticket, RatingOutcome.TIMEOUT)
                    results.append(
                        RatingResult(addr, ticket, RatingOutcome.TIMEOUT, elapsed=now - asked)
                    )
        for result in results:
            self._report(result, thank=True)
        return results

    def _count_stray(self, addr: int) -> None:
        closed = self._closed.get(addr)
        if closed is None:
            self.unsolicited += 1
        elif closed[1] is RatingOutcome.RATED:
            self.duplicates += 1
        else:
            self.late += 1
        log.info("evaluator %d: ignored rating key (closed session: %r)", addr, closed)

    def _report(self, result: RatingResult, *, thank: bool) -> None:
        if thank and self.send_thank_you:
            try:
                self.bus.thank_you(result.addr)
            except DriverError as exc:
                log.warning("evaluator %d: no thank-you sent: %s", result.addr, exc)
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception:  # a listener bug must not break the session table
                log.exception("rating result callback failed for %r", result)
