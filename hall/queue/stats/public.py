"""Public figures: what the lobby display and the public page /public may show.

Only hall-wide aggregates and nothing that names a person: today's and this
month's 满意率 (satisfaction) and 办结率 (completion rate), with the counts
they rest on, from the same figures as the manager's statistics
(:mod:`hall.queue.stats.figures`, definitions there), and the latest 差评
rectification cases closed (评价结果及整改情况向社会公开) as the day closed, the
window, the service and the ticket number masked (``A0**``): no names, no
staff ids, no notes, no comments.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, select

from hall.queue.core.tables.ratings import rectification_steps_table as steps
from hall.queue.core.tables.ratings import rectifications_table as cases
from hall.queue.stats import figures

#: Closed rectification cases listed at most.
CLOSED_SHOWN = 5
#: What was done about a 差评 (the ``fix`` step's action), as the public sees it.
ACTIONS = {"fixed": ("已整改", "Put right"), "explained": ("已解释说明", "Explained")}


def mask_number(number: str, shown: int = 2) -> str:
    """A ticket number with all but its first ``shown`` characters masked: ``A012`` → ``A0**``."""
    return number[:shown] + "*" * max(0, len(number) - shown)


def _rates(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {
        "satisfaction": row.get("satisfaction"),
        "rated": row.get("rated", 0),
        "completion_rate": row.get("completion_rate"),
        "served": row.get("served", 0),
    }


def gather(conn: Connection, today: dt.date, tz: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Today's and this month's rates; also closed days computed on the way (to cache)."""
    month = today.replace(day=1)
    days, fresh = figures.gather(conn, month, today, today)
    by_month = figures.compute(conn, month, today, "month", "hall", today, tz, days)
    by_day = figures.compute(conn, today, today, "day", "hall", today, tz, days)
    return {
        "day": today.isoformat(),
        "month": month.isoformat()[:7],
        "today": _rates(next(iter(by_day["rows"]), None)),
        "this_month": _rates(next(iter(by_month["rows"]), None)),
        "rectified": closed_cases(conn),
    }, fresh


def closed_cases(conn: Connection, limit: int = CLOSED_SHOWN) -> list[dict[str, Any]]:
    """The latest 差评 cases closed after 回访, newest first, with nothing personal."""
    rows = conn.execute(
        select(cases.c.id, cases.c.number, cases.c.service, cases.c.window, cases.c.closed_day)
        .where(cases.c.state == "closed")
        .order_by(cases.c.closed_day.desc(), cases.c.id.desc())
        .limit(limit)
    ).all()
    actions: dict[int, str] = {}
    if rows:
        for case_id, data in conn.execute(
            select(steps.c.case_id, steps.c.data).where(
                steps.c.step == "fix", steps.c.case_id.in_([r.id for r in rows])
            )
        ):
            actions[case_id] = json.loads(data).get("action", "fixed")
    out = []
    for r in rows:
        zh, en = ACTIONS.get(actions.get(r.id, "fixed"), ACTIONS["fixed"])
        out.append(
            {
                "closed_day": r.closed_day,
                "number": mask_number(r.number),
                "service": r.service,
                "window": r.window,
                "action_zh": zh,
                "action_en": en,
            }
        )
    return out
