"""Where a waiting ticket stands: the windows' calling order, simulated.

A window calls by :func:`hall.queue.tickets.calling._pick_next`: among the services it
serves, appointments in their slot first (rank 0), then priority (rank 1),
then everyone else (rank 2), oldest ``queue_at`` first; after
``max_consecutive_priority`` privileged calls in a row it calls the oldest
ordinary ticket. Windows serve different mixes of services, so a ticket of
service B at windows that also serve A waits for the A tickets those windows
will call first, and less for the A tickets other windows take.

:func:`estimate` plays that policy forward over the tickets waiting now (no
future arrivals): every working window (open or serving; paused and closed
ones call nobody) takes its next pick when it is free, each case lasting the
recent service time of its service, until a window that serves the ticket
calls it. It answers:

- ``ahead``: the calls made before it by the windows that serve its service
  (tickets of other services included);
- ``est_wait_s``: when it is called, with mean service times and busy windows
  freeing after their mean;
- ``est_wait_range_s``: ``[low, high]``, the same play with the low and high
  recent service times (20th and 80th percentile, nearest rank), busy windows
  freeing at once (low) or after a long case (high). ``low == high`` only when
  certain: nobody ahead and a free window.

If no window serving the service is working, the configured ones that are not
paused are assumed open and idle (a number taken before opening gets a
figure). Beyond :data:`CAP` waiting tickets the play would cost too much per
number issued: the answer is then counted per service (:func:`_counted`),
exact for ``ahead`` when the windows serving the ticket share their services
with no other window, approximate otherwise. The same counting, exact in the
same case, is the fast path for a new ordinary ticket (:func:`estimate`
``newest=True``), the writer's hot path.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from hall.config import HallConfig
from hall.queue.core.domain import WindowState

CAP = 400
#: "Uncertain" never shows as a single figure: the range is at least this wide.
MIN_SPREAD_S = 60


def rank_sql() -> str:
    """The calling rank as SQL (params :now, :grace, :behind); see :func:`rank_of`."""
    return (
        "(CASE WHEN :behind = 1 AND queue_at > issued_at THEN 2"
        " WHEN kind = 'appointment' AND slot_end + :grace >= :now THEN 0"
        " WHEN kind = 'priority' THEN 1 ELSE 2 END)"
    )


_WAITING = text(
    f"SELECT id, service, {rank_sql()} AS rank, queue_at FROM tickets"
    " WHERE day = :day AND status = 'waiting' ORDER BY rank, queue_at LIMIT :cap"
)
_BEFORE = text(
    "SELECT service, count(*) FROM tickets WHERE day = :day AND status = 'waiting'"
    f" AND id != :id AND ({rank_sql()} < :rank OR ({rank_sql()} = :rank AND queue_at < :queue_at))"
    " GROUP BY service"
)
# A new ordinary ticket is last in line: everything waiting comes first (index only).
_ALL_BY_SERVICE = text(
    "SELECT service, count(*) FROM tickets WHERE day = :day AND status = 'waiting' GROUP BY service"
)
_WINDOWS = text(
    "SELECT w.number, w.state, w.priority_streak, t.service, t.called_at"
    " FROM windows AS w LEFT JOIN tickets AS t ON t.id = w.ticket_id"
)


@dataclass(frozen=True)
class Spread:
    """Recent service times of one service: mean, low and high (seconds)."""

    mean: float
    low: float
    high: float


@dataclass
class _Win:
    number: int
    services: tuple[str, ...]
    streak: int
    busy_service: str | None  # None: idle now
    elapsed: float  # seconds since its current ticket was called
    assumed: bool = False  # not working yet: assumed open and idle


def _windows(
    config: HallConfig, conn: Connection, service: str, now: float
) -> tuple[list[_Win], set[int]]:
    """The working windows, and the numbers of those that serve ``service``."""
    rows = {r.number: r for r in conn.execute(_WINDOWS)}
    working: list[_Win] = []
    for w in config.windows:
        r = rows.get(w.number)
        if r is None or r.state not in (WindowState.OPEN, WindowState.SERVING):
            continue
        busy = r.service if r.state == WindowState.SERVING and r.service else None
        elapsed = 0.0 if busy is None or r.called_at is None else max(0.0, now - r.called_at)
        working.append(_Win(w.number, tuple(w.services), r.priority_streak or 0, busy, elapsed))
    serving = {w.number for w in working if service in w.services}
    if not serving:  # before opening (or all paused): assume the configured ones, idle
        paused = {n for n, r in rows.items() if r.state == WindowState.PAUSED}
        assumed = [w for w in config.windows if service in w.services]
        assumed = [w for w in assumed if w.number not in paused] or assumed
        for w in assumed:
            working.append(_Win(w.number, tuple(w.services), 0, None, 0.0, assumed=True))
            serving.add(w.number)
    return working, serving


def _closed(working: list[_Win], serving: set[int]) -> bool:
    """Whether no other window calls any service the serving windows call."""
    mix = {s for w in working if w.number in serving for s in w.services}
    return all(w.number in serving for w in working if mix.intersection(w.services))


def _play(
    tickets: list[Any],
    target: str,
    working: list[_Win],
    serving: set[int],
    duration: dict[str, float],
    remaining: dict[int, float],
    max_priority: int,
) -> tuple[int, float] | None:
    """(calls before ``target`` by serving windows, when it is called); None: never."""
    queues: dict[str, list[deque]] = {}
    for t in tickets:  # already in (rank, queue_at) order
        queues.setdefault(t.service, [deque(), deque(), deque()])[t.rank].append(t)
    streak = {w.number: w.streak for w in working}
    heap = [(remaining[w.number], w.number, w.services) for w in working]
    heapq.heapify(heap)
    ahead = 0
    while heap:
        free_at, number, services = heapq.heappop(heap)
        own = [queues[s] for s in services if s in queues]
        pick_rank = None
        ranks = (2, 0, 1, 2) if streak[number] >= max_priority else (0, 1, 2)
        for r in ranks:
            heads = [q[r] for q in own if q[r]]
            if heads:
                best = min(heads, key=lambda q: q[0].queue_at)
                pick, pick_rank = best.popleft(), r
                break
        if pick_rank is None:
            continue  # nothing more this window can call: it drops out
        if pick.id == target:
            return ahead, free_at
        ahead += number in serving
        streak[number] = 0 if pick_rank == 2 else streak[number] + 1
        heapq.heappush(heap, (free_at + duration[pick.service], number, services))
    return None


def _counted(
    conn: Connection,
    row: Any,
    params: dict[str, Any],
    serving: list[_Win],
    times: Any,
    last: bool = False,
) -> tuple[int, list[float]]:
    """Calls ahead counted per service (no play): (ahead, [point, low, high] seconds).

    ``last``: ``row`` is a new ordinary ticket, behind everything waiting.
    """
    mix = {s for w in serving for s in w.services}
    if last:
        found = conn.execute(_ALL_BY_SERVICE, {"day": row.day})
    else:
        found = conn.execute(_BEFORE, {**params, "id": row.id, "queue_at": row.queue_at})
    counts = {s: n for s, n in found if s in mix}
    if last and counts.get(row.service):
        counts[row.service] -= 1  # not ahead of itself
    ahead = sum(counts.values())
    out = []
    for pick in ("mean", "low", "high"):
        work = sum(n * getattr(times(s), pick) for s, n in counts.items())
        busy = [_left(w, times, pick) for w in serving]
        out.append((work + sum(busy)) / len(serving) if serving else 0.0)
    return ahead, out


def _left(w: _Win, times: Any, pick: str) -> float:
    """Seconds until a busy window is free (0 when idle), by the mean, low or high time."""
    if w.busy_service is None:
        return 0.0
    if pick == "low":
        return 0.0  # it may finish this very moment
    return max(0.0, getattr(times(w.busy_service), pick) - w.elapsed)


def estimate(
    config: HallConfig,
    conn: Connection,
    row: Any,
    now: float,
    grace_s: float,
    times: Any,
    newest: bool = False,
) -> dict[str, Any]:
    """``{"ahead", "est_wait_s", "est_wait_range_s"}`` for a waiting ticket ``row``.

    ``times(service)`` gives its :class:`Spread`. ``newest``: ``row`` was just
    issued (nothing waiting was queued after it).
    """
    working, serving_numbers = _windows(config, conn, row.service, now)
    serving = [w for w in working if w.number in serving_numbers]
    behind = int(config.calling.requeue_position == "behind_waiting")
    params = {"day": row.day, "now": now, "grace": grace_s, "behind": behind}
    rank = rank_of(row, now, grace_s, bool(behind))
    tickets = None
    last = newest and rank == 2
    if not (last and _closed(working, serving_numbers)):
        tickets = conn.execute(_WAITING, {**params, "cap": CAP}).all()
        if len(tickets) >= CAP and all(t.id != row.id for t in tickets):
            tickets = None
    if tickets is None:
        counted = _counted(conn, row, {**params, "rank": rank}, serving, times, last)
        ahead, (point, low, high) = counted
    else:
        if all(t.id != row.id for t in tickets):  # not waiting (any more): nothing to play
            return {"ahead": 0, "est_wait_s": 0, "est_wait_range_s": [0, 0]}
        services = {t.service for t in tickets} | {w.busy_service for w in working} - {None}
        spreads = {s: times(s) for s in services}
        runs = []
        for pick in ("mean", "low", "high"):
            duration = {s: getattr(sp, pick) for s, sp in spreads.items()}
            remaining = {w.number: _left(w, times, pick) for w in working}
            played = _play(
                tickets,
                row.id,
                working,
                serving_numbers,
                duration,
                remaining,
                config.calling.max_consecutive_priority,
            )
            runs.append(played)
        if runs[0] is None:  # no window can ever call it: count instead
            counted = _counted(conn, row, {**params, "rank": rank}, serving, times)
            ahead, (point, low, high) = counted
        else:
            ahead, point = runs[0]
            low = min(r[1] for r in runs if r is not None)
            high = max(r[1] for r in runs if r is not None)
    certain = ahead == 0 and any(w.busy_service is None and not w.assumed for w in serving)
    point_s = int(round(point))
    low_s, high_s = min(int(low), point_s), max(int(round(high + 0.499)), point_s)
    if certain:
        low_s = high_s = point_s = 0
    elif high_s - low_s < MIN_SPREAD_S:
        high_s = low_s + MIN_SPREAD_S
    return {"ahead": int(ahead), "est_wait_s": point_s, "est_wait_range_s": [low_s, high_s]}


def rank_of(row: Any, now: float, grace_s: float, behind: bool) -> int:
    """The calling rank of one ticket, as :func:`rank_sql` computes it.

    ``behind``: a returning no-show (``queue_at`` after ``issued_at``, set by
    :func:`hall.queue.tickets.calling.requeue`) ranks as an ordinary ticket.
    """
    if behind and row.queue_at > row.issued_at:
        return 2
    if row.kind == "appointment" and (row.slot_end or 0) + grace_s >= now:
        return 0
    if row.kind == "priority":
        return 1
    return 2
