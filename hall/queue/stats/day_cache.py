"""The figures of one business day, fine-grained enough to roll up any way.

For a day, :func:`day_figures` gives, per (service, window, staff) triple, the
counts and sums of :data:`VECTOR`, and per grouping (hall, service, window,
staff) the histograms of wait and service time over the bucket edges
:data:`EDGES` (5 s steps below a minute, 15 s below 5 minutes, then wider).
Week and month figures add days up; nothing is re-read. A day costs one read
of its tickets and one of its ratings.

Days whose tickets can no longer change (before yesterday) are kept in the
``stats_days`` table as JSON; a rating or appeal for such a day drops its row
(:func:`invalidate`), so the next request rebuilds it.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from hall.queue.core.tables.daemon import stats_days_table
from hall.queue.core.writer import Tx
from hall.words import CaseType

CASE_TYPES = [c.value for c in CaseType]
LEVELS = (5, 4, 3, 2, 1)
#: The summed figures per (service, window, staff), in this order.
VECTOR = (
    ["issued", "served", "no_shows", "transfers"]
    + [f"type:{t}" for t in CASE_TYPES]
    + ["wait_sum", "service_sum"]
    + [f"level:{lv}" for lv in LEVELS]
    + ["appealed", "rated_tickets"]
)
DIMS = ("hall", "service", "window", "staff")
#: Histogram bucket edges in seconds: bucket i holds [EDGES[i], EDGES[i + 1]).
EDGES = (
    [0, 5, 10, 15, 20, 30, 40, 50]
    + list(range(60, 300, 15))
    + list(range(300, 600, 30))
    + list(range(600, 1200, 60))
    + list(range(1200, 2400, 120))
    + list(range(2400, 3600, 300))
    + list(range(3600, 7200, 600))
    + list(range(7200, 14400, 1800))
    + [14400]
)
_TICKETS = text(
    "SELECT service, window, staff_id, status, transferred_from IS NULL, case_type,"
    " called_at - issued_at, finished_at - served_at FROM tickets WHERE day = :d"
)
_RATINGS = text(
    "SELECT service, window, staff_id, kind, level, ticket_id IS NOT NULL, count(*) FROM ledger"
    " WHERE day = :d AND (kind = 'rating' OR (kind = 'appeal' AND decision = 'upheld'))"
    " GROUP BY 1, 2, 3, 4, 5, 6"
)
_CACHED = select(stats_days_table.c.day, stats_days_table.c.data).where(
    stats_days_table.c.day.in_(bindparam("days", expanding=True))
)


def _key(service: Any, window: Any, staff: Any) -> str:
    return "\x1f".join("" if v is None else str(v) for v in (service, window, staff))


def day_figures(conn: Connection, day: str) -> dict[str, Any]:
    """The figures of one business day (see the module docstring); one read of its tickets."""
    vectors: dict[str, list[float]] = {}
    n_edges = len(EDGES)
    hists: dict[str, dict[str, dict[str, list[int]]]] = {
        name: {dim: {} for dim in DIMS} for name in ("wait", "service")
    }
    at = {name: i for i, name in enumerate(VECTOR)}
    type_at = {t: at[f"type:{t}"] for t in CASE_TYPES}

    def vec(key: str) -> list[float]:
        if key not in vectors:
            vectors[key] = [0] * len(VECTOR)
        return vectors[key]

    def count(name: str, groups: tuple[str, ...], seconds: float) -> None:
        i = max(0, bisect_right(EDGES, seconds) - 1)
        for dim, group in zip(DIMS, groups, strict=True):
            hist = hists[name][dim].get(group)
            if hist is None:
                hist = hists[name][dim][group] = [0] * n_edges
            hist[i] += 1

    for service, window, staff, status, first, case_type, wait, service_s in conn.execute(
        _TICKETS, {"d": day}
    ):
        groups = ("", service or "", "" if window is None else str(window), staff or "")
        v = vec("\x1f".join(groups[1:]))
        v[0] += first
        if status == "finished":
            v[1] += 1
            if case_type in type_at:
                v[type_at[case_type]] += 1
            if service_s is not None:
                v[at["service_sum"]] += service_s
                count("service", groups, service_s)
        elif status == "no_show":
            v[2] += 1
        elif status == "transferred":
            v[3] += 1
        if first and wait is not None:
            v[at["wait_sum"]] += wait
            count("wait", groups, wait)
    for service, window, staff, kind, level, is_ticket, n in conn.execute(_RATINGS, {"d": day}):
        v = vec(_key(service, window, staff))
        v[at[f"level:{level}"]] += n if kind == "rating" else -n
        if kind == "appeal":
            v[at["appealed"]] += n
        elif is_ticket:
            v[at["rated_tickets"]] += n
    return {"vectors": vectors, "hists": hists}


def cached(conn: Connection, days: list[str]) -> dict[str, dict[str, Any]]:
    """The stored figures of these days (those that have a row)."""
    if not days:
        return {}
    return {day: json.loads(data) for day, data in conn.execute(_CACHED, {"days": days})}


def store(tx: Tx, figures: dict[str, dict[str, Any]]) -> None:
    """Keep the figures of closed days (replacing any row of the same day)."""
    for day, data in figures.items():
        tx.conn.execute(stats_days_table.delete().where(stats_days_table.c.day == day))
        tx.conn.execute(
            stats_days_table.insert(),
            {"day": day, "built_at": tx.now, "data": json.dumps(data, separators=(",", ":"))},
        )


def invalidate(tx: Tx, day: str) -> None:
    """A rating or appeal arrived for ``day``: its stored figures are stale."""
    tx.conn.execute(stats_days_table.delete().where(stats_days_table.c.day == day))
