"""Which refused API requests are counted as an unknown token (hall/queue/devices/token_refusals.py).

The app's error handler calls :func:`note_refused` for every 401/403 under
``/api/``. It is counted when the request had no bearer token, or a token
that is no configured token (``api.tokens``) and no staff session the daemon
ever issued. Not counted: a configured token of another role (a display
asking for a kiosk's route: a bug, not a wrong token), a live session's
refusal, an ended or expired session (a caller panel left signed in).
"""

from __future__ import annotations

import logging

from fastapi import Request

from hall.queue.core import rows
from hall.queue.devices.token_refusals import RefusalCounter, token_prefix
from hall.queue.web.pins import client_address

log = logging.getLogger(__name__)


def bearer(request: Request) -> str | None:
    """The request's bearer token, or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def note_refused(request: Request) -> None:
    """Count this refused request if its token is unknown (see the module docstring)."""
    if not request.url.path.startswith("/api/"):
        return
    daemon = getattr(request.app.state, "daemon", None)
    counter: RefusalCounter | None = getattr(request.app.state, "refusals", None)
    if daemon is None or counter is None:
        return
    token = bearer(request)
    try:
        if token is not None:
            found = request.app.state.tokens.resolve(token)
            if found.role != "staff" or found.name or found.token_hash is None:
                return  # a configured token (or a signed-in person): not a wrong token
            hashed = found.token_hash
            if await daemon.read(lambda tx: rows.session_row(tx, hashed)) is not None:
                return  # a session the daemon issued, ended or not
        address, prefix = client_address(request), token_prefix(token)
        if counter.add(address, prefix, request.url.path):
            try:
                await daemon.run(lambda tx: counter.flush(tx, address, prefix))
            finally:
                counter.discard(address, prefix)  # a failed write must not block the key
    except Exception:  # the refusal is answered all the same; counting it is extra
        log.exception("could not count a refused token")
