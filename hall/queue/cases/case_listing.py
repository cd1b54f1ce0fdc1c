"""Register listings: cases without personal data, by department, status and 黄牌/红牌.

Read from the clock the register stores on each row (promised date, first 黄牌 day),
so a listing is an indexed query and never a clock per case (bench/RESULTS.md:
100,000 cases, one department's open cases with warnings in well under 100 ms).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select

from hall.queue.cases import case_rules
from hall.queue.core.tables.cases import case_steps_table, cases_table
from hall.queue.core.writer import Tx

C = cases_table
S = case_steps_table


def _co_of(codes: list[str]) -> Any:
    """Receipts of the 联办件 in which one of ``codes`` is a co-department (联办部门)."""
    return select(S.c.receipt).where(S.c.role == "co", S.c.department.in_(codes))


def summary(row: Any) -> dict[str, Any]:
    """A case without personal data: for lists and the ``case.changed`` event."""
    return {
        "receipt": row.receipt,
        "source": row.source,
        "matter": row.matter,
        "department": row.department,
        "kind": row.kind,
        "status": row.status,
        "status_label": case_rules.label(row.status),
        "received_on": row.received_on,
        "promised_date": row.promised_date,
        "clock_state": row.clock_state,
        "yellow_on": row.yellow_on,
        "window": row.window,
    }


def warning_of(row: Any, today: dt.date) -> str | None:
    """黄牌/红牌 from the stored clock: red past the promised date, yellow from yellow_on."""
    if row.clock_state != "running" or row.promised_date is None:
        return None
    if today.isoformat() > row.promised_date:
        return "red"
    if row.yellow_on is not None and today.isoformat() >= row.yellow_on:
        return "yellow"
    return None


def listing(
    tx: Tx,
    today: dt.date,
    department: str | None = None,
    status: str | None = None,
    due: str | None = None,
    limit: int = 200,
    scope: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Cases (no applicant data), newest first, by department, status and warning.

    ``due``: ``red`` (running, past the promised date) or ``yellow`` (running, in
    its 黄牌 days, not yet red), or ``open`` (every open case). ``scope`` limits a
    clerk to these departments' cases and those of no department. A department's
    cases include the 联办件 it is a co-department of: it reads them and marks its
    step (case_rules.check_read), so its clerks must find them in their list.
    """
    query = select(C).order_by(C.c.received_at.desc()).limit(limit)
    if department is not None:
        query = query.where(
            or_(C.c.department == department, C.c.receipt.in_(_co_of([department])))
        )
    if scope is not None:
        codes = sorted(scope)
        query = query.where(
            or_(C.c.department.in_(codes), C.c.department == "", C.c.receipt.in_(_co_of(codes)))
        )
    if status is not None:
        query = query.where(C.c.status == status)
    day = today.isoformat()
    if due in ("red", "yellow"):
        query = query.where(C.c.clock_state == "running", C.c.status.in_(case_rules.OPEN))
        if due == "red":
            query = query.where(C.c.promised_date < day)
        else:
            query = query.where(C.c.yellow_on <= day, C.c.promised_date >= day)
    elif due == "open":
        query = query.where(C.c.status.in_(case_rules.OPEN))
    cases = []
    for row in tx.conn.execute(query):
        item = summary(row)
        item["warning"] = warning_of(row, today)
        cases.append(item)
    return {"cases": cases, "today": day}
