"""通报: the hall's monthly, quarterly or yearly report, as data (the page draws it).

The seeds report to the hall's superiors and the departments every month and
quarter: "对中心工作窗口及窗口单位关于窗口服务工作情况每月进行一次通报", "每季度对各地各部门
'好差评'评价结果及'差评'问题办结情况进行通报", "实行分月通报、季度考评" (../shared/seeds
000, 002). What they put in it: how much was done and how fast ("共办理各类业务22768件"),
service outside regular hours ("午休时间和双休日共为群众办理业务1350件次…延时服务529件
次"), the 办结率 ("办结率达95.58%"), 满意率, complaints and how they were handled ("投诉5
起,办结率100%"), the 考核 scores, and the leaders' sign-ins.

:func:`build` reads everything on one connection (no writer, no personal data: counts
only, so the CLI can read a copy of the database). A section that does not apply
(scores for a year: the assessment scores months and quarters) says so with
``available: false`` and words the page and the sheet print.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from hall.queue.core.context import Context
from hall.queue.core.tables.supervision import leave_table as L
from hall.queue.stats import case_figures, figures, outside_hours
from hall.queue.stats.periods import Period
from hall.queue.supervision import assessment, leaders
from hall.queue.supervision.complaint_counts import complaint_counts
from hall.queue.supervision.enquiries import enquiry_counts
from hall.queue.supervision.help_requests import help_counts


def _hall_row(found: dict[str, Any]) -> dict[str, Any] | None:
    rows = [r for r in found["rows"] if r["group"] == ""]
    return rows[0] if rows else None


def _service(row: dict[str, Any] | None) -> dict[str, Any]:
    """The whole period's 办件 figures (hall/queue/stats/figures.py): zeros when nothing happened."""
    if row is None:
        return {"issued": 0, "served": 0, "no_shows": 0, "transfers": 0, "wait": None}
    keys = ("issued", "served", "no_shows", "transfers", "wait", "service_time")
    keys += ("cases_by_type", "completion_rate", "ratings", "rated", "unrated")
    keys += ("appealed", "satisfaction", "bad", "submissions")
    return {k: row[k] for k in keys}


