"""Reading the queue: ticket and window views, waiting counts, estimated waits.

Everything here runs inside a writer transaction (:class:`hall.queue.writer.Tx`)
so a view is consistent with the operation that produced it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import Connection, and_, case, literal, text

from hall.config import HallConfig
from hall.queue.domain import TicketKind, WindowState
from hall.queue.store import tickets

_UTC = dt.UTC


def iso(ts: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 UTC string (None stays None)."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, _UTC).isoformat(timespec="milliseconds")


def ticket_view(row: Any) -> dict[str, Any]:
    """The public view of a ticket: no personal data (no ID number or fingerprint)."""
    return {
        "id": row.id,
        "number": row.number,
        "service": row.service,
        "kind": row.kind,
        "status": row.status,
        "day": row.day,
        "issued_at": iso(row.issued_at),
        "called_at": iso(row.called_at),
        "finished_at": iso(row.finished_at),
        "window": row.window,
        "case_type": row.case_type,
        "recalls": row.recalls,
        "transferred_from": row.transferred_from,
        "transferred_to": row.transferred_to,
    }


def rank_expr(now: float, grace_s: float):
    """Calling rank: 0 appointment in its slot, 1 priority, 2 everyone else."""
    return case(
        (
            and_(tickets.c.kind == TicketKind.APPOINTMENT, tickets.c.slot_end + grace_s >= now),
            literal(0),
        ),
        (tickets.c.kind == TicketKind.PRIORITY, literal(1)),
        else_=literal(2),
    )


# Hot-path statements as plain SQL built once: no per-call statement construction.
RANK_SQL = (
    "(CASE WHEN kind = 'appointment' AND slot_end + :grace >= :now THEN 0"
    " WHEN kind = 'priority' THEN 1 ELSE 2 END)"
)
_WAITING_ALL = text(
    "SELECT service, count(*) FROM tickets WHERE day = :day AND status = 'waiting' GROUP BY service"
)
_WAITING_ONE = text(
    "SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting' AND service = :service"
)
_AHEAD = text(
    "SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting'"
    " AND service = :service AND id != :id"
    f" AND ({RANK_SQL} < :rank OR ({RANK_SQL} = :rank AND queue_at < :queue_at))"
)
_MEAN_SERVICE = text(
    "SELECT avg(d) FROM (SELECT finished_at - called_at AS d FROM tickets"
    " WHERE service = :service AND status = 'finished' AND called_at IS NOT NULL"
    " ORDER BY finished_at DESC LIMIT :n) AS recent"
)
_STAFFED = text("SELECT number, state FROM windows WHERE state != 'closed'")
MEAN_TTL_S = 30.0


def waiting_counts(conn: Connection, day: str) -> dict[str, int]:
    """Waiting tickets per service for a business day."""
    return {service: count for service, count in conn.execute(_WAITING_ALL, {"day": day})}


def waiting_in(conn: Connection, day: str, service: str) -> int:
    """Waiting tickets of one service."""
    return conn.execute(_WAITING_ONE, {"day": day, "service": service}).scalar_one()


def rank_of(row: Any, now: float, grace_s: float) -> int:
    """The calling rank of one ticket (see :func:`rank_expr`)."""
    if row.kind == TicketKind.PRIORITY:
        return 1
    if row.kind == TicketKind.APPOINTMENT and (row.slot_end or 0) + grace_s >= now:
        return 0
    return 2


def ahead_of(conn: Connection, row: Any, now: float, grace_s: float) -> int:
    """How many waiting tickets of the same service would be called before ``row``."""
    params = {
        "day": row.day,
        "service": row.service,
        "id": row.id,
        "grace": grace_s,
        "now": now,
        "rank": rank_of(row, now, grace_s),
        "queue_at": row.queue_at,
    }
    return conn.execute(_AHEAD, params).scalar_one()


class ServiceTimes:
    """Mean recent service time per service, cached for MEAN_TTL_S (writer thread only)."""

    def __init__(self, config: HallConfig) -> None:
        self.config = config
        self._cache: dict[str, tuple[float, float]] = {}

    def invalidate(self, service: str) -> None:
        """A case of this service finished: recompute next time."""
        self._cache.pop(service, None)

    def mean_s(self, conn: Connection, service: str, now: float) -> float:
        """Mean of the last N service times, else the configured default."""
        hit = self._cache.get(service)
        if hit and now - hit[1] < MEAN_TTL_S:
            return hit[0]
        n = self.config.calling.estimate_window_n
        mean = conn.execute(_MEAN_SERVICE, {"service": service, "n": n}).scalar_one()
        if mean is None:
            svc = self.config.service(service)
            mean = svc.default_service_s if svc else 300
        self._cache[service] = (float(mean), now)
        return float(mean)


def open_windows(conn: Connection) -> dict[int, str]:
    """Window number → state, for windows with staff (open, paused or serving)."""
    return {number: state for number, state in conn.execute(_STAFFED)}


def estimate_wait_s(
    per_citizen_s: float, config: HallConfig, service: str, ahead: int, staffed: dict[int, str]
) -> int:
    """Estimated wait: citizens ahead x recent mean service time / windows at work.

    With no window staffed yet, the windows configured for the service are
    assumed, so a citizen taking a number before opening still gets a figure.
    """
    serving = [n for n in config.windows_serving(service) if staffed.get(n) != WindowState.PAUSED]
    working = [n for n in serving if n in staffed] or serving or [0]
    return int(math.ceil(ahead * per_citizen_s / len(working)))
