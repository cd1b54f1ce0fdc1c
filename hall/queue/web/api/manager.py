"""Manager routes: 差评 rectification cases, statistics and export (the page: web/pages/manager.py).

Statistics are read on a connection of their own (WAL readers never block the
writer); figures of closed days computed on the way are handed to the writer
to keep in the ``stats_days`` cache.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import text

from hall.queue.attendance import report as attendance_report
from hall.queue.core.domain import QueueError
from hall.queue.ratings import anchor, ledger, rectification
from hall.queue.stats import day_cache, export, figures, outside_hours, periods, vacancy
from hall.queue.tickets import views
from hall.queue.web import dates
from hall.queue.web.api.case_figures import case_figures_for
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.dates import Day
from hall.queue.web.deps import Body, Caller, DbId, daemon_of
from hall.queue.web.reporting import report_of

router = APIRouter(prefix="/api/v1", tags=["manager"])
log = logging.getLogger(__name__)
MAX_DAYS = 400
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StepIn(Body):
    """One step of a rectification case."""

    note: str = Field("", max_length=1000, description="what was found / done / said")
    complexity: Literal["simple", "complex"] = Field("simple", description="verify: fix deadline")
    action: Literal["fixed", "explained"] = Field("fixed", description="fix: 整改 or 解释说明")
    answer: Literal[rectification.CALLBACK_ANSWERS] | None = Field(  # type: ignore[valid-type]
        None, description="callback: the citizen's answer (回访意见)"
    )


def _today(request: Request) -> dt.date:
    daemon = daemon_of(request)
    return dt.date.fromisoformat(daemon.ctx.day(daemon.clock()))


@router.get("/rectifications")
async def list_cases(
    request: Request,
    p: Caller,
    state: Annotated[Literal[tuple(rectification.STATE_LABELS)] | None, Query()] = None,  # type: ignore[valid-type]
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """差评 cases, newest first, with each step's deadline and overdue flag."""
    require(p)
    today = _today(request)
    return await daemon_of(request).run(
        lambda tx: rectification.listing(tx.conn, today, state, overdue, limit)
    )


@router.get("/rectifications/{case_id}")
async def get_case(request: Request, case_id: DbId, p: Caller) -> dict[str, Any]:
    """One case with its step history."""
    require(p)
    today = _today(request)
    return await daemon_of(request).run(lambda tx: rectification.detail(tx.conn, case_id, today))


@router.post("/rectifications/{case_id}/{step}")
async def act_on_case(
    request: Request,
    case_id: DbId,
    step: Literal["verify", "fix", "callback"],
    body: StepIn,
    p: Caller,
) -> dict[str, Any]:
    """核实 (verify), 整改 (fix) or 回访 (callback, closes the case); in that order."""
    require(p)
    if step == "callback" and body.answer is None:
        raise QueueError(422, "bad_answer", "请记录群众的回访意见", "callback needs an answer")
    data = {"note": body.note}
    data.update(
        {"verify": {"complexity": body.complexity}, "fix": {"action": body.action}}.get(
            step, {"answer": body.answer}
        )
    )
    ctx, actor = daemon_of(request).ctx, manager_actor(p)
    today = _today(request)
    return await daemon_of(request).run(
        lambda tx: rectification.act(
            tx,
            case_id,
            step,
            actor,
            data,
            today,
            ctx.config.rectification,
            ctx.calendar,
            ctx.forward_ratings,
        )
    )


