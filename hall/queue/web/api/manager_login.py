"""Manager accounts sign in and out, under /api/v1/manager (the manager page's sign-in form).

A hall manager (config ``managers:``) signs in with id + PIN and gets a
session token: the role ``manager`` for ``api.manager_session_hours``, after
which the token is a 401 and the page asks again. The PIN check and its failure
limits are the staff sign-in's (hall/queue/web/pins.py); what the session does
is recorded as ``manager:<id>``. The configured manager token still works as a
bootstrap (docs/SECURITY.md, "Manager accounts").
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from hall.queue.core.domain import QueueError
from hall.queue.tickets import manager_sessions
from hall.queue.web import pins
from hall.queue.web.auth import require
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1/manager", tags=["manager"])


class ManagerLoginBody(Body):
    """POST /manager/login: a manager's id and PIN."""

    manager_id: str = Field(min_length=1, max_length=24, description="the id in config managers:")
    pin: str = Field(min_length=4, max_length=12)


@router.post("/login")
async def manager_login(request: Request, body: ManagerLoginBody) -> dict[str, Any]:
    """Anyone (no token): id + PIN → ``{token, name, expires_in_s}``, a manager session.

    A wrong PIN or an unknown id is 401 ``bad_credentials`` (the same answer,
    in the same time); repeated failures lock the id or the address: 429 with
    Retry-After, the right PIN too, until the lock ends or a manager unlocks it.
    """
    await pins.check_manager_pin(request, body.manager_id, body.pin)
    daemon = daemon_of(request)
    return await daemon.run(lambda tx: manager_sessions.login(daemon.ctx, tx, body.manager_id))


@router.post("/logout")
async def manager_logout(request: Request, p: Caller) -> dict[str, Any]:
    """End this manager session (manager sessions only; 403 for any other token).

    Its event streams close. The configured manager token has no session to end: 403.
    """
    require(p)
    if p.token_hash is None:
        raise QueueError(
            403,
            "not_a_session",
            "共用管理令牌没有登录会话可退出",
            "The configured manager token is not a session: there is nothing to log out",
        )
    return await daemon_of(request).run(lambda tx: manager_sessions.logout(tx, p.token_hash))


@router.get("/me")
async def who_am_i(request: Request, p: Caller) -> dict[str, Any]:
    """Managers only: who is signed in (the page shows it), and for how long still.

    ``kind`` is ``session`` for a manager account, ``token`` for the configured
    (bootstrap) manager token, whose ``expires_in_s`` is null.
    """
    require(p)
    daemon = daemon_of(request)
    person = daemon.config.manager(p.name) if p.token_hash else None
    left = None if p.expires_at is None else max(0, int(p.expires_at - daemon.clock()))
    return {
        "role": "manager",
        "id": p.name,
        "name": person.name if person else p.name,
        "kind": "session" if p.token_hash else "token",
        "expires_in_s": left,
    }
