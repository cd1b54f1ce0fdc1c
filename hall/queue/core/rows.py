"""Row access shared by window operations and staff sessions.

Statements are built once at import (bound parameters only), so an operation
pays for executing SQL, not for constructing it. Every change to a window
emits ``window.changed`` so displays follow it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from hall.queue.core.domain import QueueError, conflict
from hall.queue.core.tables.tickets import staff_sessions_table, tickets_table, windows_table
from hall.queue.core.writer import Tx

_TICKET = select(tickets_table).where(tickets_table.c.id == bindparam("tid"))
_TICKET_NUMBER = select(tickets_table.c.number).where(tickets_table.c.id == bindparam("tid"))
_WINDOW = select(windows_table).where(windows_table.c.number == bindparam("num"))
_SET_TICKET = tickets_table.update().where(tickets_table.c.id == bindparam("tid"))
_SET_WINDOW = windows_table.update().where(windows_table.c.number == bindparam("num"))
_SESSION = select(staff_sessions_table).where(staff_sessions_table.c.token_hash == bindparam("th"))


def ticket_row(tx: Tx, ticket_id: str) -> Any:
    """The ticket row with this id, or None."""
    return tx.conn.execute(_TICKET, {"tid": ticket_id}).first()


def window_row(tx: Tx, number: int) -> Any:
    """The window row with this number (windows are created at start for the config)."""
    return tx.conn.execute(_WINDOW, {"num": number}).one()


def session_row(tx: Tx, token_hash: str) -> Any:
    """The staff session with this token hash, or None."""
    return tx.conn.execute(_SESSION, {"th": token_hash}).first()


def current_ticket(tx: Tx, win: Any) -> Any:
    """The ticket called or served at a window, or 409 if there is none."""
    if win.ticket_id is None:
        raise conflict(
            "no_current_ticket",
            f"{win.number}号窗口当前没有正在办理的号",
            f"Window {win.number} has no current ticket",
        )
    return ticket_row(tx, win.ticket_id)


def set_window(tx: Tx, number: int, **values: Any) -> Any:
    """Update a window, emit ``window.changed``, return the new row."""
    tx.conn.execute(_SET_WINDOW, {"num": number, "updated_at": tx.now, **values})
    row = window_row(tx, number)
    tx.emit("window.changed", {"window": window_view(tx, row)})
    return row


def set_ticket(tx: Tx, ticket_id: str, **values: Any) -> Any:
    """Update a ticket and return the new row."""
    tx.conn.execute(_SET_TICKET, {"tid": ticket_id, "updated_at": tx.now, **values})
    return ticket_row(tx, ticket_id)


def window_view(tx: Tx, row: Any) -> dict[str, Any]:
    """A window as the API shows it, with the number it is serving."""
    number = None
    if row.ticket_id:
        number = tx.conn.execute(_TICKET_NUMBER, {"tid": row.ticket_id}).scalar_one_or_none()
    return {
        "number": row.number,
        "state": row.state,
        "staff_id": row.staff_id,
        "ticket_id": row.ticket_id,
        "ticket_number": number,
    }


def require_no_ticket(tx: Tx, number: int) -> None:
    """Refuse to close a window while a citizen is at it."""
    row = window_row(tx, number)
    if row.ticket_id is not None:
        current = current_ticket(tx, row)
        raise QueueError(
            409,
            "window_busy",
            f"{number}号窗口正在办理{current.number},请先办结",
            f"Window {number} is serving {current.number}: finish it first",
        )
