"""通报 routes: the month's, quarter's or year's report as JSON, an A4 page or a workbook.

- ``GET /api/v1/reports/{period}.json``: the report (hall/queue/supervision/reports.py);
- ``GET /api/v1/reports/{period}.html``: the same as one printable A4 page
  (hall/queue/web/pages/report_page.py), with its own Content-Security-Policy;
- ``GET /api/v1/reports/{period}.xlsx``: the workbook: the 通报 sheet and the period's
  statistics (hall/queue/stats/export.py).

``period`` is ``2026-10``, ``2026Q4`` or ``2026`` (a 422 in both languages otherwise).
Managers only: the kiosk, the display and a clerk's session get 403. The report holds
counts, no personal data. It is read on a connection of its own (WAL: the writer is
never held up; web/reporting.py); closed days computed on the way go to the statistics cache.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from hall.queue.stats import export
from hall.queue.stats.periods import parse_period
from hall.queue.web.api.manager import XLSX, _statistics
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.deps import Caller
from hall.queue.web.pages import report_page
from hall.queue.web.reporting import report_of

router = APIRouter(prefix="/api/v1", tags=["reports"])
log = logging.getLogger(__name__)


#: 2026-10, 2026Q4 or 2026 (checked by parse_period, which says what it expected).
PeriodName = Annotated[str, Path(max_length=16, examples=["2026Q4"])]


@router.get("/reports/{period}.json")
async def report_json(request: Request, period: PeriodName, p: Caller) -> dict[str, Any]:
    """The 通报 of a month (2026-10), quarter (2026Q4) or year (2026) as JSON (managers)."""
    require(p)  # no role named: managers only
    return await report_of(request, parse_period(period))


# Its errors are JSON like every route's: only the 200 is declared as HTML.
@router.get(
    "/reports/{period}.html",
    responses={200: {"description": "the A4 page", "content": {"text/html": {}}}},
)
async def report_html(request: Request, period: PeriodName, p: Caller) -> HTMLResponse:
    """The 通报 as one printable A4 page, charts drawn as inline SVG (managers)."""
    require(p)  # no role named: managers only
    report = await report_of(request, parse_period(period))
    return HTMLResponse(report_page.a4_html(report), headers=report_page.HEADERS)


@router.get(
    "/reports/{period}.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the workbook"}},
)
async def report_xlsx(request: Request, period: PeriodName, p: Caller) -> Response:
    """The 通报 sheet and the period's statistics as one .xlsx workbook (managers; logged)."""
    require(p)  # no role named: managers only
    found = parse_period(period)
    log.info("report export %s by %s", found.code, manager_actor(p))
    report = await report_of(request, found)
    stats = await _statistics(request, found.start, found.end, found.chart_period, "hall")
    stats["report"] = report
    body = await asyncio.to_thread(export.to_xlsx, stats)
    headers = {"Content-Disposition": f"attachment; filename=report-{found.code}.xlsx"}
    return Response(body, media_type=XLSX, headers=headers)
