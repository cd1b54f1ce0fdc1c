"""HTTP routes of 空岗 and 离岗 (windows left empty), under /api/v1/vacancy.

``GET /vacancy``: the empty windows with people waiting and the open alerts (managers
and staff sessions: no staff id, no pause note; the lobby display and kiosks are
refused). ``GET /vacancy/pauses``: one day's pauses with who paused and the note
(managers only). The alerts themselves are raised by hall/queue/tickets/vacancy.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hall.queue.tickets import pauses, vacancy
from hall.queue.tickets.views import iso
from hall.queue.web.auth import require
from hall.queue.web.dates import Day
from hall.queue.web.deps import Caller, daemon_of, reader

router = APIRouter(prefix="/api/v1", tags=["vacancy"])


@router.get("/vacancy")
async def vacancy_now(request: Request, p: Caller) -> dict[str, Any]:
    """Empty windows with people waiting (closed or paused, how long) and the open alerts.

    Managers and live staff sessions (a B岗 clerk's panel); kiosk and display tokens: 403.
    """
    require(p, "staff")
    await reader(request, p)
    daemon = daemon_of(request)
    ctx = daemon.ctx

    def op(tx: Any) -> dict[str, Any]:
        empty = [
            {
                **e,
                "since": iso(e["since"]),
                "empty_min": round(e["empty_s"] / 60, 1),
                "reason_words": pauses.reason_words(e["reason"]),
            }
            for e in vacancy.empty_windows(ctx, tx)
        ]
        for e in empty:
            del e["empty_s"]
        return {"alerts": vacancy.open_alerts(ctx, tx), "empty": empty}

    return await daemon.run(op)


@router.get("/vacancy/pauses")
async def day_pauses(
    request: Request, p: Caller, date: Annotated[Day | None, Query()] = None
) -> dict[str, Any]:
    """One business day's pauses (default: today): reason, note, who, start, end, duration.

    Managers only.
    """
    require(p)
    daemon = daemon_of(request)
    day = date or dt.date.fromisoformat(daemon.ctx.day(daemon.clock()))
    found = await daemon.run(lambda tx: pauses.listing(tx, day.isoformat()))
    return {"day": day.isoformat(), "pauses": found}
