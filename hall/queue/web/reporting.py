"""The 通报 read for a route: on a connection of its own, closed days handed to the writer.

Used by the report routes (web/api/reports.py) and the statistics export's 通报 sheet
(web/api/manager.py); kept apart from both so neither imports the other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import Request

from hall.queue.stats import day_cache
from hall.queue.stats.periods import Period
from hall.queue.supervision import reports
from hall.queue.web.deps import daemon_of


async def report_of(request: Request, period: Period) -> dict[str, Any]:
    """Build the report as of the daemon's today (WAL: the writer is never held up)."""
    daemon = daemon_of(request)
    now = daemon.clock()
    today = dt.date.fromisoformat(daemon.ctx.day(now))

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        with daemon.read_engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA cache_size=-65536")
            return reports.build(daemon.ctx, conn, period, today, now)

    report, fresh = await asyncio.to_thread(run)
    if fresh:  # the closed days read on the way, for the statistics cache
        await daemon.run(lambda tx: day_cache.store(tx, fresh))
    return report
