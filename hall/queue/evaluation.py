"""Ratings (好差评): one per served ticket, append-only, from the window that served it.

Five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (the last two
are 差评). A citizen who does not rate leaves a 未评价 record (level NULL),
never an automatic good rating. No operation here or in the API edits or
deletes a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from hall.queue import views
from hall.queue.domain import QueueError, TicketStatus, conflict, not_found
from hall.queue.rows import ticket_row
from hall.queue.store import evaluations
from hall.queue.writer import Tx

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
UNRATED = "未评价"
CHANNELS = ("evaluator", "kiosk", "online")

_INSERT = evaluations.insert()
_BY_TICKET = select(evaluations.c.id).where(evaluations.c.ticket_id == bindparam("tid"))


@dataclass(frozen=True)
class Rating:
    """A rating as it arrives from a channel."""

    ticket_id: str
    channel: str
    level: int | None  # None = 未评价 (no key within the time)
    window: int | None = None  # the window whose evaluator sent it
    raw: int | None = None
    four_key: bool = False
    device: str | None = None


def label(level: int | None) -> str:
    """The Chinese name of a level, or 未评价."""
    return LEVELS[level] if level is not None else UNRATED


def record(tx: Tx, rating: Rating) -> dict[str, Any]:
    """Append one rating after checking it may be given (一次一评, right window)."""
    if rating.channel not in CHANNELS:
        raise QueueError(422, "bad_channel", "评价渠道无效", f"unknown channel {rating.channel!r}")
    if rating.level is not None and rating.level not in LEVELS:
        raise QueueError(422, "bad_level", "评价等级应为1至5", "level must be 1..5")
    ticket = ticket_row(tx, rating.ticket_id)
    if ticket is None:
        raise not_found("号票", "ticket", code="unknown_ticket")
    if ticket.status != TicketStatus.FINISHED:
        raise conflict(
            "not_finished", f"{ticket.number}尚未办结,不能评价", "Only finished cases are rated"
        )
    if rating.channel == "evaluator" and rating.window != ticket.window:
        raise conflict(
            "wrong_window",
            f"{ticket.number}由{ticket.window}号窗口办理,只能由该窗口评价器评价",
            f"{ticket.number} was served at window {ticket.window}",
        )
    if tx.conn.execute(_BY_TICKET, {"tid": ticket.id}).first() is not None:
        raise conflict(
            "already_rated", f"{ticket.number}已评价", f"{ticket.number} is already rated"
        )
    row = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "window": ticket.window,
        "staff_id": ticket.staff_id,
        "channel": rating.channel,
        "ts": tx.now,
        "level": rating.level,
        "raw": rating.raw,
        "four_key": int(rating.four_key),
        "device": rating.device,
    }
    tx.conn.execute(_INSERT, row)
    view = {
        **row,
        "label": label(rating.level),
        "ts": views.iso(tx.now),
        "four_key": rating.four_key,
    }
    tx.emit("evaluation.recorded", {"evaluation": view})
    return view


def recent(tx: Tx, limit: int = 100) -> list[dict[str, Any]]:
    """The latest ratings, newest first."""
    rows = tx.conn.execute(select(evaluations).order_by(evaluations.c.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "ticket_id": r.ticket_id,
            "number": r.number,
            "service": r.service,
            "window": r.window,
            "staff_id": r.staff_id,
            "channel": r.channel,
            "ts": views.iso(r.ts),
            "level": r.level,
            "label": label(r.level),
            "four_key": bool(r.four_key),
            "device": r.device,
        }
        for r in rows
    ]
