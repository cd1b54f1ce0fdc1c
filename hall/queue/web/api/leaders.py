"""HTTP routes for the 分管领导's hall sign-ins (签到), under /api/v1/leaders.

Who may call:

- ``POST /leaders/sign-in`` {id, pin}: a kiosk token or a face terminal's token
  (config ``attendance.terminals``): the leader types id + PIN there. Display, staff
  and manager tokens get 403. Failures are counted and throttled like a staff
  sign-in, under ``leader:<id>`` (hall/queue/web/pins.py): 401, then 429 with
  Retry-After; a manager unlocks it on the sign-in panel (subject ``leader:<id>``).
- ``GET /leaders/visits?month=YYYY-MM``: managers only (others 403): each leader's
  days with a sign-in against the required count ("分管领导每月必须到中心签到2次").

Face sign-in of leaders is not offered: the face terminals match only staff enrolled
with a consent at a window (hall/queue/attendance/records.py); a leader signs in with
id + PIN, and the visit records the terminal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from hall.queue.core.domain import QueueError, forbidden
from hall.queue.supervision import leaders
from hall.queue.web import pins
from hall.queue.web.api.attendance import _terminal as face_terminal
from hall.queue.web.auth import principal, require
from hall.queue.web.dates import Month
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1/leaders", tags=["leaders"])


class LeaderSignInBody(Body):
    """POST /leaders/sign-in: the leader's id and PIN, typed at a kiosk or face terminal."""

    id: str = Field(min_length=1, max_length=24)
    pin: str = Field(min_length=4, max_length=12)


async def _terminal_name(request: Request) -> str:
    """The kiosk or face terminal the request comes from (401 unknown, 403 other roles)."""
    try:
        return face_terminal(request).name
    except QueueError:
        pass
    p = await principal(request)
    if p.role != "kiosk":
        raise forbidden(
            "领导签到须在自助终端或人脸签到终端上进行",
            f"A {p.role} token may not sign a leader in: use a kiosk or a face terminal",
        )
    return p.name


@router.post("/sign-in", status_code=201)
async def sign_in(request: Request, body: LeaderSignInBody) -> dict[str, Any]:
    """分管领导签到 with id + PIN (kiosk or face terminal token; throttled like staff)."""
    terminal = await _terminal_name(request)
    await pins.check_leader_pin(request, body.id, body.pin)
    daemon = daemon_of(request)
    return await daemon.run(
        lambda tx: leaders.record_visit(daemon.ctx, tx, body.id, leaders.PIN, terminal)
    )


@router.get("/visits")
async def visits(
    request: Request, p: Caller, month: Annotated[Month | None, Query()] = None
) -> dict[str, Any]:
    """Each leader's visits in the month (default: this one) against the required 2 (manager)."""
    require(p)
    daemon = daemon_of(request)
    first = month or dt.datetime.fromtimestamp(daemon.clock(), daemon.config.hall.tz).date()
    return await daemon.read(lambda tx: leaders.monthly(daemon.config, tx.conn, first))
