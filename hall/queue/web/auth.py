"""Bearer tokens and what each role may do.

Roles: ``kiosk`` issues and reads; ``display`` reads and follows events;
``staff`` (a session token from /staff/login) operates only its own window,
checked inside the operation's transaction; ``manager`` may do everything: a
manager session (/manager/login, a person) or the configured manager token (a
bootstrap, warned about: :func:`manager_actor`). A token that is neither a
configured token nor a session in the store is a 401.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from hall.config import HallConfig
from hall.queue.core.domain import QueueError
from hall.queue.tickets import manager_sessions
from hall.queue.tickets.calling import Actor
from hall.queue.tickets.sessions import staff_session, token_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    role: str  # kiosk | display | manager | staff
    name: str  # a configured token's name, or a manager's id ("" for staff sessions)
    token_hash: str | None = None  # sessions only: None for a configured token
    expires_at: float | None = None  # manager sessions: when it ends (the daemon's clock)

    def actor(self) -> Actor:
        """The window-operation actor for this caller."""
        return Actor(role=self.role, name=self.name, token_hash=self.token_hash)


class TokenTable:
    """Config tokens looked up by digest, compared in constant time."""

    def __init__(self, config: HallConfig) -> None:
        self._by_digest = {
            hashlib.sha256(t.token.encode()).digest(): (t.role.value, t.name)
            for t in config.api.tokens
        }

    def configured(self, token: str) -> Principal | None:
        """The principal of a configured token, or None for any other token."""
        digest = hashlib.sha256(token.encode()).digest()
        found = None
        for known, (role, name) in self._by_digest.items():
            if hmac.compare_digest(known, digest):  # no early return: the same time for all
                found = Principal(role, name)
        return found


async def identify(tokens: TokenTable, daemon: Any, token: str) -> Principal:
    """The caller with this bearer token: a configured token, a manager or a staff session.

    Sessions are looked up on the daemon's read path (only the token's SHA-256 is
    stored). An unknown token is 401 ``unauthenticated``; an ended or expired
    session 401 ``session_expired``. A staff session's window is still checked by
    each operation, in its transaction.
    """
    found = tokens.configured(token)
    if found is not None:
        return found
    hashed = token_hash(token)

    def lookup(tx: Any) -> tuple[str, Any] | None:
        what = manager_sessions.identify(tx, hashed)
        if what is not None and what[0] == "staff":
            staff_session(tx, hashed)  # 401 session_expired when it ended
        return what

    what = await daemon.read(lookup)
    if what is None:
        raise _unauthenticated()
    kind, row = what
    if kind == "manager":
        return Principal("manager", row.manager_id, hashed, row.expires_at)
    return Principal("staff", "", hashed)


def _unauthenticated() -> QueueError:
    return QueueError(
        401, "unauthenticated", "缺少或无效的访问令牌", "Missing or malformed bearer token"
    )


async def principal(request: Request) -> Principal:
    """FastAPI dependency: the caller, from ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated()
    # request.app.state.daemon is web/deps.py's daemon_of (deps imports this module).
    return await identify(request.app.state.tokens, request.app.state.daemon, token.strip())


def manager_actor(p: Principal) -> str:
    """How a manager's action is recorded: ``manager:<id>`` (``manager:<token name>``).

    The configured manager token is shared and names nobody: every recorded
    action done with it is logged as a warning (docs/SECURITY.md, "Manager accounts").
    """
    if p.token_hash is None:
        log.warning(
            "the bootstrap manager token %r was used for a recorded action: sign in"
            " as a manager account (config managers:) instead / 共用管理令牌仅供初始化使用",
            p.name,
        )
    return f"manager:{p.name}"


def require(p: Principal, *roles: str) -> None:
    """403 unless the principal has one of ``roles`` (managers always pass)."""
    if p.role == "manager" or p.role in roles:
        return
    raise QueueError(
        403,
        "forbidden",
        "此终端无权执行该操作",
        f"A {p.role} token may not do this (needs {' or '.join(roles)})",
    )
