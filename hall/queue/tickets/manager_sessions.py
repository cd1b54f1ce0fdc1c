"""Manager sessions: a hall manager signs in with id + PIN and gets an expiring bearer token.

Like staff sessions (sessions.py), only the token's SHA-256 is stored, so a
copy of the database lets nobody act as a manager; a session ends at its
expiry time (``api.manager_session_hours``) or with ``POST /manager/logout``,
and its event streams close then (``session.ended``). The PIN is checked
before :func:`login` runs (hall/queue/web/pins.py, with the staff sign-in's
failure counting under the subject ``manager:<id>``). A manager may be signed
in from several places at once (the office, a phone): a new sign-in does not
end the others. :func:`identify` tells the web layer what a bearer token that
is not a configured token is: a manager session, a staff session, or nothing.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import delete, insert, select, update

from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError
from hall.queue.core.events import SESSION_ENDED
from hall.queue.core.tables.security import manager_sessions_table as M
from hall.queue.core.tables.tickets import staff_sessions_table as S
from hall.queue.core.writer import Tx
from hall.queue.tickets.sessions import token_hash

log = logging.getLogger(__name__)

KEEP_S = 90 * 86400  # ended and expired sessions older than this are deleted


def expired() -> QueueError:
    """401: the session ended or expired (the manager page goes back to its sign-in form)."""
    return QueueError(
        401, "session_expired", "登录已失效，请重新登录", "Session ended or expired: sign in again"
    )


def _live(tx: Tx, row: Any) -> bool:
    return row is not None and row.ended_at is None and row.expires_at > tx.now


def identify(tx: Tx, hashed: str) -> tuple[str, Any] | None:
    """What the token with this hash is: ("manager", live session row), ("staff", row), or None.

    A manager session that ended or expired is a 401 here; a staff session is
    returned as it is (live or not): the staff operations check it themselves
    and answer 401 ``session_expired``, as they always have.
    """
    row = tx.conn.execute(select(M).where(M.c.token_hash == hashed)).first()
    if row is not None:
        if not _live(tx, row):
            raise expired()
        return "manager", row
    staff = tx.conn.execute(select(S).where(S.c.token_hash == hashed)).first()
    return ("staff", staff) if staff is not None else None


def login(ctx: Context, tx: Tx, manager_id: str) -> dict[str, Any]:
    """A session for a manager whose PIN was already verified: the token, once."""
    person = ctx.config.manager(manager_id)
    token = secrets.token_urlsafe(32)
    seconds = ctx.config.api.manager_session_hours * 3600
    tx.conn.execute(
        insert(M).values(
            token_hash=token_hash(token),
            manager_id=manager_id,
            created_at=tx.now,
            expires_at=tx.now + seconds,
        )
    )
    tx.conn.execute(delete(M).where(M.c.expires_at < tx.now - KEEP_S))
    log.info("manager %r signed in (session of %.1f h)", manager_id, seconds / 3600)
    return {
        "token": token,
        "manager_id": manager_id,
        "name": person.name if person else manager_id,
        "expires_in_s": int(seconds),
    }


def logout(tx: Tx, hashed: str | None) -> dict[str, Any]:
    """End a manager session; its event streams close (``session.ended``). 401 if not live."""
    row = tx.conn.execute(select(M).where(M.c.token_hash == (hashed or ""))).first()
    if not _live(tx, row):
        raise expired()
    tx.conn.execute(update(M).where(M.c.token_hash == row.token_hash).values(ended_at=tx.now))
    tx.emit(SESSION_ENDED, {"sessions": [row.token_hash]})
    log.info("manager %r signed out", row.manager_id)
    return {"id": row.manager_id, "ended": True}
