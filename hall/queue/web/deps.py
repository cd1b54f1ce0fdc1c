"""What every HTTP route shares: the caller, the daemon object, the read check, strict bodies.

Routes take the caller as a parameter (``p: Caller``) and reach the daemon
with :func:`daemon_of`; nothing else reads ``request.app.state.daemon``.

Every integer in a path is declared with a bounded type (:data:`DbId`,
:data:`WindowNumber`): SQLite stores 64-bit integers, and a larger one
(``/rectifications/99999999999999999999``) must be a 422 naming the parameter,
not an OverflowError (500) in the store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ConfigDict

from hall.queue.core.daemon import HallDaemon
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, principal

#: The caller of a route, from its bearer token (401 without one).
Caller = Annotated[Principal, Depends(principal)]

#: The largest integer the store holds (SQLite INTEGER, 64-bit signed).
MAX_DB_INT = 2**63 - 1
#: A row id in a path (a rating, a rectification case): 1 .. 2^63-1.
DbId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
#: A window number in a path, as in request bodies: 1 .. 999.
WindowNumber = Annotated[int, Path(ge=1, le=999)]


class Body(BaseModel):
    """A request body that refuses unknown fields (422 ``unknown field``)."""

    model_config = ConfigDict(extra="forbid")


def daemon_of(request: Request) -> HallDaemon:
    """The daemon object serving this request (set up by the app's lifespan)."""
    return request.app.state.daemon


async def reader(request: Request, p: Principal) -> Any:
    """Any valid token may read; a staff token must be a live session (returned)."""
    if p.role == "staff":
        return await daemon_of(request).run(lambda tx: sessions.staff_session(tx, p.token_hash))
    return None
