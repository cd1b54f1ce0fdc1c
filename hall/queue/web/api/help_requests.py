"""HTTP routes of 帮办代办 help calls (hall/queue/supervision/help_requests.py).

A kiosk calls for help with ``POST /api/v1/help`` (kiosk tokens, hall/queue/web/api/devices.py).
Who may call these (docs/SECURITY.md): ``POST /help/{id}/ack`` staff sessions (as the
signed-in clerk at their window) and managers; ``GET /help`` and ``GET /help/counts``
managers only. Kiosk and display tokens get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hall.queue.core.domain import QueueError, forbidden
from hall.queue.supervision import help_requests
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, manager_actor
from hall.queue.web.deps import Caller, DbId, daemon_of

router = APIRouter(prefix="/api/v1", tags=["supervision"])
IsoDay = r"^\d{4}-\d{2}-\d{2}$"


def _manager_only(p: Principal) -> None:
    if p.role != "manager":
        raise forbidden("只有管理人员可以查看求助记录", "Only managers may list help calls")


def _iso(day: str) -> str:
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise QueueError(422, "bad_day", f"日期“{day}”无效", f"invalid day {day!r}") from None


@router.post("/help/{help_id}/ack")
async def acknowledge_help(request: Request, help_id: DbId, p: Caller) -> dict[str, Any]:
    """Take a kiosk's help call ("我来处理"): staff sessions and managers; the first one wins.

    The others get ``help.taken`` on their event stream, and a later ack is a 409
    ``help_taken`` naming the taker's window. The time to answer is stored.
    """
    daemon = daemon_of(request)
    if p.role not in ("staff", "manager"):
        raise forbidden("此终端无权接手求助", f"A {p.role} token may not take a help call")

    def op(tx: Any) -> dict[str, Any]:
        if p.role == "staff":
            session = sessions.staff_session(tx, p.token_hash)
            actor, window = session.staff_id, session.window
        else:
            actor, window = manager_actor(p), None
        return help_requests.acknowledge(daemon.ctx, tx, help_id, actor, window)

    return await daemon.run(op)


@router.get("/help")
async def list_help(
    request: Request,
    p: Caller,
    day: Annotated[str | None, Query(pattern=IsoDay, description="ISO day; default today")] = None,
) -> dict[str, Any]:
    """A day's help calls with who took each and the time to answer; managers only."""
    _manager_only(p)
    daemon = daemon_of(request)
    ctx = daemon.ctx

    def op(tx: Any) -> dict[str, Any]:
        the_day = _iso(day) if day else ctx.local_date(tx.now).isoformat()
        calls = help_requests.listing(tx.conn, the_day, ctx.config.hall.tz)
        return {"day": the_day, "help": calls}

    return await daemon.read(op)


@router.get("/help/counts")
async def count_help(
    request: Request,
    p: Caller,
    start: Annotated[str, Query(pattern=IsoDay)],
    end: Annotated[str, Query(pattern=IsoDay)],
) -> dict[str, Any]:
    """Calls per kiosk and hour from ``start`` to ``end`` with the time to answer; managers."""
    _manager_only(p)
    first, last = _iso(start), _iso(end)
    return await daemon_of(request).read(lambda tx: help_requests.help_counts(tx.conn, first, last))
