"""How the terminal outbox forwards (hall/kiosk/outbox.py): verdicts, back-off, timeouts, alert.

The citizen already holds a printed receipt when a case is forwarded, so the
outbox gives a case up only when the daemon has judged *that case* and will
judge it the same way every time. Everything else is tried again:

- :data:`Verdict.FINAL`: the few 409/422 codes in :data:`FINAL_REFUSALS`.
  The case is kept on the terminal as ``rejected`` and staff are told
  (``outbox@<kiosk id>`` in the device list), never dropped.
- :data:`Verdict.SYSTEMIC`: the daemon cannot take any case now, whatever
  it is: network errors, 5xx, a page that is not JSON (a proxy), 401/403 (a
  wrong or revoked token: a configuration fault, alerted at once), 408 and
  429. The whole outbox backs off (``Retry-After`` honoured on 429/503).
- :data:`Verdict.CASE`: any other answer (413, 404, an unknown 409/422 code
  ...): this case waits its own back-off and the cases behind it go on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonError, DaemonUnavailable

#: The daemon's answers that are final for a case (hall/queue/web/api/submissions.py,
#: hall/queue/cases/submissions.py, hall/idnumber.py, the app's validation handler).
FINAL_REFUSALS: dict[int, frozenset[str]] = {
    409: frozenset(
        {
            "idempotency_conflict",  # this id was stored with other content
            "receipt_taken",  # another case holds this receipt number
        }
    ),
    422: frozenset(
        {
            "invalid_request",  # the body does not fit the schema (field named)
            "bad_idempotency_key",  # Idempotency-Key is not the case id
            "bad_id_number",  # applicant.id_number fails GB 11643
            "unknown_matter",  # the matter is not in the daemon's 事项清单
            "field_required",  # a choice needs a field the form lacks
            "bad_material",  # an image is not base64, not a JPEG, or its sha256 differs
        }
    ),
}
#: Answers that say nothing about the case: the daemon cannot take any case now.
SYSTEMIC_STATUS = frozenset({401, 403, 408, 429})
#: Answers that say this terminal's token is wrong: no back-off will mend it.
AUTH_STATUS = frozenset({401, 403})
#: A Retry-After longer than this is taken as this (a daemon's mistake must not park cases).
RETRY_AFTER_MAX_S = 3600.0
#: The device list's limit on a detail (hall/queue/web/api/devices.py DeviceReport).
DETAIL_MAX = 200


class Verdict(StrEnum):
    """What a failed forwarding means for the case and for the outbox."""

    FINAL = "final"
    SYSTEMIC = "systemic"
    CASE = "case"


def classify(exc: DaemonError) -> Verdict:
    """The verdict on a failed request (DaemonUnavailable included)."""
    if isinstance(exc, DaemonUnavailable) or exc.status >= 500 or exc.status in SYSTEMIC_STATUS:
        return Verdict.SYSTEMIC
    if exc.code in FINAL_REFUSALS.get(exc.status, ()):
        return Verdict.FINAL
    return Verdict.CASE


def describe(exc: DaemonError) -> str:
    """A short line for ``last_error``: status, code and the daemon's sentence."""
    if isinstance(exc, DaemonUnavailable):
        return f"unavailable: {exc.detail}"
    return f"{exc.code}: HTTP {exc.status} {exc.message_en}"


