"""Which refused API requests are counted as an unknown token (hall/queue/devices/token_refusals.py).

The app's error handler calls :func:`note_refused` for every 401/403 under
``/api/``. It is counted when the request had no bearer token, or a token
that is no configured token (``api.tokens``) and no staff or manager session
the daemon ever issued. Not counted: a configured token of another role (a
display asking for a kiosk's route: a bug, not a wrong token), a live
session's refusal, an ended or expired session (a caller panel or a manager
page left signed in).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from sqlalchemy import select

from hall.queue.core.tables.security import manager_sessions_table
from hall.queue.core.tables.tickets import staff_sessions_table
from hall.queue.devices.token_refusals import RefusalCounter, token_prefix
from hall.queue.tickets.sessions import token_hash
from hall.queue.web.pins import client_address

log = logging.getLogger(__name__)


def bearer(request: Request) -> str | None:
    """The request's bearer token, or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def ever_issued(tx: Any, hashed: str) -> bool:
    """True if a staff or manager session with this token hash was ever issued."""
    for table in (staff_sessions_table, manager_sessions_table):
        found = tx.conn.execute(
            select(table.c.token_hash).where(table.c.token_hash == hashed)
        ).first()
        if found is not None:
            return True
    return False


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
            if request.app.state.tokens.configured(token) is not None:
                return  # a configured token of another role: not a wrong token
            hashed = token_hash(token)
            if await daemon.read(lambda tx: ever_issued(tx, hashed)):
                return  # a session the daemon issued, ended or not
        address, prefix = client_address(request), token_prefix(token)
        if counter.add(address, prefix, request.url.path):
            try:
                await daemon.run(lambda tx: counter.flush(tx, address, prefix))
            finally:
                counter.discard(address, prefix)  # a failed write must not block the key
    except Exception:  # the refusal is answered all the same; counting it is extra
        log.exception("could not count a refused token")
