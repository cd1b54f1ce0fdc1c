"""Announcements (公示/通报) under /api/v1/announcements, and the public figures.

Who may call what:

- ``POST /announcements`` (publish), ``GET /announcements`` (every one, with
  its state and who published it), ``POST /announcements/{id}/withdraw``:
  managers only (kiosk, display and staff get 403); publishing and withdrawing
  are recorded as ``manager:<id>``.
- ``GET /announcements/current``: the announcements in force now, as the
  screens show them (public: no names). The display and kiosk tokens and
  managers; a staff session gets 403 (its panel has no use for them), no token 401.
- ``GET /figures/public``: today's and this month's 满意率 and 办结率 and the
  latest 差评 rectifications closed, masked (hall/queue/stats/public.py). The
  display and kiosk tokens and managers; staff 403. The page /public shows the
  same without a token (hall/queue/web/pages/citizen/public.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import unicodedata
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, field_validator

from hall.queue.announcements import store
from hall.queue.core.domain import QueueError
from hall.queue.stats import day_cache
from hall.queue.stats import public as public_stats
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.dates import Moment
from hall.queue.web.deps import Body, Caller, DbId, daemon_of

router = APIRouter(prefix="/api/v1", tags=["announcements"])
#: The public figures are computed at most this often (the page has no token: anyone may
#: ask), and again sooner only after an event that changes them (:data:`CHANGES_FIGURES`).
FIGURES_TTL_S = 30.0
CHANGES_FIGURES = ("ticket.finished", "evaluation.", "rectification.", "queue.reset", "reset")
WindowNo = Annotated[int, Field(ge=1, le=999)]


def _plain(value: str) -> str:
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("不能含控制字符（换行等） / must not contain control characters")
    return value


class AnnouncementIn(Body):
    """POST /announcements: one announcement, its schedule and where it shows."""

    kind: Literal[tuple(store.KINDS)] = Field(  # type: ignore[valid-type]
        description="commendation 表彰 | criticism 通报 | notice 通知 | policy 政策"
    )
    text_zh: str = Field(min_length=1, max_length=200, description="中文内容 (boards show this)")
    text_en: str = Field("", max_length=400, description="English text (lobby, /public)")
    starts: Moment | None = Field(None, description="from; null = now")
    until: Moment = Field(description="in force until (exclusive)")
    hall: bool = Field(False, description="the hall board (综合屏)")
    lobby: bool = Field(False, description="the lobby display and /public")
    windows: Literal["all"] | list[WindowNo] = Field(
        default_factory=list, max_length=999, description='"all" or window numbers'
    )

    _text = field_validator("text_zh", "text_en")(_plain)


def _bad(code: str, zh: str, en: str) -> QueueError:
    return QueueError(422, code, zh, en)


@router.post("/announcements", status_code=201)
async def publish(request: Request, body: AnnouncementIn, p: Caller) -> dict[str, Any]:
    """Publish an announcement (manager only; recorded with the manager)."""
    require(p)
    daemon = daemon_of(request)
    if not body.text_zh:
        raise _bad("bad_text", "text_zh：中文内容不能为空", "text_zh: must not be blank")
    now = daemon.clock()
    starts = body.starts.timestamp() if body.starts else now
    until = body.until.timestamp()
    if until <= starts:
        raise _bad("bad_range", "until：结束时间须晚于开始时间", "until: must be after starts")
    if until <= now:
        raise _bad("bad_range", "until：结束时间已过", "until: is in the past")
    if not (body.hall or body.lobby or body.windows):
        raise _bad(
            "no_target",
            "hall/windows/lobby：至少选择一个发布位置",
            "hall, windows, lobby: choose at least one place to show it",
        )
    if isinstance(body.windows, list):
        unknown = sorted(set(body.windows) - {w.number for w in daemon.config.windows})
        if unknown:
            names = ", ".join(map(str, unknown))
            raise _bad("bad_window", f"windows：没有窗口 {names}", f"windows: no window {names}")
    actor, tz = manager_actor(p), daemon.config.hall.tz
    return await daemon.run(
        lambda tx: store.publish(
            tx,
            kind=body.kind,
            text_zh=body.text_zh,
            text_en=body.text_en,
            starts_at=starts,
            ends_at=until,
            hall=body.hall,
            lobby=body.lobby,
            windows=store.windows_field(body.windows),
            actor=actor,
            tz=tz,
        )
    )


@router.get("/announcements")
async def listing(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """Every announcement, newest first, with its state and who published it (manager only)."""
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return await daemon.read(lambda tx: store.listing(tx.conn, tz, tx.now, limit))


@router.get("/announcements/current")
async def current(request: Request, p: Caller) -> list[dict[str, Any]]:
    """The announcements in force now, oldest first (display, kiosk, manager)."""
    require(p, "display", "kiosk")
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return await daemon.read(lambda tx: store.in_force(tx.conn, tz, tx.now))


@router.post("/announcements/{announcement_id}/withdraw")
async def withdraw(request: Request, announcement_id: DbId, p: Caller) -> dict[str, Any]:
    """End an announcement now (manager only; recorded). 409 if already withdrawn."""
    require(p)
    daemon = daemon_of(request)
    actor, tz = manager_actor(p), daemon.config.hall.tz
    return await daemon.run(lambda tx: store.withdraw(tx, announcement_id, actor, tz))


@router.get("/figures/public")
async def figures_public(request: Request, p: Caller) -> dict[str, Any]:
    """Public aggregates for the lobby (display, kiosk, manager); see the module docstring."""
    require(p, "display", "kiosk")
    return await public_figures(request)


async def public_figures(request: Request) -> dict[str, Any]:
    """The public figures and, read fresh, the announcements in force for the lobby.

    The figures are computed at most every :data:`FIGURES_TTL_S` seconds, and again
    sooner only after an event that changes them.
    """
    daemon = daemon_of(request)
    state = request.app.state
    if getattr(state, "figures_changed", None) is None:
        state.figures_changed = [0]  # bumped on the writer thread, read here

        def changed(batch: list[Any]) -> None:
            if any(ev.type.startswith(CHANGES_FIGURES) for ev in batch):
                state.figures_changed[0] += 1

        daemon.bus.add_listener(changed)
    cached = getattr(state, "public_figures", None)
    seen = state.figures_changed[0]
    if cached and cached[1] == seen and time.monotonic() - cached[0] < FIGURES_TTL_S:
        result = cached[2]
    else:
        result = await _figures(request)
        state.public_figures = (time.monotonic(), seen, result)
    tz = daemon.config.hall.tz
    lobby = await daemon.read(
        lambda tx: [a for a in store.in_force(tx.conn, tz, tx.now) if a["targets"]["lobby"]]
    )
    return {**result, "announcements": lobby}


async def _figures(request: Request) -> dict[str, Any]:
    daemon = daemon_of(request)
    today = dt.date.fromisoformat(daemon.ctx.day(daemon.clock()))
    tz = daemon.config.hall.timezone

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        with daemon.read_engine.connect() as conn:  # autocommit: the writer is never held up
            return public_stats.gather(conn, today, tz)

    result, fresh = await asyncio.to_thread(run)
    if fresh:
        await daemon.run(lambda tx: day_cache.store(tx, fresh))
    names = {s.code: (s.name_zh, s.name_en) for s in daemon.config.services}
    for case in result["rectified"]:
        zh, en = names.get(case["service"], (case["service"] or "", ""))
        case["service_zh"], case["service_en"] = zh, en or zh
    return result