@dataclass
class Backoff:
    """Capped exponential back-off with jitter; ``rng`` is injectable for tests."""

    initial_s: float
    max_s: float
    jitter: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after ``failures`` failures in a row (at least ``retry_after``)."""
        delay = min(self.max_s, self.initial_s * 2 ** max(0, failures - 1))
        delay *= 1.0 - self.jitter * self.rng.random()
        if retry_after is not None:
            delay = max(delay, min(retry_after, RETRY_AFTER_MAX_S))
        return delay


class RetryState:
    """When the outbox, and each case, may be tried again.

    Kept in memory: a restarted kiosk tries everything at once (often it was
    restarted because its token was fixed). The cases themselves are on disk.
    """

    def __init__(self, backoff: Backoff, clock: Callable[[], float]) -> None:
        self.backoff = backoff
        self.clock = clock
        self.failures = 0  # systemic failures in a row
        self.hold_until = 0.0  # nothing is sent before this (the whole outbox backs off)
        self.auth_refused = False  # the last systemic failure was 401/403
        self._cases: dict[str, tuple[int, float]] = {}  # case id: (failures, next try)

    def held(self) -> float:
        """Seconds the whole outbox still waits (0: it may send)."""
        return max(0.0, self.hold_until - self.clock())

    def due(self, key: str) -> bool:
        """True if ``key``'s own back-off is over."""
        return self._cases.get(key, (0, 0.0))[1] <= self.clock()

    def failed(self, exc: DaemonError, verdict: Verdict, key: str | None) -> float:
        """Record a failure; return the seconds until ``key`` (or everything) is tried again."""
        now = self.clock()
        if verdict is Verdict.SYSTEMIC:
            self.failures += 1
            self.auth_refused = not isinstance(exc, DaemonUnavailable) and exc.status in AUTH_STATUS
            self.hold_until = now + self.backoff.delay(self.failures, exc.retry_after)
            return self.hold_until - now
        # The daemon answered about this case: it is reachable and the token is good.
        self.failures, self.auth_refused = 0, False
        if key is None or verdict is Verdict.FINAL:
            self._cases.pop(key or "", None)
            return 0.0
        count = self._cases.get(key, (0, 0.0))[0] + 1
        self._cases[key] = (count, now + self.backoff.delay(count, exc.retry_after))
        return self._cases[key][1] - now

    def succeeded(self, key: str | None = None) -> None:
        """The daemon took ``key``: the outbox and that case start afresh."""
        self.failures, self.auth_refused = 0, False
        self._cases.pop(key or "", None)

    def next_in(self, longest: float) -> float:
        """Seconds until anything may be tried again, at most ``longest``."""
        now = self.clock()
        waits = [self.hold_until - now] + [t - now for _n, t in self._cases.values()]
        return min([longest] + [w for w in waits if w > 0])


def upload_timeout(size_bytes: int, settings: OutboxSection) -> tuple[float, float]:
    """(connect, read) seconds for an upload of ``size_bytes``: the wait grows with the size."""
    bandwidth = settings.upload_min_kb_s * 1000.0
    return settings.connect_timeout_s, settings.read_timeout_s + size_bytes / bandwidth


@dataclass(frozen=True)
class OutboxHealth:
    """The outbox's state for the kiosk and for the daemon's device list.

    ``status``: ``ok``; ``stuck`` (cases cannot be forwarded: a refused token
    at once, other failures once a case has waited ``alert_after_s``);
    ``rejected`` (the daemon refused cases for good: staff must take them up);
    ``broken`` (the terminal's own store cannot be read: disk failure).
    """

    status: str
    failing: int = 0  # pending cases and ratings with a failed attempt
    since: float | None = None  # when the oldest of them was stored
    error: str | None = None  # its last error
    rejected: tuple[tuple[str, str], ...] = ()  # (receipt, reason) of refused cases
    token_refused: bool = False  # the daemon refuses this terminal's token (401/403)
    waiting: int = 0  # pending cases, tried or not

    @property
    def device_status(self) -> str:
        """The status in the daemon's vocabulary (ok | error)."""
        return "ok" if self.status == "ok" else "error"

    def detail(self, terminal: str, tz: dt.tzinfo) -> str:
        """One line for staff, Chinese then English, at most :data:`DETAIL_MAX` characters."""
        parts = []
        if self.status == "broken":
            parts.append(f"本机存储故障 store failed: {self.error or ''}")
        if self.status == "stuck":
            since = dt.datetime.fromtimestamp(self.since or 0, tz).strftime("%m-%d %H:%M")
            parts.append(
                f"{self.failing}件未能转发 not forwarded since {since}: {self.error or ''}"
            )
        if self.rejected:
            receipt, reason = self.rejected[0]
            more = f" +{len(self.rejected) - 1}" if len(self.rejected) > 1 else ""
            parts.append(f"{len(self.rejected)}件被拒收 refused: {receipt} {reason}{more}")
        line = f"{terminal}: " + ("; ".join(parts) or "正常 ok")
        return line if len(line) <= DETAIL_MAX else line[: DETAIL_MAX - 1] + "…"
