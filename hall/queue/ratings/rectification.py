"""差评整改: every 差评 opens a rectification case with deadlines in working days.

Steps, in order: ``verify`` (核实, with the first contact and whether the fix
is simple or complex), ``fix`` (整改: fixed, or explained to the citizen) and
``callback`` (回访, with the citizen's answer). Only the callback closes a case:
nothing closes without a 回访 record. Deadlines count working days after the
day of the rating (that day not counted) on the same calendar as the
self-service receipts (:class:`hall.workdays.WorkCalendar`): first contact
within ``contact_days``, the fix within ``simple_fix_days`` or
``complex_fix_days``, the 回访 within ``callback_days`` after the fix. A step
done after its deadline, or not done once it has passed, is flagged overdue.
An upheld appeal (复核) ends the case as ``appealed``. Steps are append-only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import Connection, select

from hall.config import RectificationSection
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.daemon import outbox_table
from hall.queue.core.tables.ratings import rectification_steps_table, rectifications_table
from hall.queue.core.writer import Tx
from hall.queue.tickets import views
from hall.workdays import CalendarError, WorkCalendar

log = logging.getLogger(__name__)

STEPS = ("verify", "fix", "callback")
#: The state a case must be in for each step, and the state it moves to.
_FLOW = {
    "verify": ("open", "verified"),
    "fix": ("verified", "fixed"),
    "callback": ("fixed", "closed"),
}
STATE_LABELS = {
    "open": "待核实",
    "verified": "整改中",
    "fixed": "待回访",
    "closed": "已办结",
    "appealed": "复核撤销",
}
CALLBACK_ANSWERS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")
UPSTREAM = "evaluation"


def _add(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    try:
        end, provisional = cal.add_working_days_provisional(day, n)
        if provisional:
            log.error("no holiday table for %s yet: 差评 deadline counted Monday-Friday", end.year)
        return end
    except CalendarError:
        # The rating must not be lost for want of a holiday table: count Monday to
        # Friday and say so loudly; the hall adds the table and the case keeps going.
        log.error("no holiday table for %s: 差评 deadline counted Monday-Friday", day.year)
        while n:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day


def deadlines(
    cal: WorkCalendar,
    cfg: RectificationSection,
    opened: dt.date,
    complexity: str = "simple",
    fixed: dt.date | None = None,
) -> dict[str, str]:
    """The due dates of the three steps (ISO dates)."""
    fix_days = cfg.complex_fix_days if complexity == "complex" else cfg.simple_fix_days
    fix_due = _add(cal, opened, fix_days)
    return {
        "contact_due": _add(cal, opened, cfg.contact_days).isoformat(),
        "fix_due": fix_due.isoformat(),
        "callback_due": _add(cal, fixed or fix_due, cfg.callback_days).isoformat(),
    }


def _step(tx: Tx, case_id: int, step: str, day: str, actor: str, data: dict, forward: bool) -> None:
    row = tx.conn.execute(
        rectification_steps_table.insert(),
        {
            "case_id": case_id,
            "step": step,
            "ts": tx.now,
            "day": day,
            "actor": actor,
            "data": json.dumps(data, ensure_ascii=False),
        },
    )
    if forward:
        step_id = int(row.inserted_primary_key[0])
        tx.conn.execute(
            outbox_table.insert(),
            {
                "target": UPSTREAM,
                "key": f"rect-{case_id}-{step}",
                "ref": f"step:{step_id}",
                "created_at": tx.now,
                "next_at": tx.now,
                "attempts": 0,
            },
        )


def open_case(
    tx: Tx, rating: dict[str, Any], cfg: RectificationSection, cal: WorkCalendar, forward: bool
) -> dict[str, Any]:
    """Open the case of a 差评 (a ledger record of level 1 or 2)."""
    opened = dt.date.fromisoformat(rating["day"])
    row = {
        "rating_id": rating["id"],
        "number": rating["number"],
        "service": rating["service"],
        "window": rating["window"],
        "staff_id": rating["staff_id"],
        "level": rating["level"],
        "opened_at": tx.now,
        "opened_day": rating["day"],
        "state": "open",
        "complexity": "simple",
        **deadlines(cal, cfg, opened),
        "updated_at": tx.now,
    }
    case_id = int(tx.conn.execute(rectifications_table.insert(), row).inserted_primary_key[0])
    _step(tx, case_id, "opened", rating["day"], "system", {"rating_id": rating["id"]}, False)
    view = case_view(get(tx.conn, case_id), opened)
    tx.emit("rectification.changed", {"case": view})
    return view


def get(conn: Connection, case_id: int) -> Any:
    """One case row, or None."""
    return conn.execute(
        select(rectifications_table).where(rectifications_table.c.id == case_id)
    ).first()


def act(
    tx: Tx,
    case_id: int,
    step: str,
    actor: str,
    data: dict[str, Any],
    today: dt.date,
    cfg: RectificationSection,
    cal: WorkCalendar,
    forward: bool,
) -> dict[str, Any]:
    """Record one step (verify, fix, callback) done ``today`` by ``actor`` (a manager)."""
    row = get(tx.conn, case_id)
    if row is None:
        raise not_found("整改件", "rectification case", code="unknown_case")
    need, new = _FLOW[step]
    if row.state != need:
        raise conflict(
            "bad_step",
            f"该整改件当前为“{STATE_LABELS[row.state]}”,不能执行此步骤",
            f"The case is {row.state}; {step} needs it {need}",
        )
    day = today.isoformat()
    values: dict[str, Any] = {"state": new, "updated_at": tx.now}
    if step == "verify":
        values["verified_day"] = day
        values["complexity"] = data["complexity"]
        values.update(
            deadlines(cal, cfg, dt.date.fromisoformat(row.opened_day), data["complexity"])
        )
        del values["contact_due"]  # the contact deadline never moves
    elif step == "fix":
        values["fixed_day"] = day
        due = deadlines(cal, cfg, dt.date.fromisoformat(row.opened_day), row.complexity, today)
        values["callback_due"] = due["callback_due"]
    else:
        if data.get("answer") not in CALLBACK_ANSWERS:
            raise QueueError(422, "bad_answer", "请记录群众的回访意见", "callback needs an answer")
        values["closed_day"] = day
        values["callback_answer"] = data["answer"]
    tx.conn.execute(
        rectifications_table.update().where(rectifications_table.c.id == case_id), values
    )
    _step(tx, case_id, step, day, actor, data, forward)
    view = case_view(get(tx.conn, case_id), today)
    tx.emit("rectification.changed", {"case": view})
    return view


def mark_appealed(tx: Tx, rating_id: int, actor: str, reason: str, day: str) -> None:
    """An upheld appeal ends the open case of that rating (the steps so far stay)."""
    row = tx.conn.execute(
        select(rectifications_table).where(rectifications_table.c.rating_id == rating_id)
    ).first()
    if row is None or row.state in ("closed", "appealed"):
        return
    tx.conn.execute(
        rectifications_table.update()
        .where(rectifications_table.c.id == row.id)
        .values(state="appealed", closed_day=day, updated_at=tx.now)
    )
    _step(tx, row.id, "appeal", day, actor, {"reason": reason}, False)


def _flag(due: str, done: str | None, today: str, active: bool) -> dict[str, Any]:
    late = done > due if done else (active and today > due)
    return {"due": due, "done": done, "overdue": bool(late)}


def case_view(row: Any, today: dt.date) -> dict[str, Any]:
    """A case with each step's due date, done date and overdue flag."""
    t = today.isoformat()
    active = row.state not in ("closed", "appealed")
    steps = {
        "verify": _flag(row.contact_due, row.verified_day, t, active),
        "fix": _flag(row.fix_due, row.fixed_day, t, active),
        "callback": _flag(
            row.callback_due, row.closed_day if row.state == "closed" else None, t, active
        ),
    }
    return {
        "id": row.id,
        "rating_id": row.rating_id,
        "number": row.number,
        "service": row.service,
        "window": row.window,
        "staff_id": row.staff_id,
        "level": row.level,
        "opened_at": views.iso(row.opened_at),
        "opened_day": row.opened_day,
        "state": row.state,
        "state_label": STATE_LABELS[row.state],
        "complexity": row.complexity,
        "callback_answer": row.callback_answer,
        "steps": steps,
        "overdue": any(s["overdue"] for s in steps.values()),
    }


def listing(
    conn: Connection, today: dt.date, state: str | None, overdue_only: bool, limit: int
) -> list[dict[str, Any]]:
    """Cases, newest first, optionally of one state or only the overdue ones."""
    query = select(rectifications_table).order_by(rectifications_table.c.id.desc()).limit(limit)
    if state:
        query = query.where(rectifications_table.c.state == state)
    cases = [case_view(r, today) for r in conn.execute(query)]
    return [c for c in cases if c["overdue"]] if overdue_only else cases


def detail(conn: Connection, case_id: int, today: dt.date) -> dict[str, Any]:
    """A case with its full step history."""
    row = get(conn, case_id)
    if row is None:
        raise not_found("整改件", "rectification case", code="unknown_case")
    history = [
        {
            "step": s.step,
            "ts": views.iso(s.ts),
            "day": s.day,
            "actor": s.actor,
            "data": json.loads(s.data),
        }
        for s in conn.execute(
            select(rectification_steps_table)
            .where(rectification_steps_table.c.case_id == case_id)
            .order_by(rectification_steps_table.c.id)
        )
    ]
    return {**case_view(row, today), "history": history}
