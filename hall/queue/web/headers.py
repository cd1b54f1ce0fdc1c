"""Security headers of the pages people open in a browser (pure ASGI, streams untouched).

The manager's page, the citizen's pages (behind the printed QR codes) and the API
docs get a Content-Security-Policy: scripts, styles and requests only from the
daemon itself, and ``frame-ancestors 'none'`` with ``X-Frame-Options: DENY`` so no
other page can frame them and trick a manager into a click (unlock, appeal). The
hall's own pages run no inline script; only Swagger UI's start-up is inline, so
/docs alone allows it. The JSON API is for programs and gets none of this.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
PAGE_POLICY = f"default-src 'self'; img-src 'self' data:; form-action 'self'; {_COMMON}"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';"
    f" img-src 'self' data:; {_COMMON}"
)
#: Path roots and their policy: the root itself and everything under it.
POLICIES = {
    "/manager": PAGE_POLICY,
    "/t": PAGE_POLICY,
    "/progress": PAGE_POLICY,
    "/citizen": PAGE_POLICY,
    "/public": PAGE_POLICY,
    "/docs": DOCS_POLICY,
    "/redoc": DOCS_POLICY,
}


def policy_for(path: str) -> str | None:
    """The Content-Security-Policy for ``path`` (None: not a page)."""
    root = "/" + path.lstrip("/").split("/", 1)[0]
    return POLICIES.get(root)


class PageHeaders:
    """Adds the page headers a response under :data:`POLICIES`' paths does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        policy = policy_for(scope.get("path", "")) if scope["type"] == "http" else None
        if policy is None:
            await self.app(scope, receive, send)
            return

        added = [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),  # the rating key is in /t/ URLs
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A route's own, stricter header stays (the citizen pages: default-src 'none').
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in added if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
