"""Announcements (公示/通报) as stored: publish, withdraw, list, and those in force.

A manager publishes an announcement of one :data:`KINDS` with its Chinese (and
optionally English) text, a schedule (``starts_at`` .. ``ends_at``, epoch
seconds; in force while ``starts_at <= now < ends_at``) and its targets: the
hall board, window boards (all, or the windows named) and the lobby (the lobby
display and the public page /public). Withdrawing ends it at once; nothing is
deleted, so who published and withdrew what stays on record.

Everything in :func:`public_view` is public (it is on the hall's screens); who
published or withdrew it is only in :func:`manager_view`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, insert, select, update

from hall.queue.core.domain import QueueError, not_found
from hall.queue.core.tables.announcements import announcements_table as t
from hall.queue.core.writer import Tx

#: Kind → (zh, en) label: 表彰 commendation, 通报 notice of criticism, 通知, 政策 change.
KINDS: dict[str, tuple[str, str]] = {
    "commendation": ("表彰", "Commendation"),
    "criticism": ("通报", "Notice of criticism"),
    "notice": ("通知", "Notice"),
    "policy": ("政策", "Policy change"),
}
TARGETS = ("hall", "windows", "lobby")
ALL_WINDOWS = "*"


def windows_field(windows: str | Iterable[int]) -> str:
    """The ``to_windows`` column: ``"*"`` for every window board, else ``"1,3"`` ("" none)."""
    if windows == "all" or windows == ALL_WINDOWS:
        return ALL_WINDOWS
    return ",".join(str(n) for n in sorted(set(windows)))  # type: ignore[arg-type]


def _windows(value: str) -> str | list[int]:
    return "all" if value == ALL_WINDOWS else [int(n) for n in value.split(",") if n]


def _iso(ts: float, tz: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")


def public_view(row: Any, tz: ZoneInfo) -> dict[str, Any]:
    """What a screen, a phone or the event stream may see of an announcement."""
    zh, en = KINDS.get(row.kind, (row.kind, row.kind))
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_zh": zh,
        "kind_en": en,
        "text_zh": row.text_zh,
        "text_en": row.text_en or "",
        "from": _iso(row.starts_at, tz),
        "until": _iso(row.ends_at, tz),
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "targets": {
            "hall": bool(row.to_hall),
            "lobby": bool(row.to_lobby),
            "windows": _windows(row.to_windows),
        },
    }


def state(row: Any, now: float) -> str:
    """Its state at ``now``: scheduled, in_force, ended or withdrawn."""
    if row.withdrawn_at is not None:
        return "withdrawn"
    if now < row.starts_at:
        return "scheduled"
    return "in_force" if now < row.ends_at else "ended"


def manager_view(row: Any, tz: ZoneInfo, now: float) -> dict[str, Any]:
    """The public view plus its state and who published / withdrew it, when."""
    return {
        **public_view(row, tz),
        "state": state(row, now),
        "created_at": _iso(row.created_at, tz),
        "created_by": row.created_by,
        "withdrawn_at": _iso(row.withdrawn_at, tz) if row.withdrawn_at is not None else None,
        "withdrawn_by": row.withdrawn_by,
    }


def publish(
    tx: Tx,
    *,
    kind: str,
    text_zh: str,
    text_en: str,
    starts_at: float,
    ends_at: float,
    hall: bool,
    lobby: bool,
    windows: str,
    actor: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Store a new announcement and emit ``announcement.published`` (the public view)."""
    if kind not in KINDS:
        raise QueueError(422, "bad_kind", f"未知的公告类别 kind：{kind}", f"kind: unknown {kind!r}")
    new_id = tx.conn.execute(
        insert(t).values(
            kind=kind,
            text_zh=text_zh,
            text_en=text_en,
            starts_at=starts_at,
            ends_at=ends_at,
            to_hall=int(hall),
            to_lobby=int(lobby),
            to_windows=windows,
            created_at=tx.now,
            created_by=actor,
        )
    ).inserted_primary_key[0]
    row = _row(tx.conn, new_id)
    tx.emit("announcement.published", {"announcement": public_view(row, tz)})
    return manager_view(row, tz, tx.now)


def withdraw(tx: Tx, announcement_id: int, actor: str, tz: ZoneInfo) -> dict[str, Any]:
    """End an announcement now (409 if already withdrawn); emits ``announcement.withdrawn``."""
    row = _row(tx.conn, announcement_id)
    if row.withdrawn_at is not None:
        raise QueueError(
            409,
            "already_withdrawn",
            f"公告 {announcement_id} 已撤回",
            f"announcement {announcement_id} was already withdrawn",
        )
    tx.conn.execute(
        update(t).where(t.c.id == announcement_id).values(withdrawn_at=tx.now, withdrawn_by=actor)
    )
    tx.emit("announcement.withdrawn", {"announcement": {"id": announcement_id}})
    return manager_view(_row(tx.conn, announcement_id), tz, tx.now)


def _row(conn: Connection, announcement_id: int) -> Any:
    row = conn.execute(select(t).where(t.c.id == announcement_id)).first()
    if row is None:
        raise not_found("公告", "announcement")
    return row


def listing(conn: Connection, tz: ZoneInfo, now: float, limit: int = 200) -> list[dict[str, Any]]:
    """Every announcement, newest first, with its state (managers)."""
    rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit))
    return [manager_view(r, tz, now) for r in rows]


def in_force(conn: Connection, tz: ZoneInfo, now: float) -> list[dict[str, Any]]:
    """Announcements in force at ``now``, oldest first (the order screens rotate them)."""
    rows = conn.execute(
        select(t)
        .where(and_(t.c.withdrawn_at.is_(None), t.c.starts_at <= now, t.c.ends_at > now))
        .order_by(t.c.starts_at, t.c.id)
    )
    return [public_view(r, tz) for r in rows]


def not_ended(conn: Connection, tz: ZoneInfo, now: float) -> list[dict[str, Any]]:
    """In force now or scheduled: what the boards' rotation keeps (it checks times itself)."""
    rows = conn.execute(
        select(t)
        .where(and_(t.c.withdrawn_at.is_(None), t.c.ends_at > now))
        .order_by(t.c.starts_at, t.c.id)
    )
    return [public_view(r, tz) for r in rows]
