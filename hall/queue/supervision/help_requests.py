"""帮办代办: a kiosk's help call, recorded, taken by whoever answers it, timed and counted.

The seeds: "中心广泛开展了帮办代办、延时服务、预约服务、上门服务等" and "配备2名的帮办、代办
服务人员…代填表格". A citizen presses "help" on a kiosk (``POST /api/v1/help``): the call
is stored with its terminal, place, time and the hall-local day and hour, and pushed to
the caller panels and the manager page (``help.requested``). A clerk (caller panel,
"我来处理") or a manager takes it (``POST /api/v1/help/{id}/ack``): the first one wins,
the others are told it is taken (``help.taken``; a later ack is a 409 naming the taker's
window), and the time to answer is stored. :func:`help_counts` gives the counts per
kiosk and hour with the median and mean time to answer, for the reports.

Events carry the taker's window (or "a manager"), never a staff id: staff streams show
windows without staff ids (hall/queue/web/api/events.py).
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hall.queue.core.domain import conflict, not_found
from hall.queue.core.tables.supervision import help_requests_table as H
from hall.queue.core.writer import Tx


def request_help(ctx: Any, tx: Tx, terminal: str, place: str) -> dict[str, Any]:
    """Store a kiosk's help call and tell the staff; the event's data (``where``, ``by``, ``help``)."""
    local = dt.datetime.fromtimestamp(tx.now, ctx.config.hall.tz)
    values = {
        "terminal": terminal,
        "place": place,
        "ts": tx.now,
        "day": local.date().isoformat(),
        "hour": local.hour,
    }
    help_id = tx.conn.execute(insert(H).values(**values)).inserted_primary_key[0]
    row = tx.conn.execute(select(H).where(H.c.id == help_id)).one()
    data = {"where": place, "by": terminal, "help": view(row, ctx.config.hall.tz)}
    tx.emit("help.requested", data)
    return data


def acknowledge(ctx: Any, tx: Tx, help_id: int, actor: str, window: int | None) -> dict[str, Any]:
    """``actor`` (a staff id at ``window``, or ``manager:<id>``) takes the call; 409 if taken."""
    row = tx.conn.execute(select(H).where(H.c.id == help_id)).first()
    if row is None:
        raise not_found(f"求助{help_id}", f"help request {help_id}", code="unknown_help")
    if row.acknowledged_by is not None:
        taker = row.acknowledged_window
        raise conflict(
            "help_taken",
            f"{row.place}的求助已由{taker}号窗口接手"
            if taker
            else f"{row.place}的求助已由管理人员接手",
            f"The help call at {row.place} was taken by "
            + (f"window {taker}" if taker else "a manager"),
            window=taker,
        )
    answer_s = round(max(0.0, tx.now - row.ts), 1)
    tx.conn.execute(
        update(H)
        .where(H.c.id == help_id)
        .values(
            acknowledged_by=actor,
            acknowledged_at=tx.now,
            acknowledged_window=window,
            answer_s=answer_s,
        )
    )
    row = tx.conn.execute(select(H).where(H.c.id == help_id)).one()
    shown = view(row, ctx.config.hall.tz)
    tx.emit("help.taken", {"help": shown})
    return {**shown, "acknowledged_by": actor}


def view(row: Any, tz: dt.tzinfo) -> dict[str, Any]:
    """A call as the event streams carry it: no staff id, the taker's window (None: a manager)."""
    return {
        "id": row.id,
        "terminal": row.terminal,
        "where": row.place,
        "at": dt.datetime.fromtimestamp(row.ts, tz).isoformat("T", "seconds"),
        "day": row.day,
        "hour": row.hour,
        "taken": row.acknowledged_by is not None,
        "window": row.acknowledged_window,
        "answer_s": row.answer_s,
    }


def listing(conn: Connection, day: str, tz: dt.tzinfo) -> list[dict[str, Any]]:
    """A day's calls, oldest first, with who took each (for managers)."""
    rows = conn.execute(select(H).where(H.c.day == day).order_by(H.c.id)).all()
    return [{**view(r, tz), "acknowledged_by": r.acknowledged_by} for r in rows]


def _times(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median_s": None, "mean_s": None}
    return {
        "median_s": round(statistics.median(values), 1),
        "mean_s": round(statistics.fmean(values), 1),
    }


def help_counts(conn: Connection, start: str | dt.date, end: str | dt.date) -> dict[str, Any]:
    """Calls from ``start`` to ``end`` (ISO days or dates, both included), for the reports.

    ``by_terminal`` {terminal: {count, answered, median_s, mean_s}}, ``by_hour``
    {hour: count} (hall-local hours), and over all: count, answered, median_s, mean_s
    (the time to answer, of the answered calls; None when none was).
    """
    start, end = str(start), str(end)  # a date's str() is its ISO day, as rows store it
    rows = conn.execute(
        select(H.c.terminal, H.c.hour, H.c.answer_s).where((H.c.day >= start) & (H.c.day <= end))
    ).all()
    by_terminal: dict[str, list[Any]] = {}
    by_hour: dict[int, int] = {}
    for r in rows:
        by_terminal.setdefault(r.terminal, []).append(r.answer_s)
        by_hour[r.hour] = by_hour.get(r.hour, 0) + 1
    answered = [r.answer_s for r in rows if r.answer_s is not None]
    return {
        "start": start,
        "end": end,
        "count": len(rows),
        "answered": len(answered),
        **_times(answered),
        "by_terminal": {
            t: {
                "count": len(v),
                "answered": sum(1 for s in v if s is not None),
                **_times([s for s in v if s is not None]),
            }
            for t, v in sorted(by_terminal.items())
        },
        "by_hour": dict(sorted(by_hour.items())),
    }
