"""公示/通报 table (the ``announcements`` room): what managers publish to the boards, the lobby and /public."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

# 公示/通报 (hall/queue/announcements/store.py): what managers publish to the boards, the
# lobby and /public, with a schedule. A table of its own, so an existing store gets it at start.
announcements_table = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # commendation|criticism|notice|policy
    Column("text_zh", Text, nullable=False),
    Column("text_en", Text, nullable=False, default=""),
    Column("starts_at", Float, nullable=False),  # epoch seconds, UTC
    Column("ends_at", Float, nullable=False),
    Column("to_hall", Integer, nullable=False, default=0),  # the hall board
    Column("to_lobby", Integer, nullable=False, default=0),  # the lobby display and /public
    Column("to_windows", String(4000), nullable=False, default=""),  # "" none, "*" all, "1,3"
    Column("created_at", Float, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("withdrawn_at", Float),
    Column("withdrawn_by", String(80)),
    Index("ix_announcements_ends", "ends_at", "withdrawn_at"),
    sqlite_autoincrement=True,
)
