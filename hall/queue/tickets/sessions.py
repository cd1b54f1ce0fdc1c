"""Staff sessions at windows (签到) and the AB岗 rule.

A staff member logs in at a window with id + PIN and gets a bearer token; only
its SHA-256 is stored, so a copy of the database lets nobody act as staff. A
window is open for calls only while someone is logged in there. The backup (B)
may open a window when nobody holds it; the primary (A) may take the window
back from a backup; nobody displaces a primary. A clerk named as the cover (顶岗) of
an approved leave may also open the absent clerk's windows on the leave's days
(hall/queue/supervision/leave.py).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import insert, select, update

from hall.config import StaffRole
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, WindowState, conflict, forbidden
from hall.queue.core.events import SESSION_ENDED
from hall.queue.core.rows import require_no_ticket, session_row, set_window, window_row, window_view
from hall.queue.core.tables.tickets import staff_sessions_table, windows_table
from hall.queue.core.writer import Tx
from hall.queue.supervision.leave import covering
from hall.queue.tickets import badges, pauses, vacancy


def token_hash(token: str) -> str:
    """What is stored for a staff token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unauthorized() -> QueueError:
    return QueueError(
        401,
        "session_expired",
        "登录已失效,请重新登录",
        "Staff session ended or expired: log in again",
    )


def staff_session(tx: Tx, hashed: str | None) -> Any:
    """The live session for a token hash, or 401."""
    if not hashed:
        raise _unauthorized()
    row = session_row(tx, hashed)
    if row is None or row.ended_at is not None or row.expires_at < tx.now:
        raise _unauthorized()
    return row


def _end_sessions(tx: Tx, **where: Any) -> None:
    """End the live sessions matching ``where``; their event streams close (session.ended)."""
    live = staff_sessions_table.c.ended_at.is_(None)
    for column, value in where.items():
        live = live & (staff_sessions_table.c[column] == value)
    ended = [
        r.token_hash for r in tx.conn.execute(select(staff_sessions_table.c.token_hash).where(live))
    ]
    if not ended:
        return
    tx.conn.execute(update(staff_sessions_table).where(live).values(ended_at=tx.now))
    tx.emit(SESSION_ENDED, {"sessions": ended})


def login(ctx: Context, tx: Tx, staff_id: str, number: int) -> dict[str, Any]:
    """Open a window for a staff member whose PIN was already verified."""
    cfg = ctx.config
    person = cfg.staff_member(staff_id)
    if cfg.window(number) is None:
        raise QueueError(
            404, "unknown_window", f"{number}号窗口不存在", f"window {number} not found"
        )
    cover = None
    if number not in person.windows:
        cover = covering(ctx, tx, staff_id, number, ctx.local_date(tx.now))
    if number not in person.windows and cover is None:
        raise forbidden(
            f"{person.name}未被安排在{number}号窗口",
            f"{staff_id} is not assigned to window {number}",
        )
    win = window_row(tx, number)
    if win.state != WindowState.CLOSED and win.staff_id not in (None, staff_id):
        holder = cfg.staff_member(win.staff_id)
        holder_role = holder.role if holder else StaffRole.A
        if not (person.role == StaffRole.A and holder_role == StaffRole.B):
            raise conflict(
                "window_taken",
                f"{number}号窗口已由{holder.name if holder else win.staff_id}签到",
                f"Window {number} is held by {win.staff_id}",
            )
        # A岗 takes the window back from the B岗 covering it.
        require_no_ticket(tx, number)
        _end_sessions(tx, window=number)
    # One window at a time: leaving another window closes it.
    for other in tx.conn.execute(
        select(windows_table).where(
            windows_table.c.staff_id == staff_id, windows_table.c.number != number
        )
    ):
        require_no_ticket(tx, other.number)
        pauses.end(tx, other.number, "closed")
        set_window(tx, other.number, state=WindowState.CLOSED, staff_id=None)
    _end_sessions(tx, staff_id=staff_id)
    token = secrets.token_urlsafe(32)
    hours = cfg.api.staff_session_hours
    tx.conn.execute(
        insert(staff_sessions_table).values(
            token_hash=token_hash(token),
            staff_id=staff_id,
            window=number,
            created_at=tx.now,
            expires_at=tx.now + hours * 3600,
        )
    )
    state = (
        win.state if win.state in (WindowState.PAUSED, WindowState.SERVING) else WindowState.OPEN
    )
    row = set_window(tx, number, state=state, staff_id=staff_id)
    if state == WindowState.OPEN:
        vacancy.end_alerts(ctx, tx, number)  # the window opens: its 空岗 alert ends
    return {
        "token": token,
        "staff_id": staff_id,
        "name": person.name,
        "role": person.role,
        "windows": list(person.windows),  # a B岗 clerk's panel hears of these windows' alerts
        # 顶岗: signed in as the cover of this leave (None: at one of their own windows).
        "covering": None if cover is None else {"leave_id": cover.id, "for": cover.staff_id},
        "clerk": badges.public_clerk(cfg, staff_id),  # what the hall shows (亮证上岗)
        "window": window_view(tx, row),
        "expires_in_s": int(hours * 3600),
    }


def logout(ctx: Context, tx: Tx, hashed: str | None) -> dict[str, Any]:
    """End a staff session and close its window (refused while a citizen is there)."""
    session = staff_session(tx, hashed)
    require_no_ticket(tx, session.window)
    pauses.end(tx, session.window, "closed")
    _end_sessions(tx, token_hash=session.token_hash)
    row = set_window(tx, session.window, state=WindowState.CLOSED, staff_id=None)
    return {"window": window_view(tx, row)}
