"""Failed 办件查询 lookups, limited per receipt and per client address.

A wrong receipt + ID pair and an unknown receipt get the same answer; after
too many failures a key is refused for a while, so the ID number behind a
receipt cannot be guessed from the page.
"""

from __future__ import annotations

import collections
import time

from fastapi import Request


class FailureLimit:
    """Failed lookups per key (a receipt, a client address) within ``window_s`` seconds.

    Once a key has ``limit`` failures in the window it is refused until the
    oldest of them leaves the window. Kept in memory: a restart forgets it.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._seen: dict[str, collections.deque[float]] = {}

    def _recent(self, key: str, now: float) -> collections.deque[float] | None:
        times = self._seen.get(key)
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if times is not None and not times:
            del self._seen[key]
            return None
        return times

    def blocked(self, key: str, now: float | None = None) -> bool:
        """True while ``key`` has used up its failures."""
        times = self._recent(key, time.monotonic() if now is None else now)
        return times is not None and len(times) >= self.limit

    def failed(self, key: str, now: float | None = None) -> None:
        """Count one failure for ``key``."""
        now = time.monotonic() if now is None else now
        if len(self._seen) >= self.max_keys:
            for old in list(self._seen):  # forget what has left the window
                self._recent(old, now)
            while len(self._seen) >= self.max_keys:  # still full: forget the oldest keys
                del self._seen[next(iter(self._seen))]
        self._seen.setdefault(key, collections.deque()).append(now)


#: 5 wrong IDs for one receipt, or 20 failed lookups from one address, in 15 minutes.
RECEIPT_LIMIT = (5, 900.0)
CLIENT_LIMIT = (20, 900.0)


def limits(request: Request) -> tuple[FailureLimit, FailureLimit]:
    """The app's limits: (per receipt, per client address), made on first use."""
    state = request.app.state
    if not hasattr(state, "progress_limits"):
        state.progress_limits = (FailureLimit(*RECEIPT_LIMIT), FailureLimit(*CLIENT_LIMIT))
    return state.progress_limits
