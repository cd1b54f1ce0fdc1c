"""联办件 and 上报件 steps: who holds a case, since when, until when (``case_steps``).

联办件 ("受理、主办科室承办、联办科室承办…规定了具体的接收时间、办结时间"): the lead
department is step 0 (the whole case, due on its promised date); each co-department
is a step of its own, in the order given. Decision: the co-departments work in
turn: the first gets the case when it is opened, each next one when the one before
marks its step done (``step`` {seq, note}, by that department's clerks or a
manager). Their due dates are fixed at opening, inside the case's time: with
``cases.co_step_days`` > 0 each has that many working days after the one before
(never past the case's own date); with 0 the case's time is split evenly, the lead
keeping the last share (3 co-departments, 8 days: due after 2, 4 and 6 days).

上报件: ``report_up`` {to, note} records the day the case is sent up (a step of role
``upper`` naming the office), ``answered`` {note} the day the answer came back.
:func:`holding` gives the view's "who held it how long" from the steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select

from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, conflict, forbidden, not_found
from hall.queue.core.tables.cases import case_steps_table
from hall.queue.core.writer import Tx
from hall.workdays import CalendarError

S = case_steps_table
_STEPS = select(S).where(S.c.receipt == bindparam("r")).order_by(S.c.seq)


def steps(conn: Any, receipt: str) -> list[Any]:
    """The steps of a case, in order (none for a case of one department)."""
    return list(conn.execute(_STEPS, {"r": receipt}))


def _due_dates(ctx: Context, start: dt.date, limit: int, promised: dt.date, n: int) -> list[str]:
    per = ctx.config.cases.co_step_days
    out = []
    for i in range(1, n + 1):
        days = per * i if per else limit * i // (n + 1)
        try:
            due = min(ctx.calendar.add_working_days(start, days), promised)
        except CalendarError:
            due = promised
        out.append(due.isoformat())
    return out


def open_steps(ctx: Context, tx: Tx, row: Any, co_departments: list[str], today: dt.date) -> None:
    """The steps of a new 联办件: the lead (0) and each co-department (1..n)."""
    for code in co_departments:
        if ctx.config.department(code) is None or code == row.department:
            raise QueueError(
                422,
                "bad_co_department",
                f"联办部门“{code}”不存在或与主办部门相同",
                f"co_departments: {code!r} is no other department of this hall",
            )
    if len(set(co_departments)) != len(co_departments):
        raise QueueError(
            422, "bad_co_department", "联办部门重复", "co_departments: a department is listed twice"
        )
    received = dt.date.fromisoformat(row.received_on)
    try:
        fallback = ctx.calendar.add_working_days(received, row.limit_days)
    except CalendarError:
        fallback = received
    promised = dt.date.fromisoformat(row.promised_date) if row.promised_date else fallback
    dues = _due_dates(ctx, received, row.limit_days, promised, len(co_departments))
    lead = {"role": "lead", "department": row.department, "due_date": promised.isoformat()}
    rows = [lead] + [
        {"role": "co", "department": code, "due_date": due}
        for code, due in zip(co_departments, dues, strict=True)
    ]
    for seq, step in enumerate(rows):
        tx.conn.execute(
            S.insert(),
            {
                "receipt": row.receipt,
                "seq": seq,
                **step,
                "received_at": tx.now if seq <= 1 else None,
                "note": "",
            },
        )


def act(tx: Tx, row: Any, action: str, body: dict[str, Any], who: Any, today: dt.date) -> dict:
    """``step``, ``report_up`` or ``answered`` on a case; the history's detail."""
    found = steps(tx.conn, row.receipt)
    if action == "step":
        return _step_done(tx, row, found, body, who)
    if row.kind != "上报件":
        raise conflict("not_reported", "只有上报件可以上报", "Only a 上报件 is reported up")
    upper = [s for s in found if s.role == "upper" and s.done_at is None]
    if action == "report_up":
        if upper:
            raise conflict(
                "already_reported", "该件已上报，尚未答复", "The case is up already, unanswered"
            )
        tx.conn.execute(
            S.insert(),
            {
                "receipt": row.receipt,
                "seq": max((s.seq for s in found), default=0) + 1,
                "role": "upper",
                "department": body["to"],
                "received_at": tx.now,
                "actor": who.actor,
                "note": body.get("note") or "",
            },
        )
        return {"sent_on": today.isoformat()}
    if not upper:
        raise conflict("not_reported", "该件未上报，无答复可登记", "The case was not reported up")
    tx.conn.execute(
        S.update().where(S.c.id == upper[0].id),
        {"done_at": tx.now, "note": body.get("note") or upper[0].note},
    )
    return {"answered_on": today.isoformat(), "to": upper[0].department}


def _step_done(tx: Tx, row: Any, found: list[Any], body: dict[str, Any], who: Any) -> dict:
    seq = body.get("seq")
    step = next((s for s in found if s.seq == seq and s.role in ("lead", "co")), None)
    if step is None:
        raise not_found(f"联办环节{seq}", f"step {seq}", code="unknown_step")
    if who.role == "staff" and step.department not in who.departments:
        raise forbidden(
            "只有该环节的部门可以办结本环节",
            f"Only department {step.department} may mark step {seq} done",
        )
    if step.done_at is not None:
        raise conflict("step_done", "该环节已办结", f"Step {seq} is done already")
    if step.received_at is None:
        raise conflict("step_waiting", "该环节尚未收到案件", f"Step {seq} has not got the case")
    tx.conn.execute(
        S.update().where(S.c.id == step.id),
        {"done_at": tx.now, "actor": who.actor, "note": body.get("note") or ""},
    )
    following = next((s for s in found if s.seq == seq + 1 and s.role == "co"), None)
    if following is not None:
        tx.conn.execute(S.update().where(S.c.id == following.id), {"received_at": tx.now})
    return {"step": seq, "step_department": step.department}


def holding(found: list[Any], now: float) -> list[dict[str, Any]]:
    """Who held the case how long: each step's department and its hours so far or in all."""
    out = []
    for s in found:
        if s.received_at is None:
            continue
        end = s.done_at if s.done_at is not None else now
        out.append(
            {
                "seq": s.seq,
                "role": s.role,
                "department": s.department,
                "hours": round(max(end - s.received_at, 0.0) / 3600, 1),
                "done": s.done_at is not None,
            }
        )
    return out
