"""HTTP routes of the ratings ledger: kiosk and online ratings, appeals, chain verification.

There is no route that edits or deletes a rating. Window evaluators rate
through the device hub (hall/queue/devices/hub.py), not over HTTP. Remote
ratings carry the case's rating key (hall/queue/ratings/keys.py), which only
the printed QR code holds; no route hands out a key or a signed link.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, model_validator

from hall.queue.core.domain import QueueError
from hall.queue.ratings import keys, ledger, ratings
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.deps import Body, Caller, DbId, daemon_of

router = APIRouter(prefix="/api/v1", tags=["evaluations"])
Tag = Annotated[str, Field(min_length=1, max_length=32)]


class _Rating(Body):
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    tags: list[Tag] = Field(default_factory=list, max_length=10, description="reason tags")
    comment: str = Field("", max_length=500)


#: The rating key; missing or wrong is a 403 (bad_rating_key), not a 422: it is the credential.
Key = Annotated[
    str | None,
    Field(
        max_length=keys.MAX_KEY_LENGTH,
        description="the case's rating key, from the QR code printed on the ticket or notice",
    ),
]


class KioskRatingIn(_Rating):
    """A citizen rates a self-service submission on the terminal that made it."""

    submission_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    key: Key = None


class OnlineRatingIn(_Rating):
    """A citizen rates from the QR code: a ticket, a submission or a counter case, and its key."""

    ticket_id: str | None = Field(None, max_length=32)
    submission_id: str | None = Field(None, max_length=32)
    receipt: str | None = Field(None, min_length=6, max_length=32, description="a counter case")
    key: Key = None

    @model_validator(mode="after")
    def _one_case(self) -> OnlineRatingIn:
        given = [v for v in (self.ticket_id, self.submission_id, self.receipt) if v is not None]
        if len(given) != 1:
            raise ValueError("give one of ticket_id, submission_id or receipt")
        return self


class AppealIn(Body):
    """复核: a manager's decision on a rating found malicious or a misoperation."""

    decision: Literal["upheld", "rejected"]
    reason: str = Field(min_length=2, max_length=500)


@router.get("/evaluations")
async def list_evaluations(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """The latest ratings, newest first (append-only: there is no edit or delete)."""
    require(p)
    return await daemon_of(request).run(lambda tx: ratings.recent(tx, limit))


@router.post("/evaluations/kiosk", status_code=201)
async def rate_at_kiosk(request: Request, body: KioskRatingIn, p: Caller) -> dict[str, Any]:
    """The terminal that made a submission rates it (kiosk tokens; the notice's key proves it).

    Kiosk tokens only (403 for any other); a missing or wrong key is 403 ``bad_rating_key``.
    """
    if p.role != "kiosk":
        raise QueueError(403, "forbidden", "只有自助终端可以提交此评价", "Kiosk tokens only")
    rating = ratings.Rating(
        ticket_id=None,
        channel="kiosk",
        level=body.level,
        submission_id=body.submission_id,
        key=body.key,
        tags=tuple(body.tags),
        comment=body.comment,
        device=p.name,
    )
    return await daemon_of(request).run(
        lambda tx: ratings.record(daemon_of(request).ctx, tx, rating)
    )


@router.post("/evaluations/online", status_code=201)
async def rate_online(request: Request, body: OnlineRatingIn) -> dict[str, Any]:
    """Online channel (anyone, no bearer token): the case's rating key is the authentication.

    ``{ticket_id | submission_id | receipt, key, level, tags?, comment?}`` (``receipt``:
    a counter case of the register, its key on the 承诺通知书). A token, staff
    or any other, counts for nothing here: without the key printed on the
    citizen's ticket or notice the answer is 403 ``bad_rating_key`` (the same
    for an unknown case). The key is compared in the writer's operation
    (:func:`hall.queue.ratings.ratings.record`), in constant time.
    """
    daemon = daemon_of(request)
    rating = ratings.Rating(
        ticket_id=body.ticket_id,
        submission_id=body.submission_id,
        receipt=body.receipt,
        key=body.key,
        channel="online",
        level=body.level,
        tags=tuple(body.tags),
        comment=body.comment,
    )
    return await daemon.run(lambda tx: ratings.record(daemon.ctx, tx, rating))


@router.post("/evaluations/{rating_id}/appeal", status_code=201)
async def appeal(request: Request, rating_id: DbId, body: AppealIn, p: Caller) -> dict[str, Any]:
    """复核 (managers): adds a record marking the rating; nothing is edited or deleted."""
    if p.role != "manager":
        require(p)  # 403 for everyone else, staff included
    actor = manager_actor(p)
    return await daemon_of(request).run(
        lambda tx: ratings.appeal(
            daemon_of(request).ctx, tx, rating_id, body.decision, body.reason, actor
        )
    )


@router.get("/ledger/verify")
async def verify_ledger(request: Request, p: Caller) -> dict[str, Any]:
    """Recompute the hash and MAC chains (on a read connection); the first broken record.

    Managers only (``require``): everyone else, staff included, gets 403.
    """
    require(p)
    daemon = daemon_of(request)

    def run() -> dict[str, Any]:
        with daemon.engine.connect() as conn:
            return ledger.verify(conn, daemon.keyring).to_json()

    return await asyncio.to_thread(run)
