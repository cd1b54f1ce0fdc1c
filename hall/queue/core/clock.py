"""The daemon's clock: every wall-clock reading of the queue goes through one function.

In production it is the system clock (``time.time``). A test or a rehearsal can start
the daemon at a fixed instant instead, ``python -m hall.queue --clock
2026-06-02T10:00:00+08:00`` or ``HALL_CLOCK=2026-06-02T10:00:00+08:00``: the clock
then runs from that instant at the normal pace, so the business day, the hour and the
03:00 reset are fixed while durations (service times, waits) stay real.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping

ENV = "HALL_CLOCK"

Clock = Callable[[], float]
"""Seconds since the epoch (UTC), like ``time.time()``."""


def starting_at(instant: dt.datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that reads ``instant`` now and runs on from there at the normal pace."""
    if instant.tzinfo is None:
        raise ValueError("the clock's start needs a UTC offset, e.g. 2026-06-02T10:00:00+08:00")
    base = instant.timestamp()
    started = monotonic()

    def now() -> float:
        return base + (monotonic() - started)

    return now


def parse(text: str | None) -> Clock:
    """The clock for a ``--clock`` value: the system clock when empty or None."""
    if not text:
        return time.time
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"clock start {text!r} is not an ISO 8601 date and time, e.g. 2026-06-02T10:00:00+08:00"
        ) from None
    return starting_at(instant)


def from_env(environ: Mapping[str, str] = os.environ) -> Clock:
    """The clock named by ``HALL_CLOCK`` (the system clock when it is not set)."""
    return parse(environ.get(ENV))
