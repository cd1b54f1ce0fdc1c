"""Routes of the register's figures: 办结率 and 黄红牌, the daily digest, 回访 of cases.

- ``GET /stats/cases?from=&to=``: managers (hall/queue/stats/case_figures.py, with the
  sampled 回访 and the 差评 回访 beside each other);
- ``GET /cases/digest?day=``: managers (every department) and staff (only their own
  department's part, hall/config/departments.py ``department_of_staff``);
- ``GET /callbacks?result=open|all``, ``POST /callbacks/{receipt}``: managers.

This router is included before the register's (``/cases/{receipt}``), so that
``/cases/digest`` is never read as a receipt. Figures are read on a connection of
their own (as /statistics): WAL readers never hold up the writer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import Field

from hall.queue.cases import callbacks, digest
from hall.queue.core.domain import QueueError
from hall.queue.stats import case_figures
from hall.queue.tickets import sessions
from hall.queue.web import dates
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.dates import Day
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1", tags=["cases"])
#: The longest range of /stats/cases, as /statistics.
MAX_DAYS = 400
Receipt = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9-]{1,32}$")]


class CallbackIn(Body):
    """The result of one 回访 call."""

    result: Literal[callbacks.RESULTS] = Field(  # type: ignore[valid-type]
        description="unreached (未联系上) | satisfied (满意) | unsatisfied (不满意)"
    )
    note: str = Field("", max_length=1000, description="what the citizen said")


def _today(request: Request) -> dt.date:
    daemon = daemon_of(request)
    return dt.date.fromisoformat(daemon.ctx.day(daemon.clock()))


def department_names(config: Any) -> dict[str, dict[str, str]]:
    """Department code → {zh, en}, from config.yaml's ``departments:``."""
    return {d.code: {"zh": d.name_zh, "en": d.name_en} for d in config.departments}


def case_figures_for(daemon: Any, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    """The register's figures for a range, labelled (blocking: run it on a thread)."""
    with daemon.read_engine.connect() as conn:
        found = case_figures.gather(conn, start, end, today, daemon.ctx.calendar)
    return case_figures.label(found, daemon.config, daemon.catalogue)


def check_range(start: dt.date, end: dt.date) -> None:
    """422 for an end before the start or a range longer than :data:`MAX_DAYS`."""
    dates.check_range(start, end, ("from", "to"))
    if (end - start).days >= MAX_DAYS:
        raise QueueError(
            422, "bad_range", f"统计区间最长{MAX_DAYS}天", f"from..to: at most {MAX_DAYS} days"
        )


@router.get("/stats/cases")
async def case_statistics(
    request: Request,
    p: Caller,
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
) -> dict[str, Any]:
    """办结率, 按时办结率, days used, 黄牌/红牌 of the cases received from..to (managers only).

    Per hall, department, matter and clerk; ``callbacks`` (sampled 回访) and
    ``bad_callbacks`` (差评 回访) apart; ``warned``: the open 黄牌/红牌 cases today.
    """
    require(p)
    check_range(start, end)
    daemon = daemon_of(request)
    today = _today(request)
    return await asyncio.to_thread(case_figures_for, daemon, start, end, today)


@router.get("/cases/digest")
async def case_digest(
    request: Request, p: Caller, day: Annotated[Day | None, Query()] = None
) -> dict[str, Any]:
    """每日督办: per department, open 黄牌/红牌 cases and the last working day's 办结.

    Managers see every department; a clerk (staff session) only their own
    department's part (403 for a clerk of no department); kiosk and display 403.
    """
    require(p, "staff")
    daemon = daemon_of(request)
    when = day or _today(request)
    names = department_names(daemon.config)
    only: list[str] | None = None
    if p.role == "staff":
        session = await daemon.read(lambda tx: sessions.staff_session(tx, p.token_hash))
        dept = daemon.config.department_of_staff(session.staff_id)
        if dept is None:
            raise QueueError(
                403,
                "no_department",
                "您不属于任何进驻部门，无督办信息",
                "you belong to no department: there is no digest for you",
            )
        only = [dept.code]
    calendar = daemon.ctx.calendar
    return await daemon.read(
        lambda tx: digest.digest(tx, when, calendar=calendar, departments=only, names=names)
    )


@router.get("/callbacks")
async def list_callbacks(
    request: Request, p: Caller, result: Literal["open", "all"] = "open"
) -> dict[str, Any]:
    """回访 list of sampled finished cases (managers only): ``open`` = not yet reached."""
    require(p)
    found = await daemon_of(request).read(
        lambda tx: callbacks.listing(tx.conn, only_open=result == "open")
    )
    return {"callbacks": found, "rate": daemon_of(request).config.cases.callback_rate}


@router.post("/callbacks/{receipt}")
async def record_callback(
    request: Request, receipt: Receipt, body: CallbackIn, p: Caller
) -> dict[str, Any]:
    """Record a 回访 call's result (managers only): 404 for a case not drawn, 409 once closed."""
    require(p)
    actor = manager_actor(p)
    return await daemon_of(request).run(
        lambda tx: callbacks.record(tx, receipt, body.result, body.note, actor)
    )