async def _statistics(
    request: Request, start: dt.date, end: dt.date, period: str, by: str
) -> dict[str, Any]:
    dates.check_range(start, end)
    if (end - start).days >= MAX_DAYS:
        raise QueueError(
            422,
            "bad_range",
            f"统计区间最长{MAX_DAYS}天",
            f"start..end: at most {MAX_DAYS} days",
        )
    daemon = daemon_of(request)
    today = _today(request)

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        with daemon.read_engine.connect() as conn:  # autocommit: the writer is never held up
            conn.exec_driver_sql("PRAGMA cache_size=-65536")
            days, fresh = figures.gather(conn, start, end, today)
            tz = daemon.config.hall.timezone
            found = figures.compute(conn, start, end, period, by, today, tz, days)
            # 午休/双休日/延时服务, appointments and priority tickets (stats/outside_hours.py).
            found["outside_hours"] = outside_hours.period_rows(
                daemon.config, daemon.ctx.calendar, conn, start, end, period, by
            )
            return found, fresh

    result, fresh = await asyncio.to_thread(run)
    if fresh:
        await daemon.run(lambda tx: day_cache.store(tx, fresh))

    result["attendance"] = await daemon.run(
        lambda tx: attendance_report.period_counts(daemon.ctx, tx, start, min(end, today), period)
    )
    # 空岗/离岗 per window: open time, pause time by reason, alerts (stats/vacancy.py).
    result["vacancy"] = await daemon.run(
        lambda tx: vacancy.period_rows(daemon.config, tx.conn, start, end, period, tx.now)
    )
    result["definitions"] = {
        **result["definitions"],
        **vacancy.DEFINITIONS,
        **outside_hours.DEFINITIONS,
    }
    return result


Period = Annotated[Literal["day", "week", "month", "quarter", "year"], Query()]
By = Annotated[Literal["hall", "service", "window", "staff"], Query()]


@router.get("/statistics")
async def get_statistics(
    request: Request,
    p: Caller,
    start: Annotated[Day, Query()],
    end: Annotated[Day, Query()],
    period: Period = "day",
    by: By = "hall",
) -> dict[str, Any]:
    """办件统计 for start..end (business days, inclusive); definitions in the answer.

    ``period``: day, week, month, quarter (季度) or year buckets; ``outside_hours``:
    service in lunch hours, on weekends/holidays and after closing (managers).
    """
    require(p)
    return await _statistics(request, start, end, period, by)


@router.get(
    "/statistics/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}, "description": "the file"}},
)
async def export_statistics(
    request: Request,
    p: Caller,
    start: Annotated[Day, Query()],
    end: Annotated[Day, Query()],
    period: Period = "day",
    by: By = "hall",
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",  # shadows format(): the API's word
) -> Response:
    """The figures as a CSV or .xlsx file, with the ledger's head (managers; the export is logged)."""
    require(p)
    log.info(
        "statistics export %s..%s (%s by %s, %s) by %s",
        start,
        end,
        period,
        by,
        format,
        manager_actor(p),
    )
    stats = await _statistics(request, start, end, period, by)
    stats["ledger_head"] = await _ledger_head(request)
    name = f"statistics-{start}-{end}-{period}-{by}.{format}"
    if format == "xlsx":  # the 通报 of the same range, as its own sheet
        stats["report"] = await report_of(request, periods.Period.of_range(start, end))
    if format == "csv":
        body, media = export.to_csv(stats), "text/csv; charset=utf-8"
    else:  # the workbook has room for the register's sheets too: 办结率, 黄红牌
        daemon, today = daemon_of(request), _today(request)
        stats["cases"] = await asyncio.to_thread(case_figures_for, daemon, start, end, today)
        body = await asyncio.to_thread(export.to_xlsx, stats)
        media = XLSX
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    if stats["ledger_head"]:
        headers["X-Ledger-Head"] = stats["ledger_head"]["published"]
    return Response(body, media_type=media, headers=headers)


