"""Row helpers shared by window operations and staff sessions.

Every change to a window emits ``window.changed`` so displays follow it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from hall.queue.domain import QueueError, conflict
from hall.queue.store import tickets, windows
from hall.queue.writer import Tx


def current_ticket(tx: Tx, win: Any) -> Any:
    if win.ticket_id is None:
        raise conflict(
            "no_current_ticket",
            f"{win.number}号窗口当前没有正在办理的号",
            f"Window {win.number} has no current ticket",
        )
    return tx.conn.execute(select(tickets).where(tickets.c.id == win.ticket_id)).one()


def set_window(tx: Tx, number: int, **values: Any) -> Any:
    tx.conn.execute(
        update(windows).where(windows.c.number == number).values(updated_at=tx.now, **values)
    )
    row = tx.conn.execute(select(windows).where(windows.c.number == number)).one()
    tx.emit("window.changed", {"window": window_view(tx, row)})
    return row


def set_ticket(tx: Tx, ticket_id: str, **values: Any) -> Any:
    tx.conn.execute(
        update(tickets).where(tickets.c.id == ticket_id).values(updated_at=tx.now, **values)
    )
    return tx.conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()


def window_view(tx: Tx, row: Any) -> dict[str, Any]:
    """A window as the API shows it, with the number it is serving."""
    number = None
    if row.ticket_id:
        number = tx.conn.execute(
            select(tickets.c.number).where(tickets.c.id == row.ticket_id)
        ).scalar_one_or_none()
    return {
        "number": row.number,
        "state": row.state,
        "staff_id": row.staff_id,
        "ticket_id": row.ticket_id,
        "ticket_number": number,
    }


def require_no_ticket(tx: Tx, number: int) -> None:
    """Refuse to close a window while a citizen is at it."""
    row = tx.conn.execute(select(windows).where(windows.c.number == number)).one()
    if row.ticket_id is not None:
        current = current_ticket(tx, row)
        raise QueueError(
            409,
            "window_busy",
            f"{number}号窗口正在办理{current.number},请先办结",
            f"Window {number} is serving {current.number}: finish it first",
        )
