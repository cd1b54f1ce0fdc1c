"""Manager routes for staff sign-in failures and locks, under /api/v1/sign-in.

Managers only (a kiosk, display or staff token gets 403): the list the manager
page shows, and the unlock, which is recorded as ``manager:<id>``. A manager
account's failures are listed under ``manager:<id>`` with the manager's name. The
counting and locking itself: hall/queue/tickets/sign_in_limits.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, model_validator

from hall.config import LEADER_PREFIX, MANAGER_PREFIX
from hall.queue.tickets import sign_in_limits
from hall.queue.web.auth import manager_actor, require
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1/sign-in", tags=["manager"])


class UnlockBody(Body):
    """POST /sign-in/unlock: end the lock of a staff id or of a client address."""

    kind: Literal["staff", "address"] = Field(description="what is locked")
    subject: str = Field(
        min_length=1, max_length=64, description="the staff id, or the address as listed"
    )

    @model_validator(mode="after")
    def _printable(self) -> UnlockBody:
        if not self.subject.isprintable():
            raise ValueError("subject: printable characters only")
        return self


@router.get("/failures")
async def failures(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    """Recent failed staff sign-ins and locks, newest first (manager only)."""
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    result = await daemon.read(lambda tx: sign_in_limits.recent(tx, limit, tz))
    names = {s.id: s.name for s in daemon.config.staff}
    names |= {MANAGER_PREFIX + m.id: m.name for m in daemon.config.managers}  # manager accounts
    names |= {LEADER_PREFIX + m.id: m.name for m in daemon.config.leaders}  # 分管领导
    for row in result["failures"]:
        row["name"] = names.get(row["staff_id"])  # None: an id that is not on the staff
    for row in result["locks"]:
        row["name"] = names.get(row["subject"]) if row["kind"] == "staff" else None
    return result


@router.post("/unlock")
async def unlock(request: Request, body: UnlockBody, p: Caller) -> dict[str, Any]:
    """Unlock a staff id or an address and reset its failures (manager only; recorded)."""
    require(p)
    daemon, actor = daemon_of(request), manager_actor(p)
    return await daemon.run(lambda tx: sign_in_limits.unlock(tx, body.kind, body.subject, actor))
