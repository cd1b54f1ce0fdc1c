"""The public page's complaint limits: lodgings and wrong follow keys per client address.

Anyone may lodge a complaint on the public page (no token), so each address may lodge
``supervision.complaints.public_per_address`` in ``public_window_s`` (a sliding window
on the daemon's clock); a follow-up lookup with a wrong key or an unknown number counts
the same (the key is 128 random bits: this only keeps a script from hammering the store).
Beyond the limit: 429 with Retry-After. The counts are kept in memory, per daemon (a
restart forgets them: nothing here needs to survive one, unlike the 办件查询 locks of
hall/queue/cases/progress_limits.py, which guard a guessable ID number). Bodies are capped
by the routes' fields and by hall/queue/web/limits.py's BodyLimit before that.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any

from hall.config import ComplaintsSection
from hall.queue.tickets.sign_in_limits import TooManyAttempts, wait_text

#: Addresses remembered at most (the oldest are forgotten first): memory stays bounded.
MAX_ADDRESSES = 10_000


class PublicLimit:
    """Recent hits per address; :meth:`check` refuses a full one, :meth:`hit` counts one."""

    def __init__(self, cfg: ComplaintsSection) -> None:
        self.cfg = cfg
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        hits = self._hits.get(address)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.cfg.public_window_s:
            hits.popleft()
        if not hits:
            del self._hits[address]
        return hits

    def check(self, address: str, now: float) -> None:
        """429 when ``address`` has used up its lodgings and lookups for now."""
        hits = self._recent(address, now)
        if len(hits) >= self.cfg.public_per_address:
            wait = hits[0] + self.cfg.public_window_s - now
            zh_wait, en_wait = wait_text(wait)
            raise TooManyAttempts(
                "complaints_limited",
                f"此终端提交或查询投诉过于频繁，请{zh_wait}后再试，或拨打投诉电话、到窗口反映",
                f"Too many complaints or lookups from this address: try again in {en_wait},"
                " call the complaints line or ask at a window",
                wait,
            )

    def hit(self, address: str, now: float) -> None:
        """Count one lodging (or one failed lookup) of ``address``."""
        self._recent(address, now)
        if address not in self._hits and len(self._hits) >= MAX_ADDRESSES:
            del self._hits[next(iter(self._hits))]
        self._hits.setdefault(address, deque()).append(now)


_BY_DAEMON: weakref.WeakKeyDictionary[Any, PublicLimit] = weakref.WeakKeyDictionary()


def of(daemon: Any) -> PublicLimit:
    """The limits of this daemon (made at first use, from its config)."""
    found = _BY_DAEMON.get(daemon)
    if found is None:
        found = _BY_DAEMON[daemon] = PublicLimit(daemon.config.supervision.complaints)
    return found
