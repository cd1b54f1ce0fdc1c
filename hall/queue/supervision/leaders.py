"""分管领导 at the hall: their sign-ins (签到) and the month's count against the rule.

"分管领导每月必须到中心签到2次": a leader (config ``leaders:``, no window) signs in with
id + PIN at a kiosk or a face terminal (POST /api/v1/leaders/sign-in, throttled like a
staff sign-in under ``leader:<id>``); each sign-in is a row of ``leader_visits``.

A month's count is the number of *days* with a sign-in: signing in twice on one
visit is one visit. :func:`leader_counts` is what the reports (通报) read;
:func:`monthly` adds each configured leader's name and required count, leaders
without a visit included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.domain import not_found
from hall.queue.core.tables.supervision import leader_visits_table as V
from hall.queue.core.writer import Tx
from hall.queue.tickets.views import iso

FACE, PIN = "face", "pin"


def record_visit(
    ctx: Context, tx: Tx, leader_id: str, method: str, terminal: str | None
) -> dict[str, Any]:
    """Store one sign-in of a leader whose PIN (or face) was already checked."""
    leader = ctx.config.leader(leader_id)
    if leader is None:
        raise not_found(f"领导{leader_id}", f"leader {leader_id}", code="unknown_leader")
    day = ctx.local_date(tx.now).isoformat()
    values = {"leader_id": leader_id, "ts": tx.now, "day": day, "method": method}
    values["terminal"] = terminal
    visit_id = tx.conn.execute(insert(V).values(**values)).inserted_primary_key[0]
    tx.emit("leader.signed_in", {"leader_id": leader_id, "day": day, "method": method})
    month = day[:7]
    count = leader_counts(tx.conn, month).get(leader_id, 0)
    return {
        "id": visit_id,
        "leader_id": leader_id,
        "name": leader.name,
        "at": iso(tx.now),
        "day": day,
        "method": method,
        "terminal": terminal,
        "month": month,
        "visits": count,
        "required": leader.monthly_visits,
    }


def _month_range(month: str | dt.date) -> tuple[str, str]:
    """First and last ISO day of a month given as ``YYYY-MM`` or any date in it."""
    first = dt.date.fromisoformat(month + "-01") if isinstance(month, str) else month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.isoformat(), (following - dt.timedelta(days=1)).isoformat()


def leader_counts(conn: Connection, month: str | dt.date) -> dict[str, int]:
    """Leader id -> days of the month (``YYYY-MM`` or a date in it) with a sign-in."""
    first, last = _month_range(month)
    rows = conn.execute(
        select(V.c.leader_id, func.count(func.distinct(V.c.day)))
        .where(V.c.day >= first, V.c.day <= last)
        .group_by(V.c.leader_id)
    )
    return {leader_id: n for leader_id, n in rows}


def monthly(config: HallConfig, conn: Connection, month: str | dt.date) -> dict[str, Any]:
    """Every configured leader's visits in the month against the required count."""
    first, last = _month_range(month)
    counts = leader_counts(conn, month)
    days: dict[str, list[str]] = {}
    for r in conn.execute(
        select(V.c.leader_id, V.c.day)
        .where(V.c.day >= first, V.c.day <= last)
        .group_by(V.c.leader_id, V.c.day)
        .order_by(V.c.day)
    ):
        days.setdefault(r.leader_id, []).append(r.day)
    leaders = [
        {
            "id": m.id,
            "name": m.name,
            "title": m.title,
            "visits": counts.get(m.id, 0),
            "required": m.monthly_visits,
            "met": counts.get(m.id, 0) >= m.monthly_visits,
            "days": days.get(m.id, []),
        }
        for m in config.leaders
    ]
    return {"month": first[:7], "leaders": leaders}
