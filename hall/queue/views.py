"""Reading the queue: ticket and window views, waiting counts, estimated waits.

Everything here runs inside a writer transaction (:class:`hall.queue.writer.Tx`)
so a view is consistent with the operation that produced it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from hall.config import HallConfig
from hall.queue.domain import TicketKind, TicketStatus, WindowState
from hall.queue.store import tickets, windows

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


def waiting_counts(conn: Connection, day: str) -> dict[str, int]:
    """Waiting tickets per service for a business day."""
    rows = conn.execute(
        select(tickets.c.service, func.count())
        .where(tickets.c.day == day, tickets.c.status == TicketStatus.WAITING)
        .group_by(tickets.c.service)
    )
    return {service: count for service, count in rows}


def ahead_of(conn: Connection, row: Any, now: float, grace_s: float) -> int:
    """How many waiting tickets of the same service would be called before ``row``."""
    rank = rank_expr(now, grace_s)
    my_rank = 2
    if row.kind == TicketKind.PRIORITY:
        my_rank = 1
    elif row.kind == TicketKind.APPOINTMENT and (row.slot_end or 0) + grace_s >= now:
        my_rank = 0
    return conn.execute(
        select(func.count()).where(
            tickets.c.day == row.day,
            tickets.c.status == TicketStatus.WAITING,
            tickets.c.service == row.service,
            tickets.c.id != row.id,
            or_(rank < my_rank, and_(rank == my_rank, tickets.c.queue_at < row.queue_at)),
        )
    ).scalar_one()


def mean_service_s(conn: Connection, config: HallConfig, service: str) -> float:
    """Mean service time of the last N finished tickets of a service, else the default."""
    recent = (
        select((tickets.c.finished_at - tickets.c.called_at).label("d"))
        .where(
            tickets.c.service == service,
            tickets.c.status == TicketStatus.FINISHED,
            tickets.c.called_at.is_not(None),
        )
        .order_by(tickets.c.finished_at.desc())
        .limit(config.calling.estimate_window_n)
        .subquery()
    )
    mean = conn.execute(select(func.avg(recent.c.d))).scalar_one()
    if mean is None:
        svc = config.service(service)
        return float(svc.default_service_s if svc else 300)
    return float(mean)


def open_windows(conn: Connection) -> dict[int, str]:
    """Window number → state, for windows with staff (open, paused or serving)."""
    rows = conn.execute(
        select(windows.c.number, windows.c.state).where(windows.c.state != WindowState.CLOSED)
    )
    return {number: state for number, state in rows}


def estimate_wait_s(
    conn: Connection, config: HallConfig, service: str, ahead: int, staffed: dict[int, str]
) -> int:
    """Estimated wait: citizens ahead x recent mean service time / windows at work.

    With no window staffed yet, the windows configured for the service are
    assumed, so a citizen taking a number before opening still gets a figure.
    """
    serving = [n for n in config.windows_serving(service) if staffed.get(n) != WindowState.PAUSED]
    working = [n for n in serving if n in staffed] or serving or [0]
    per_citizen = mean_service_s(conn, config, service)
    return int(math.ceil(ahead * per_citizen / len(working)))
