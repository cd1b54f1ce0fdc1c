"""好差评 tables (the ``ratings`` room): ratings, the chained ledger, 差评整改, rating keys."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

evaluations_table = Table(
    "evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), nullable=False),
    Column("number", String(8), nullable=False),
    Column("service", String(32), nullable=False),
    Column("window", Integer),
    Column("staff_id", String(32)),
    Column("channel", String(16), nullable=False),  # evaluator | kiosk | online
    Column("ts", Float, nullable=False),
    Column("level", Integer),  # 1..5, NULL = 未评价
    Column("raw", Integer),  # what the device sent, before any 4-key mapping
    Column("four_key", Integer, nullable=False, default=0),  # 1: mapped from a 4-key device
    Column("device", String(32)),
    # 一次一评: one record per ticket, whatever the channel.
    Index("ux_evaluations_ticket", "ticket_id", unique=True),
    Index("ix_evaluations_ts", "ts"),
    sqlite_autoincrement=True,
)

# 好差评 ledger: every rating, 未评价 and appeal (复核), append-only, hash-chained
# (hall/queue/ratings/ledger.py). ``subject`` is "ticket:<id>" or "submission:<id>".
ledger_table = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # rating | unrated | appeal
    Column("subject", String(48), nullable=False),
    Column("ticket_id", String(32)),
    Column("submission_id", String(32)),
    Column("number", String(32), nullable=False),  # ticket number or receipt
    Column("service", String(64)),  # service code (matter code for a submission)
    Column("window", Integer),
    Column("staff_id", String(32)),
    Column("channel", String(16), nullable=False),  # evaluator | kiosk | online | manager
    Column("day", String(10), nullable=False),  # business day of the case
    Column("ts", Float, nullable=False),
    Column("level", Integer),  # 1..5; NULL for 未评价
    Column("tags", Text, nullable=False, default="[]"),  # JSON list of reason tags
    Column("comment", Text, nullable=False, default=""),
    Column("raw", Integer),
    Column("four_key", Integer, nullable=False, default=0),
    Column("device", String(32)),
    Column("ref_id", Integer),  # appeal: the record it marks
    Column("decision", String(8)),  # appeal: upheld | rejected
    Column("reason", Text),  # appeal: why
    Column("decided_by", String(64)),  # appeal: the manager
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # HMAC-SHA256 keyed from the key file, and the id of that key (ledger.py). NULL only in
    # a store made before them, until the next start anchors it (schema.ADDED_COLUMNS).
    Column("mac", String(64)),
    Column("key_id", String(32)),
    # 一次一评: one rating, one 未评价 and one appeal at most per case.
    Index("ux_ledger_subject", "kind", "subject", unique=True),
    Index("ix_ledger_ticket", "ticket_id"),
    Index("ix_ledger_day", "day", "kind"),
    sqlite_autoincrement=True,
)

# 差评整改: one case per 差评, its current state; the steps are append-only.
rectifications_table = Table(
    "rectifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rating_id", Integer, nullable=False, unique=True),
    Column("number", String(32), nullable=False),
    Column("service", String(64)),
    Column("window", Integer),
    Column("staff_id", String(32)),
    Column("level", Integer, nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("opened_day", String(10), nullable=False),
    Column("state", String(12), nullable=False),  # open|verified|fixed|closed|appealed
    Column("complexity", String(8), nullable=False, default="simple"),
    Column("contact_due", String(10), nullable=False),
    Column("fix_due", String(10), nullable=False),
    Column("callback_due", String(10), nullable=False),
    Column("verified_day", String(10)),
    Column("fixed_day", String(10)),
    Column("closed_day", String(10)),
    Column("callback_answer", String(24)),
    Column("updated_at", Float, nullable=False),
    Index("ix_rectifications_state", "state", "opened_day"),
    Index("ix_rectifications_day", "opened_day"),
    sqlite_autoincrement=True,
)

rectification_steps_table = Table(
    "rectification_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False, index=True),
    Column("step", String(12), nullable=False),  # opened | verify | fix | callback | appeal
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("data", Text, nullable=False),  # JSON
    sqlite_autoincrement=True,
)

# The rating key of a ticket or a submission (hall/queue/ratings/keys.py): only its
# SHA-256 is kept, never the key. A table of its own rather than a column, so a store
# made before it gets it from create_all at start (there are no column migrations).
rating_keys_table = Table(
    "rating_keys",
    metadata,
    Column("subject", String(48), primary_key=True),  # ticket:<id> | submission:<id>
    Column("digest", String(64), nullable=False),  # hex SHA-256 of the key
    Column("created_at", Float, nullable=False),
)
