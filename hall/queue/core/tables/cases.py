"""办件 tables (the ``cases`` room): self-service submissions and their history.

Written by hall/queue/cases/submissions.py; sealed columns by cases/sealed.py;
personal data removed by cases/retention.py.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

submissions_table = Table(
    "submissions",
    metadata,
    Column("id", String(32), primary_key=True),  # the terminal's idempotency key
    Column("receipt", String(32), nullable=False, unique=True),
    Column("terminal", String(64), nullable=False),
    Column("matter", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", Float, nullable=False),  # at the terminal
    Column("received_at", Float, nullable=False),  # here
    Column("promised_date", String(10)),
    Column("id_fp", String(32), nullable=False),  # keyed hash: 办件查询 by receipt + ID
    Column("applicant", Text, nullable=False),  # sealed JSON: name, id number, phone
    Column("form", Text, nullable=False),  # sealed JSON (hall/queue/cases/sealed.py)
    Column("materials", Text, nullable=False),  # JSON: name, mandatory, sha256, file
    Column("missing", Text, nullable=False),  # JSON list: 补正 items
    Column("content_sha", String(64), nullable=False),  # same key, other content = conflict
    Column("updated_at", Float, nullable=False),
    Index("ix_submissions_status", "status", "matter"),
)

submission_history_table = Table(
    "submission_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(32), nullable=False, index=True),
    Column("ts", Float, nullable=False),
    Column("status", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("actor", String(64), nullable=False),
    sqlite_autoincrement=True,
)
