"""考核 sources: the records each deduction or addition of the assessment comes from.

One function per source, each one SQL query over the period (an aggregate or an
indexed range), returning :class:`Line` objects that name their source record, so
a clerk's breakdown links every point to what caused it. Who a record counts
against (the seeds: "迟到、早退、离岗的每次扣2分"):

- attendance (考勤): late, early and absent days, hall/queue/supervision/score_attendance.py.
- 离岗 over the limit (window_pauses): a pause longer than ``assessment.pause_limit_min``
  or, unset, the vacancy limit of its reason; the clerk who paused and the window.
- 空岗 alerts (vacancy_alerts): the window; and the clerk whose pause covered the
  alert's start (paused) or whose session ended exactly when the emptiness began
  (closed). A window closed overnight names nobody.
- complaints found 属实 (outcome ``substantiated``), by the day received: the
  subject clerk and window.
- 差评 confirmed after 复核: a rectification case past ``verify`` (核实: states
  verified, fixed, closed) whose rating has no upheld appeal (an upheld 复核 ends the
  case as ``appealed`` and takes it out), by the day rated: the clerk and window rated.
- overdue cases (办件超期, the case register): finished late (``on_time = 0``), by the
  finish day, against the clerk who finished it; or still open past the promised
  date, by that date, against the clerk who opened it. The window it was opened at.
- cards (红黄牌, 表扬): not withdrawn, by their day, against their target only.

Records naming no configured clerk (a kiosk's case, a manager's pause) count for
the window alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, case, exists, func, literal, or_, select

from hall.queue.core.context import Context
from hall.queue.core.tables.cases import cases_table as cases
from hall.queue.core.tables.ratings import ledger_table
from hall.queue.core.tables.ratings import rectifications_table as rect
from hall.queue.core.tables.supervision import cards_table, complaints_table
from hall.queue.core.tables.tickets import (
    staff_sessions_table as sessions,
)
from hall.queue.core.tables.tickets import (
    vacancy_alerts_table as alerts,
)
from hall.queue.core.tables.tickets import (
    window_pauses_table as pauses,
)
from hall.queue.supervision.score_attendance import attendance
from hall.queue.supervision.score_lines import Line

CONFIRMED_STATES = ("verified", "fixed", "closed")


def pauses_over(ctx: Context, conn: Connection, first: dt.date, last: dt.date, now: float) -> list:
    """离岗 longer than the limit (an open pause counts up to now)."""
    cfg = ctx.config
    if cfg.assessment.pause_limit_min is not None:
        limit_s: Any = literal(cfg.assessment.pause_limit_min * 60)
    else:
        by_reason = cfg.vacancy.alert_after_min_by_reason
        whens = [(pauses.c.reason == r.value, m * 60) for r, m in by_reason.items()]
        limit_s = (
            case(*whens, else_=cfg.vacancy.alert_after_min * 60)
            if whens
            else literal(cfg.vacancy.alert_after_min * 60)
        )
    took = func.coalesce(pauses.c.ended_at, now) - pauses.c.started_at
    rows = conn.execute(
        select(pauses.c.id, pauses.c.day, pauses.c.staff_id, pauses.c.window).where(
            pauses.c.day >= first.isoformat(), pauses.c.day <= last.isoformat(), took > limit_s
        )
    )
    return [
        Line("pause_over", "window_pauses", str(r.id), r.day, r.staff_id, r.window) for r in rows
    ]


def vacancies(conn: Connection, first: dt.date, last: dt.date) -> list:
    """空岗 alerts, with the clerk responsible where there is one."""
    paused_by = (
        select(pauses.c.staff_id)
        .where(
            pauses.c.window == alerts.c.window,
            pauses.c.started_at <= alerts.c.since,
            or_(pauses.c.ended_at.is_(None), pauses.c.ended_at >= alerts.c.since),
        )
        .order_by(pauses.c.started_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    left_by = (
        select(sessions.c.staff_id)
        .where(sessions.c.window == alerts.c.window, sessions.c.ended_at == alerts.c.since)
        .limit(1)
        .scalar_subquery()
    )
    who = case((alerts.c.state == "paused", paused_by), else_=left_by)
    rows = conn.execute(
        select(alerts.c.id, alerts.c.day, alerts.c.window, who.label("staff")).where(
            alerts.c.day >= first.isoformat(), alerts.c.day <= last.isoformat()
        )
    )
    return [Line("vacancy", "vacancy_alerts", str(r.id), r.day, r.staff, r.window) for r in rows]


def complaints(conn: Connection, first: dt.date, last: dt.date) -> list:
    """Complaints found 属实, by the day received."""
    c = complaints_table.c
    rows = conn.execute(
        select(c.id, c.received_on, c.subject_staff, c.subject_window).where(
            c.outcome == "substantiated",
            c.received_on >= first.isoformat(),
            c.received_on <= last.isoformat(),
        )
    )
    return [
        Line("complaint", "complaints", r.id, r.received_on, r.subject_staff, r.subject_window)
        for r in rows
    ]


def bad_ratings(conn: Connection, first: dt.date, last: dt.date) -> list:
    """差评 confirmed by 核实 and not taken out by an upheld 复核."""
    upheld = exists().where(
        ledger_table.c.kind == "appeal",
        ledger_table.c.ref_id == rect.c.rating_id,
        ledger_table.c.decision == "upheld",
    )
    rows = conn.execute(
        select(rect.c.id, rect.c.opened_day, rect.c.staff_id, rect.c.window).where(
            rect.c.state.in_(CONFIRMED_STATES),
            rect.c.opened_day >= first.isoformat(),
            rect.c.opened_day <= last.isoformat(),
            ~upheld,
        )
    )
    return [
        Line("bad_rating", "rectifications", str(r.id), r.opened_day, r.staff_id, r.window)
        for r in rows
    ]


def overdue_cases(conn: Connection, first: dt.date, last: dt.date, today: dt.date) -> list:
    """Cases finished late (the finisher) or open past their promised date (the opener)."""
    lo, hi = first.isoformat(), last.isoformat()
    late = conn.execute(
        select(cases.c.receipt, cases.c.finished_on, cases.c.finished_by, cases.c.window).where(
            cases.c.on_time == 0, cases.c.finished_on >= lo, cases.c.finished_on <= hi
        )
    )
    out = [
        Line("overdue_case", "cases", r.receipt, r.finished_on, r.finished_by, r.window)
        for r in late
    ]
    still_open = conn.execute(
        select(cases.c.receipt, cases.c.promised_date, cases.c.opened_by, cases.c.window).where(
            cases.c.finished_on.is_(None),
            cases.c.promised_date >= lo,
            cases.c.promised_date <= hi,
            cases.c.promised_date < today.isoformat(),
        )
    )
    out += [
        Line("overdue_case", "cases", r.receipt, r.promised_date, r.opened_by, r.window)
        for r in still_open
    ]
    return out


CARD_KINDS = {"red": "red_card", "yellow": "yellow_card", "commendation": "commendation"}


def cards(conn: Connection, first: dt.date, last: dt.date) -> list:
    """红黄牌 and 表扬 in force, against their target only."""
    c = cards_table.c
    rows = conn.execute(
        select(c.id, c.kind, c.target_kind, c.target, c.day).where(
            c.withdrawn_at.is_(None), c.day >= first.isoformat(), c.day <= last.isoformat()
        )
    )
    out = []
    for r in rows:
        staff = r.target if r.target_kind == "staff" else None
        window = int(r.target) if r.target_kind == "window" else None
        out.append(Line(CARD_KINDS[r.kind], "supervision_cards", str(r.id), r.day, staff, window))
    return out


def gather(ctx: Context, conn: Connection, first: dt.date, last: dt.date, now: float) -> list:
    """Every line of every source over ``first`` .. ``last`` (inclusive)."""
    today = ctx.local_date(now)
    return [
        *attendance(ctx, conn, first, last, now),
        *pauses_over(ctx, conn, first, last, now),
        *vacancies(conn, first, last),
        *complaints(conn, first, last),
        *bad_ratings(conn, first, last),
        *overdue_cases(conn, first, last, today),
        *cards(conn, first, last),
    ]
