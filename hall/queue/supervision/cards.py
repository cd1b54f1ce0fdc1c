"""红黄牌 and 表扬: a manager's cards for a window or a clerk, counted in the 考核.

The seeds' 电子监察 "去年共出示红牌2张、黄牌1张", and "受到当事人书面感谢或表扬的,经中心确认
后加3分". A card has a kind (red, yellow, commendation), a target (a window number or
a staff id of the config), the day it counts on, a reason and who issued it
(``manager:<id>``). Withdrawing keeps the row and records who withdrew it and when;
a withdrawn card no longer counts. Automatic cards from the case register's 电子监察
are not issued here (``source`` stays None for the manager's own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hall.config import HallConfig
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.supervision import cards_table as t
from hall.queue.core.writer import Tx

KINDS = {
    "red": ("红牌", "Red card"),
    "yellow": ("黄牌", "Yellow card"),
    "commendation": ("表扬", "Commendation"),
}


def _check_target(config: HallConfig, target_kind: str, target: str) -> None:
    known = (
        config.staff_member(target) is not None
        if target_kind == "staff"
        else target.isdigit() and config.window(int(target)) is not None
    )
    if not known:
        what_zh = "工作人员" if target_kind == "staff" else "窗口"
        raise QueueError(
            422,
            "unknown_target",
            f"target:没有{what_zh}{target}",
            f"target: no {target_kind} {target!r} in the hall's config",
        )


def view(row: Any) -> dict[str, Any]:
    """A card as the manager page shows it."""
    zh, en = KINDS[row.kind]
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_zh": zh,
        "kind_en": en,
        "target_kind": row.target_kind,
        "target": row.target,
        "day": row.day,
        "reason": row.reason,
        "source": row.source,
        "issued_by": row.issued_by,
        "withdrawn": row.withdrawn_at is not None,
        "withdrawn_by": row.withdrawn_by,
    }


def issue(
    config: HallConfig,
    tx: Tx,
    *,
    kind: str,
    target_kind: str,
    target: str,
    day: dt.date,
    reason: str,
    actor: str,
) -> dict[str, Any]:
    """Record a card (``card.issued``); the target must be in the config."""
    _check_target(config, target_kind, target)
    values = {
        "kind": kind,
        "target_kind": target_kind,
        "target": target,
        "day": day.isoformat(),
        "reason": reason,
        "source": None,
        "issued_by": actor,
        "ts": tx.now,
    }
    card_id = tx.conn.execute(insert(t).values(**values)).inserted_primary_key[0]
    card = view(_row(tx.conn, card_id))
    tx.emit("card.issued", {"card": {k: card[k] for k in ("id", "kind", "target_kind", "target")}})
    return card


def withdraw(tx: Tx, card_id: int, actor: str) -> dict[str, Any]:
    """Withdraw a card (recorded); 409 if it was withdrawn already."""
    row = _row(tx.conn, card_id)
    if row.withdrawn_at is not None:
        raise conflict("already_withdrawn", f"该牌{card_id}已撤销", f"card {card_id} was withdrawn")
    tx.conn.execute(
        update(t).where(t.c.id == card_id).values(withdrawn_at=tx.now, withdrawn_by=actor)
    )
    tx.emit("card.withdrawn", {"card": {"id": card_id}})
    return view(_row(tx.conn, card_id))


def _row(conn: Connection, card_id: int) -> Any:
    row = conn.execute(select(t).where(t.c.id == card_id)).first()
    if row is None:
        raise not_found(f"牌{card_id}", f"card {card_id}", code="unknown_card")
    return row


def listing(
    conn: Connection, first: dt.date | None = None, last: dt.date | None = None
) -> list[dict[str, Any]]:
    """Cards, newest first, optionally of the days ``first`` .. ``last``."""
    query = select(t).order_by(t.c.day.desc(), t.c.id.desc())
    if first is not None and last is not None:
        query = query.where(t.c.day >= first.isoformat(), t.c.day <= last.isoformat())
    return [view(r) for r in conn.execute(query)]
