"""考核, 红黄牌 and 优秀窗口 under /api/v1 (hall/queue/supervision/).

Who may call what:

- ``GET /assessment?period=&kind=staff|window[&target=]``: every clerk's or window's
  score, grade, rank, flags and breakdown (manager only).
- ``GET /assessment/me?period=``: the calling clerk's own score and breakdown (a
  staff session only: the staff id is the session's, never a parameter, so a clerk
  cannot see anyone else's; a manager has ``/assessment``).
- ``POST /cards``, ``GET /cards``, ``POST /cards/{id}/withdraw``: the 红黄牌 and
  表扬 register (manager only; issuing and withdrawing are recorded as ``manager:<id>``).
- ``GET /excellence?period=``: the 优秀窗口 candidates; ``POST /excellence``: confirm
  some and optionally publish them as a 表彰 announcement (manager only, recorded).

Kiosk and display tokens get 403 everywhere here, a staff session 403 everywhere
but ``/assessment/me``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, field_validator

from hall.queue.core.domain import forbidden
from hall.queue.supervision import assessment, cards, excellence
from hall.queue.tickets import sessions
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.dates import Day
from hall.queue.web.deps import Body, Caller, DbId, daemon_of

router = APIRouter(prefix="/api/v1", tags=["assessment"])
Period = Annotated[str, Query(max_length=8, description="a month YYYY-MM or a quarter YYYYQn")]


def _plain(value: str) -> str:
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("不能含控制字符(换行等) / must not contain control characters")
    return value


class CardIn(Body):
    """POST /cards: a 红牌, 黄牌 or 表扬 for a window or a clerk."""

    kind: Literal["red", "yellow", "commendation"]
    target_kind: Literal["window", "staff"]
    target: str = Field(min_length=1, max_length=32, description="window number or staff id")
    day: Day = Field(description="the day it counts on (YYYY-MM-DD)")
    reason: str = Field(min_length=1, max_length=500, description="理由")

    _text = field_validator("target", "reason")(_plain)


class ExcellenceIn(Body):
    """POST /excellence: confirm candidate windows of a period, and publish them or not."""

    period: str = Field(max_length=8, description="YYYY-MM or YYYYQn")
    windows: list[Annotated[int, Field(ge=1, le=999)]] = Field(min_length=1, max_length=100)
    publish: bool = Field(False, description="announce them (表彰) on the boards and the lobby")


@router.get("/assessment")
async def scores(
    request: Request,
    p: Caller,
    period: Period,
    kind: Literal["staff", "window"] = "staff",
    target: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Scores of every clerk or window for a period, ranked, with breakdowns (manager only)."""
    require(p)
    assessment.parse_period(period)
    daemon = daemon_of(request)
    return await daemon.read(
        lambda tx: assessment.scores(daemon.ctx, tx.conn, period, kind, tx.now, target)
    )


@router.get("/assessment/me")
async def my_score(request: Request, p: Caller, period: Period) -> dict[str, Any]:
    """The calling clerk's own score and breakdown (a staff session only)."""
    if p.role != "staff":
        raise forbidden("只有工作人员本人可查看本人考核", "Only a clerk's own session may ask this")
    assessment.parse_period(period)
    daemon = daemon_of(request)

    def op(tx):
        staff_id = sessions.staff_session(tx, p.token_hash).staff_id
        return assessment.scores(daemon.ctx, tx.conn, period, "staff", tx.now, staff_id)

    return await daemon.read(op)


@router.post("/cards", status_code=201)
async def issue_card(request: Request, body: CardIn, p: Caller) -> dict[str, Any]:
    """Issue a 红牌, 黄牌 or 表扬 (manager only; recorded)."""
    require(p)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(
        lambda tx: cards.issue(
            daemon.config,
            tx,
            kind=body.kind,
            target_kind=body.target_kind,
            target=body.target,
            day=body.day,
            reason=body.reason,
            actor=actor,
        )
    )


@router.get("/cards")
async def list_cards(
    request: Request, p: Caller, period: Annotated[str | None, Query(max_length=8)] = None
) -> list[dict[str, Any]]:
    """The card register, newest first, optionally of one period (manager only)."""
    require(p)
    span = assessment.parse_period(period) if period else (None, None)
    return await daemon_of(request).read(lambda tx: cards.listing(tx.conn, *span))


@router.post("/cards/{card_id}/withdraw")
async def withdraw_card(request: Request, card_id: DbId, p: Caller) -> dict[str, Any]:
    """Withdraw a card: it stops counting (manager only; recorded). 409 if already."""
    require(p)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(lambda tx: cards.withdraw(tx, card_id, actor))


@router.get("/excellence")
async def excellence_candidates(request: Request, p: Caller, period: Period) -> dict[str, Any]:
    """The 优秀窗口 candidates of a period and those confirmed (manager only)."""
    require(p)
    assessment.parse_period(period)
    daemon = daemon_of(request)
    return await daemon.read(lambda tx: excellence.candidates(daemon.ctx, tx.conn, period, tx.now))


@router.post("/excellence", status_code=201)
async def confirm_excellence(request: Request, body: ExcellenceIn, p: Caller) -> dict[str, Any]:
    """Confirm 优秀窗口 of a period, publishing them if asked (manager only; recorded)."""
    require(p)
    assessment.parse_period(body.period)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(
        lambda tx: excellence.confirm(
            daemon.ctx, tx, body.period, body.windows, body.publish, actor
        )
    )
