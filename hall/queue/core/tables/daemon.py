"""The daemon's own tables: the event log, the upstream outbox, key/value meta, the statistics cache.

``events`` is written by the writer in each batch's transaction (core/writer.py) and
replayed by core/events.py; ``outbox`` is every upstream forwarder's queue
(core/outbox.py); ``meta`` holds single values (the ID key's marker, the ledger's
head and anchor); ``stats_days`` caches closed days' figures (stats/).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", Text, nullable=False),  # JSON
    sqlite_autoincrement=True,  # ids never reused, even after pruning
)

outbox_table = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(32), nullable=False),  # which upstream endpoint
    Column("key", String(64), nullable=False),  # idempotency key sent upstream
    Column("ref", String(64), nullable=False),  # what to send (e.g. submission id)
    Column("created_at", Float, nullable=False),
    Column("next_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("sent_at", Float),
    Index("ux_outbox_key", "target", "key", unique=True),
    Index("ix_outbox_due", "sent_at", "next_at"),
    sqlite_autoincrement=True,
)

meta_table = Table(
    "meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

# 办件统计 of closed business days (their tickets no longer change); a rating or
# appeal for a cached day deletes its row (hall/queue/stats/figures.py).
stats_days_table = Table(
    "stats_days",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("built_at", Float, nullable=False),
    Column("data", Text, nullable=False),  # JSON
)
