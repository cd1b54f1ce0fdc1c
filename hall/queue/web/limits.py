"""Resource limits of the HTTP daemon: request bodies, connections, event streams.

- :class:`BodyLimit` is plain ASGI middleware (it sits before routing and before
  anything reads the body): a declared ``Content-Length`` over the cap is
  refused with 413 before one byte of the body is read; a chunked body is
  counted as it arrives and refused the moment it passes the cap. The caps
  (``api.limits`` in config.yaml, hall/config/limits.py) are a few KB for every
  route; the upload routes in :data:`LARGE_BODIES` get a larger cap only when the
  bearer token is one of a role that may call them, decided from the headers
  (and, for a token that is not configured, a session looked up in the store),
  so an anonymous 150 MB POST is answered (401) without being read.
- :func:`server_options`: uvicorn's ``limit_concurrency`` (503 beyond it) and the
  proxies whose X-Forwarded-For is believed (none unless configured).
- :class:`StreamSlots`: open event streams per token and per role (429 beyond).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from hall.config import HallConfig, LimitsSection
from hall.queue.core.domain import QueueError

#: (method, path) → (the LimitsSection field of its cap, roles whose token may use it).
LARGE_BODIES: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("POST", "/api/v1/submissions"): ("upload_bytes", frozenset({"kiosk", "manager"})),
    ("POST", "/api/v1/appointments"): ("appointment_bytes", frozenset({"manager"})),
}

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


def server_options(config: HallConfig) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` / ``uvicorn.run`` from ``api``.

    ``limit_concurrency`` from ``api.limits``; the proxy headers are believed only from
    ``api.trusted_proxies`` (uvicorn's own default trusts 127.0.0.1, so a local client
    could name any address it likes and reset the per-address limits).
    """
    proxies = config.api.trusted_proxies
    return {
        "limit_concurrency": config.api.limits.connections,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies),
    }


def _error(status: int, code: str, zh: str, en: str, **details: Any) -> dict[str, Any]:
    return QueueError(status, code, zh, en, **details).to_json()


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class BodyLimit:
    """ASGI middleware: 413 for a body over its route's cap, decided before reading it.

    ``await role_of(token)`` names the role of a bearer token (a configured token or
    a live session; None for anything else: 401), asked only on the routes with a
    larger cap, which is all that is needed to grant it: the route itself still
    checks the caller as usual.
    """

    def __init__(
        self, app: Any, limits: LimitsSection, role_of: Callable[[str], Awaitable[str | None]]
    ) -> None:
        self.app = app
        self.limits = limits
        self.role_of = role_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse or pass the request on with a receive that counts the body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cap, refusal = self._cap(scope, await self._role(scope, headers))
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            await _answer(send, refusal)
            return
        body, ok = await _read_up_to(receive, cap)
        if not ok:
            await _answer(send, refusal)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _role(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """The bearer token's role, looked up only where it may raise the cap."""
        if (scope["method"], scope["path"]) not in LARGE_BODIES:
            return None
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return await self.role_of(token.strip())

    def _cap(self, scope: Scope, role: str | None) -> tuple[int, tuple[int, dict]]:
        """The cap for this request and what to answer past it."""
        small = self.limits.body_bytes
        too_large = (
            413,
            _error(
                413,
                "body_too_large",
                f"请求内容过大（上限 {_size(small)}）：{scope['method']} {scope['path']}",
                f"Request body too large: at most {small} bytes for "
                f"{scope['method']} {scope['path']}",
                limit=small,
            ),
        )
        large = LARGE_BODIES.get((scope["method"], scope["path"]))
        if large is None:
            return small, too_large
        setting, roles = large
        if role is None:  # no token, or one that is neither configured nor a live session
            # The route answers 401 anyway: say so now, without reading the body.
            return small, (
                401,
                _error(
                    401,
                    "unauthenticated",
                    "缺少或无效的访问令牌",
                    "Missing or malformed bearer token",
                ),
            )
        if role not in roles:
            return small, (
                403,
                _error(
                    403,
                    "forbidden",
                    "此终端无权上传",
                    f"Only a {' or '.join(sorted(roles))} token may send a large body here",
                ),
            )
        cap = getattr(self.limits, setting)
        return cap, (
            413,
            _error(
                413,
                "body_too_large",
                f"请求内容过大（上限 {_size(cap)}）：{scope['method']} {scope['path']}",
                f"Request body too large: at most {cap} bytes for "
                f"{scope['method']} {scope['path']}",
                limit=cap,
            ),
        )


async def _read_up_to(receive: Receive, cap: int) -> tuple[list[dict[str, Any]], bool]:
    """The body's messages, or ``ok`` False as soon as they pass ``cap`` (the rest unread)."""
    messages: list[dict[str, Any]] = []
    total = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":  # the client went away
            return messages, True
        total += len(message.get("body", b""))
        if total > cap:
            return [], False
        if not message.get("more_body", False):
            return messages, True


def _replay(messages: list[dict[str, Any]], receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the client's next message."""
    pending = list(messages)

    async def replay() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        return await receive()  # http.disconnect, for streaming responses

    return replay


async def _answer(send: Send, refusal: tuple[int, dict[str, Any]]) -> None:
    """Send the refusal and close the connection: the unread body is not wanted."""
    status, body = refusal
    data = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


@dataclass
class StreamSlots:
    """Open event streams per token and per role; the one past a cap is refused (429)."""

    limits: LimitsSection
    by_token: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)

    def take(self, token_key: str, role: str) -> Callable[[], None]:
        """Count one stream in, or 429; returns the release (safe to call twice)."""
        per_role = getattr(self.limits.streams_per_role, role, self.limits.streams_per_token)
        if self.by_token.get(token_key, 0) >= self.limits.streams_per_token:
            raise QueueError(
                429,
                "too_many_streams",
                f"此令牌已打开{self.limits.streams_per_token}个事件流，请先关闭不用的",
                f"This token already has {self.limits.streams_per_token} event streams open",
                limit=self.limits.streams_per_token,
            )
        if self.by_role.get(role, 0) >= per_role:
            raise QueueError(
                429,
                "too_many_streams",
                f"{role}角色的事件流已达上限（{per_role}个）",
                f"The {role} role already has {per_role} event streams open",
                limit=per_role,
            )
        self.by_token[token_key] = self.by_token.get(token_key, 0) + 1
        self.by_role[role] = self.by_role.get(role, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            for counts, key in ((self.by_token, token_key), (self.by_role, role)):
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]

        return release
