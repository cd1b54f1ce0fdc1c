"""Reading the queue: ticket and window views, waiting counts, estimated waits.

Everything here runs inside a writer transaction (:class:`hall.queue.core.writer.Tx`)
so a view is consistent with the operation that produced it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import Connection, and_, case, literal, text

from hall.config import HallConfig
from hall.queue.core.domain import TicketKind, WindowState
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.tickets import order

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


def rank_expr(now: float, grace_s: float, behind: bool = False):
    """Calling rank: 0 appointment in its slot, 1 priority, 2 everyone else.

    ``behind``: a returning no-show (requeued: ``queue_at`` after ``issued_at``)
    ranks 2 (``calling.requeue_position: behind_waiting``).
    """
    whens = [(tickets_table.c.queue_at > tickets_table.c.issued_at, literal(2))] if behind else []
    return case(
        *whens,
        (
            and_(
                tickets_table.c.kind == TicketKind.APPOINTMENT,
                tickets_table.c.slot_end + grace_s >= now,
            ),
            literal(0),
        ),
        (tickets_table.c.kind == TicketKind.PRIORITY, literal(1)),
        else_=literal(2),
    )


# Hot-path statements as plain SQL built once: no per-call statement construction.
RANK_SQL = order.rank_sql()  # params :now, :grace, :behind
_WAITING_ALL = text(
    "SELECT service, count(*) FROM tickets WHERE day = :day AND status = 'waiting' GROUP BY service"
)
_WAITING_ONE = text(
    "SELECT count(*) FROM tickets WHERE day = :day AND status = 'waiting' AND service = :service"
)
_RECENT_SERVICE = text(
    "SELECT finished_at - called_at FROM tickets"
    " WHERE service = :service AND status = 'finished' AND called_at IS NOT NULL"
    " ORDER BY finished_at DESC LIMIT :n"
)
_STAFFED = text("SELECT number, state FROM windows WHERE state != 'closed'")
MEAN_TTL_S = 30.0


def waiting_counts(conn: Connection, day: str) -> dict[str, int]:
    """Waiting tickets per service for a business day."""
    return {service: count for service, count in conn.execute(_WAITING_ALL, {"day": day})}


def waiting_in(conn: Connection, day: str, service: str) -> int:
    """Waiting tickets of one service."""
    return conn.execute(_WAITING_ONE, {"day": day, "service": service}).scalar_one()


def place(
    config: HallConfig,
    conn: Connection,
    row: Any,
    now: float,
    grace_s: float,
    times: ServiceTimes,
    newest: bool = False,
) -> dict[str, Any]:
    """``ahead``, ``est_wait_s`` and ``est_wait_range_s`` of a waiting ticket.

    From the windows' real calling order (:func:`hall.queue.tickets.order.estimate`):
    people ahead counts every call the windows serving its service make first.
    """
    return order.estimate(
        config, conn, row, now, grace_s, lambda s: times.spread(conn, s, now), newest
    )


class ServiceTimes:
    """Mean recent service time per service, cached for MEAN_TTL_S (writer thread only)."""

    def __init__(self, config: HallConfig) -> None:
        self.config = config
        self._cache: dict[str, tuple[order.Spread, float]] = {}

    def invalidate(self, service: str) -> None:
        """A case of this service finished: recompute next time."""
        self._cache.pop(service, None)

    def mean_s(self, conn: Connection, service: str, now: float) -> float:
        """Mean of the last N service times, else the configured default."""
        return self.spread(conn, service, now).mean

    def spread(self, conn: Connection, service: str, now: float) -> order.Spread:
        """Mean, 20th and 80th percentile (nearest rank) of the last N service times.

        With no history: the configured default, and half and one and a half times it.
        """
        hit = self._cache.get(service)
        if hit and now - hit[1] < MEAN_TTL_S:
            return hit[0]
        n = self.config.calling.estimate_window_n
        recent = sorted(d for (d,) in conn.execute(_RECENT_SERVICE, {"service": service, "n": n}))
        if recent:
            at = lambda p: recent[max(0, math.ceil(p * len(recent)) - 1)]  # noqa: E731
            spread = order.Spread(sum(recent) / len(recent), at(0.2), at(0.8))
        else:
            svc = self.config.service(service)
            mean = float(svc.default_service_s if svc else 300)
            spread = order.Spread(mean, mean * 0.5, mean * 1.5)
        self._cache[service] = (spread, now)
        return spread


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