@router.get("/statistics/overview")
async def overview(request: Request, p: Caller) -> dict[str, Any]:
    """Today at a glance and the page's charts: wait by hour, ratings by window, 办结率 trend."""
    require(p)
    daemon = daemon_of(request)
    today = _today(request)
    trend = await _statistics(request, today - dt.timedelta(days=29), today, "day", "hall")
    by_window = await _statistics(request, today, today, "day", "window")
    offset = daemon.config.hall.tz.utcoffset(dt.datetime.combine(today, dt.time(12)))

    def hours(tx: Any) -> list[dict[str, Any]]:
        sql = text(
            f"SELECT CAST(((issued_at + {int(offset.total_seconds())}) % 86400) / 3600 AS INTEGER),"
            " count(*), avg(called_at - issued_at) FROM tickets WHERE day = :d"
            " AND called_at IS NOT NULL AND transferred_from IS NULL GROUP BY 1 ORDER BY 1"
        )
        rows = tx.conn.execute(sql, {"d": today.isoformat()})
        return [{"hour": h, "n": n, "mean_wait_s": round(w, 1)} for h, n, w in rows]

    services, windows, wait_by_hour, cases, attendance = await asyncio.gather(
        daemon.services(),
        daemon.windows(),
        daemon.run(hours),
        daemon.run(lambda tx: _bad_cases(daemon.config, tx, today)),
        _attendance(daemon, today),
    )
    day_rows = [r for r in trend["rows"] if r["bucket"] == today.isoformat()]
    ledger_head = await _ledger_head(request)
    return {
        "day": today.isoformat(),
        "hall": daemon.config.hall.name,
        "waiting": sum(s["waiting"] for s in services),
        "open_windows": sum(w["state"] != "closed" for w in windows),
        "windows": len(windows),
        "today": day_rows[0] if day_rows else None,
        "wait_by_hour": wait_by_hour,
        "ratings_by_window": [
            {"window": r["group"], **r["ratings"], "satisfaction": r["satisfaction"]}
            for r in by_window["rows"]
            if r["group"] != ""
        ],
        "completion_trend": [
            {"day": r["bucket"], "completion_rate": r["completion_rate"], "served": r["served"]}
            for r in trend["rows"]
        ],
        "bad": cases,
        "attendance": attendance,
        "ledger_head": ledger_head,
        **_names(daemon.config),
    }


async def _ledger_head(request: Request) -> dict[str, Any] | None:
    """The ratings ledger's head now, to publish (ratings/anchor.py); None while it is empty."""
    found, now = await daemon_of(request).run(lambda tx: (anchor.head(tx.conn), tx.now))
    if found is None:
        return None
    return {
        **found.to_json(),
        "published": found.published,
        "fingerprint": found.fingerprint,
        "at": views.iso(now),
    }


def _names(config: Any) -> dict[str, Any]:
    """What the manager page shows instead of ids, and the rules it explains figures by."""
    rules = config.attendance
    return {
        "staff": [{"id": s.id, "name": s.name, "windows": s.windows} for s in config.staff],
        "window_names": {str(w.number): w.name_zh for w in config.windows if w.name_zh},
        "attendance_rules": {
            "start": rules.shift.start,
            "end": rules.shift.end,
            "late_after_min": rules.late_after_min,
            "early_before_min": rules.early_before_min,
            "absent_after_min": rules.absent_after_min,
        },
        "rectification_days": config.rectification.model_dump(),
    }


def _bad_cases(config: Any, tx: Any, today: dt.date) -> list[dict[str, Any]]:
    """The latest 差评 cases with the citizen's reasons and comment and the clerk's name."""
    names = {s.id: s.name for s in config.staff}
    cases = rectification.listing(tx.conn, today, None, False, 50)
    for case in cases:
        rated = ledger.get(tx.conn, case["rating_id"])
        case["tags"] = json.loads(rated.tags or "[]") if rated is not None else []
        case["comment"] = (rated.comment or "") if rated is not None else ""
        appeal = ledger.by_subject(tx.conn, "appeal", rated.subject) if rated is not None else None
        case["appeal"] = (
            {"decision": appeal.decision, "reason": appeal.reason} if appeal is not None else None
        )
        case["staff_name"] = names.get(case["staff_id"]) if case["staff_id"] else None
    return cases


async def _attendance(daemon: Any, today: dt.date) -> dict[str, Any] | None:
    """Today's 考勤 (hall/queue/attendance/records/report.py)."""
    return await daemon.run(lambda tx: attendance_report.daily(daemon.ctx, tx, today))
