"""Complaint figures for a period: what the 通报 and the 考核 read of the 投诉 register.

The seeds report them as "投诉5起,办结率100%" and count a substantiated complaint against
the clerk ("因工作态度问题引起投诉…每次扣2分"). :func:`complaint_counts` is the one entry
point (hall/queue/supervision/reports.py and assessment.py call it); it reads the
register only, no personal data, and needs no writer (any connection will do).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Connection, select

from hall.queue.core.tables.supervision import complaints_table as C
from hall.queue.supervision.complaints import CHANNELS, SATISFACTION


def _bump(table: dict[str, dict[str, int]], key: Any, what: str) -> None:
    if key is None or key == "":
        return
    entry = table.setdefault(str(key), {"received": 0, "substantiated": 0})
    entry[what] += 1


def complaint_counts(conn: Connection, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The complaints received from ``start`` to ``end`` (both included), counted.

    As of ``end`` (the period's last day; pass today for a period still running):

    - ``received``; ``by_channel`` {channel: n};
    - ``replied`` (replied by now, whenever), ``replied_on_time`` (replied on or before
      ``due_on``), ``replied_late``; ``closed`` and ``closed_rate`` (办结率, 0..1, None
      when nothing was received);
    - ``overdue``: replied late, or not replied and ``end`` is after ``due_on`` — a
      complaint still inside its reply days at ``end`` is neither on time nor overdue yet;
    - ``substantiated`` / ``unsubstantiated`` (属实/不属实);
    - ``by_staff``, ``by_window``, ``by_department``: {subject: {received, substantiated}}
      (window numbers as strings), for the assessment's deductions;
    - ``satisfaction``: {satisfied, basic, unsatisfied, unknown} of the replied ones.
    """
    rows = conn.execute(
        select(
            C.c.channel,
            C.c.due_on,
            C.c.status,
            C.c.replied_on,
            C.c.outcome,
            C.c.satisfaction,
            C.c.subject_staff,
            C.c.subject_window,
            C.c.subject_department,
        ).where(C.c.received_on >= start.isoformat(), C.c.received_on <= end.isoformat())
    ).fetchall()
    last = end.isoformat()
    channels: Counter[str] = Counter({c: 0 for c in CHANNELS})
    satisfaction: Counter[str] = Counter({s: 0 for s in (*SATISFACTION, "unknown")})
    figures = Counter(
        {
            k: 0
            for k in (
                "replied",
                "replied_on_time",
                "replied_late",
                "closed",
                "overdue",
                "substantiated",
                "unsubstantiated",
            )
        }
    )
    by: dict[str, dict[str, dict[str, int]]] = {"staff": {}, "window": {}, "department": {}}
    for r in rows:
        channels[r.channel] += 1
        subjects = {"staff": r.subject_staff, "window": r.subject_window}
        subjects["department"] = r.subject_department
        for kind, key in subjects.items():
            _bump(by[kind], key, "received")
        if r.replied_on is not None:
            figures["replied"] += 1
            late = r.replied_on > r.due_on
            figures["replied_late" if late else "replied_on_time"] += 1
            figures["overdue"] += int(late)
            satisfaction[r.satisfaction or "unknown"] += 1
        elif last > r.due_on:
            figures["overdue"] += 1
        figures["closed"] += int(r.status == "closed")
        if r.outcome in ("substantiated", "unsubstantiated"):
            figures[r.outcome] += 1
        if r.outcome == "substantiated":
            for kind, key in subjects.items():
                _bump(by[kind], key, "substantiated")
    received = len(rows)
    return {
        "start": start.isoformat(),
        "end": last,
        "received": received,
        **dict(figures),
        "closed_rate": figures["closed"] / received if received else None,
        "by_channel": dict(channels),
        "by_staff": by["staff"],
        "by_window": by["window"],
        "by_department": by["department"],
        "satisfaction": dict(satisfaction),
    }
