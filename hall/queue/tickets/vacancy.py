"""空岗 alerts: a window left closed or paused too long while people wait for it.

:func:`check` runs on the writer every ``vacancy.check_every_s`` (:func:`watch`, started
with the app) on the daemon's clock. A window is *empty* when it is closed or paused;
its emptiness counts from when it began (the open pause's start, the last session's
end) but never from before the start of the current period of its services' hours
(a window closed overnight is not empty at 09:00 sharp). When an empty window has
people waiting for a service of it that is in its hours, and has been empty longer
than ``vacancy.alert_after_min`` (or its pause reason's limit), an alert is recorded
and ``vacancy.alert`` emitted; it ends (``vacancy.ended``) when the window opens
(:func:`end_alerts`, called by the operations that open it).

The events carry the window, its state, the pause reason, times and the number
waiting, never a staff id or a pause's note: every staff session sees them (the
B岗 clerk's panel shows those of its windows) and managers do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, insert, select, update

from hall.queue.core.context import Context
from hall.queue.core.domain import WindowState
from hall.queue.core.rows import window_row
from hall.queue.core.tables.tickets import staff_sessions_table, vacancy_alerts_table
from hall.queue.core.writer import Tx
from hall.queue.tickets import pauses, views

log = logging.getLogger(__name__)
ALERT, ENDED = "vacancy.alert", "vacancy.ended"
_A = vacancy_alerts_table
_LAST_SESSION_END = select(func.max(staff_sessions_table.c.ended_at))


def _alert_view(ctx: Context, row: Any, now: float) -> dict[str, Any]:
    window = ctx.config.window(row.window)
    return {
        "id": row.id,
        "window": row.window,
        "window_name": window.name_zh if window else "",
        "state": row.state,
        "reason": row.reason,
        "reason_words": pauses.reason_words(row.reason),
        "since": views.iso(row.since),
        "raised_at": views.iso(row.raised_at),
        "ended_at": views.iso(row.ended_at),
        "empty_min": round(((row.ended_at or now) - row.since) / 60, 1),
        "waiting": row.waiting,
        "notify_b": ctx.config.vacancy.notify_b,
    }


def open_alerts(ctx: Context, tx: Tx) -> list[dict[str, Any]]:
    """The alerts not ended yet, oldest first."""
    found = tx.conn.execute(select(_A).where(_A.c.ended_at.is_(None)).order_by(_A.c.id))
    return [_alert_view(ctx, r, tx.now) for r in found]


def end_alerts(ctx: Context, tx: Tx, window: int) -> None:
    """The window opened: end its open alert (``vacancy.ended``)."""
    found = tx.conn.execute(select(_A).where(_A.c.window == window, _A.c.ended_at.is_(None)))
    for row in found.all():
        tx.conn.execute(update(_A).where(_A.c.id == row.id).values(ended_at=tx.now))
        ended = tx.conn.execute(select(_A).where(_A.c.id == row.id)).one()
        tx.emit(ENDED, {"alert": _alert_view(ctx, ended, tx.now)})


def _empty_since(tx: Tx, row: Any) -> tuple[float, str | None]:
    """When the window's emptiness began, and the pause reason (None: closed)."""
    if row.state == WindowState.PAUSED:
        pause = pauses.open_pause(tx, row.number)
        if pause is not None:
            return pause.started_at, pause.reason
        return row.updated_at, None
    ended = tx.conn.execute(
        _LAST_SESSION_END.where(staff_sessions_table.c.window == row.number)
    ).scalar()
    return (ended or 0.0), None


def empty_windows(ctx: Context, tx: Tx) -> list[dict[str, Any]]:
    """Every closed or paused window with people waiting for it in hours, and for how long."""
    now = dt.datetime.fromtimestamp(tx.now, dt.UTC)
    waiting = views.waiting_counts(tx.conn, ctx.day(tx.now))
    out = []
    for cfg in ctx.config.windows:
        row = window_row(tx, cfg.number)
        if row.state not in (WindowState.CLOSED, WindowState.PAUSED):
            continue
        starts = []
        count = 0
        for code in cfg.services:
            start = ctx.schedule.period_start(ctx.config.service(code), now)
            if start is not None and waiting.get(code, 0) > 0:
                starts.append(start.timestamp())
                count += waiting[code]
        if not starts:
            continue
        began, reason = _empty_since(tx, row)
        since = max(began, min(starts))
        limit = ctx.config.vacancy.limit_min(reason)
        out.append(
            {
                "window": cfg.number,
                "state": row.state,
                "reason": reason,
                "since": since,
                "empty_s": max(0.0, tx.now - since),
                "waiting": count,
                "limit_min": limit,
            }
        )
    return out


def check(ctx: Context, tx: Tx) -> int:
    """Raise an alert for each window empty past its limit that has none open; how many."""
    alerting = {w for (w,) in tx.conn.execute(select(_A.c.window).where(_A.c.ended_at.is_(None)))}
    raised = 0
    for empty in empty_windows(ctx, tx):
        if empty["window"] in alerting or empty["empty_s"] < empty["limit_min"] * 60:
            continue
        alert_id = tx.conn.execute(
            insert(_A).values(
                day=ctx.day(tx.now),
                window=empty["window"],
                state=empty["state"],
                reason=empty["reason"],
                since=empty["since"],
                raised_at=tx.now,
                waiting=empty["waiting"],
            )
        ).inserted_primary_key[0]
        row = tx.conn.execute(select(_A).where(_A.c.id == alert_id)).one()
        tx.emit(ALERT, {"alert": _alert_view(ctx, row, tx.now)})
        raised += 1
    return raised


async def watch(run: Callable[[Callable[[Tx], Any]], Awaitable[Any]], ctx: Context) -> None:
    """Run :func:`check` now and then every ``vacancy.check_every_s`` (the app's lifespan)."""
    every = ctx.config.vacancy.check_every_s
    while True:
        try:
            await run(lambda tx: check(ctx, tx))
        except Exception:  # keep watching; the next round tries again
            log.exception("vacancy check failed")
        await asyncio.sleep(every)
