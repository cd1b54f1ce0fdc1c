"""Bearer tokens and what each role may do.

Roles: ``kiosk`` issues and reads; ``display`` reads and follows events;
``staff`` (a session token from /staff/login) operates only its own window,
checked inside the operation's transaction; ``manager`` may do everything.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request

from hall.config import HallConfig
from hall.queue.core.domain import QueueError
from hall.queue.tickets.calling import Actor
from hall.queue.tickets.sessions import token_hash


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    role: str  # kiosk | display | manager | staff
    name: str
    token_hash: str | None = None

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

    def resolve(self, token: str) -> Principal:
        """Map a bearer token to a principal; unknown tokens are taken as staff sessions."""
        digest = hashlib.sha256(token.encode()).digest()
        for known, (role, name) in self._by_digest.items():
            if hmac.compare_digest(known, digest):
                return Principal(role, name)
        # Not a configured token: perhaps a staff session, verified in the operation.
        return Principal("staff", "", token_hash(token))


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
    return request.app.state.tokens.resolve(token.strip())


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