def _windows(config: Any, found: dict[str, Any], scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Per window in number order: served, rated, 满意率, 窗口办结率, 考核 score and grade.

    The score when the period has scores; the window's name from the config.
    """
    names = {w.number: w.name_zh or f"{w.number}号窗口" for w in config.windows}
    score_of = {r["target"]: r for r in (scores.get("window") or {}).get("rows", [])}
    rows = [
        {
            "window": r["group"],
            "name": names.get(r["group"], f"{r['group']}号窗口"),
            "served": r["served"],
            "rated": r["rated"],
            "satisfaction": r["satisfaction"],
            "completion_rate": r["completion_rate"],
            "bad": r["bad"]["opened"],
            "score": score_of.get(str(r["group"]), {}).get("score"),
            "grade_zh": score_of.get(str(r["group"]), {}).get("grade_zh"),
        }
        for r in found["rows"]
        if r["group"] != ""
    ]
    return sorted(rows, key=lambda w: w["window"])


def _cases(config: Any, conn: Connection, period: Period, today: dt.date) -> dict[str, Any]:
    """The case register's 办结率, 按时办结率 and 黄牌/红牌 (hall/queue/stats/case_figures.py).

    Over the cases received in the period, as they stand on ``today``; per department
    with its name from the config.
    """
    found = case_figures.compute(conn, period.start, period.end, today)
    names = {d.code: d.name_zh for d in config.departments}
    departments = [
        {**row, "name": names.get(row["group"], row["group"] or "—")} for row in found["department"]
    ]
    return {"available": True, "hall": found["hall"], "department": departments}


def _complaints(conn: Connection, period: Period, as_of: dt.date) -> dict[str, Any]:
    """投诉 received in the period and how they were handled, as of ``as_of``.

    "投诉5起,办结率100%": supervision/complaint_counts.py (counts, no personal data).
    """
    found = complaint_counts(conn, period.start, as_of)
    return {"available": True, **found}


def _assessment(ctx: Context, conn: Connection, period: Period, now: float) -> dict[str, Any]:
    """The 考核 scores of windows and clerks (supervision/assessment.py), ranked.

    A month's or a quarter's only; with the count per grade.
    """
    if period.kind not in ("month", "quarter"):
        return {
            "available": False,
            "zh": "考核按月或季度评分",
            "en": "scores are given per month or quarter",
        }
    out: dict[str, Any] = {"available": True}
    for kind in ("window", "staff"):
        found = assessment.scores(ctx, conn, period.code, kind, now)
        rows = [
            {k: r[k] for k in ("target", "name", "score", "rank", "grade", "grade_zh", "grade_en")}
            | {"flags": len(r["flags"])}
            for r in found["rows"]
        ]
        grades: dict[str, int] = {}
        for r in rows:
            grades[r["grade_zh"]] = grades.get(r["grade_zh"], 0) + 1
        out[kind] = {"rows": rows, "grades": grades}
    return out


def _leave(conn: Connection, period: Period) -> dict[str, Any]:
    """Approved leave overlapping the period: requests, working days, with a 顶岗 cover."""
    a, b = period.start.isoformat(), period.end.isoformat()
    row = conn.execute(
        select(
            func.count(), func.coalesce(func.sum(L.c.days), 0), func.count(L.c.cover_staff)
        ).where(L.c.status == "approved", L.c.start_day <= b, L.c.end_day >= a)
    ).one()
    return {"available": True, "approved": row[0], "days": float(row[1]), "with_cover": row[2]}


def _enquiries_and_help(conn: Connection, period: Period) -> dict[str, Any]:
    """首问 enquiries per way answered, kiosk help requests with the time to answer.

    From supervision/enquiries.py and help_requests.py (帮办代办): "建立首问负责制登记薄",
    "配备2名的帮办、代办服务人员…代填表格".
    """
    asked = enquiry_counts(conn, period.start, period.end)
    helped = help_counts(conn, period.start, period.end)
    return {
        "available": True,
        "enquiries": asked["total"],
        "enquiries_by_answer": asked["by_answer"],
        "help_requests": helped["count"],
        "help_acknowledged": helped["answered"],
        "help_mean_answer_s": helped["mean_s"],
        "help_median_answer_s": helped["median_s"],
    }


def _leaders(config: Any, conn: Connection, period: Period, as_of: dt.date) -> dict[str, Any]:
    """分管领导: each configured leader's sign-in days per month, against the rule.

    "分管领导每月必须到中心签到2次" (supervision/leaders.py); months up to ``as_of``.
    """
    months = []
    month = period.start
    while month <= min(period.end, as_of):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    rows = {
        m.id: {"id": m.id, "name": m.name, "title": m.title, "months": []} for m in config.leaders
    }
    for first in months:
        for found in leaders.monthly(config, conn, first)["leaders"]:
            rows[found["id"]]["months"].append(
                {k: found[k] for k in ("visits", "required", "met")}
                | {"month": first.isoformat()[:7]}
            )
    return {"available": True, "leaders": list(rows.values())}


def build(
    ctx: Context, conn: Connection, period: Period, today: dt.date, now: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of ``period`` as of ``today``; also the closed days' figures to cache.

    Days after ``today`` have nothing yet: a running period is reported so far
    (``complete`` false, ``as_of`` the last day counted).
    """
    config = ctx.config
    as_of = min(period.end, today)
    tz = config.hall.timezone
    days, fresh = figures.gather(conn, period.start, period.end, today)
    whole = figures.compute(conn, period.start, period.end, "whole", "hall", today, tz, days)
    chart = period.chart_period
    trend = figures.compute(conn, period.start, period.end, chart, "hall", today, tz, days)
    by_window = figures.compute(conn, period.start, period.end, "whole", "window", today, tz, days)
    out_rows = outside_hours.period_rows(
        config, ctx.calendar, conn, period.start, period.end, chart
    )
    outside_by = {r["bucket"]: r for r in out_rows}
    scores = _assessment(ctx, conn, period, now)
    report = {
        "hall": config.hall.name,
        "period": period.as_dict(),
        "today": today.isoformat(),
        "as_of": as_of.isoformat(),
        "complete": period.end < today,
        "service": _service(_hall_row(whole)),
        "outside_hours": outside_hours.totals(out_rows),
        "lunch_hours": list(outside_hours.lunch_hours(config)),
        "trend_period": chart,
        "trend": [
            {
                "bucket": r["bucket"],
                "served": r["served"],
                "satisfaction": r["satisfaction"],
                "outside_total": outside_by.get(r["bucket"], {}).get("outside_total", 0),
            }
            for r in trend["rows"]
        ],
        "windows": _windows(config, by_window, scores),
        "cases": _cases(config, conn, period, today),
        "complaints": _complaints(conn, period, as_of),
        "assessment": scores,
        "enquiries": _enquiries_and_help(conn, period),
        "leave": _leave(conn, period),
        "leaders": _leaders(config, conn, period, as_of),
        "definitions": {
            **figures.DEFINITIONS,
            **outside_hours.DEFINITIONS,
            **{f"cases.{k}": v for k, v in case_figures.DEFINITIONS.items()},
        },
    }
    return report, fresh
