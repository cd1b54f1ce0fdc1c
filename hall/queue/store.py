"""Durable storage: SQLAlchemy Core tables over SQLite (WAL, synchronous=FULL).

One store interface so PostgreSQL can follow: the tables are plain Core
metadata and the operations only use portable SQL. On SQLite the connection
runs in autocommit at the driver level and SQLAlchemy emits ``BEGIN IMMEDIATE``
itself, so savepoints work and the write lock is taken at the start of a batch.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)

log = logging.getLogger(__name__)

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("day", String(10), nullable=False),  # business day, ISO date
    Column("service", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(8), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("issued_at", Float, nullable=False),  # epoch seconds, UTC
    Column("queue_at", Float, nullable=False),  # place in line (FIFO key)
    Column("called_at", Float),
    Column("served_at", Float),
    Column("finished_at", Float),
    Column("window", Integer),
    Column("staff_id", String(32)),
    Column("case_type", String(8)),
    Column("recalls", Integer, nullable=False, default=0),
    Column("id_fp", String(32)),  # keyed hash of the ID number, never the number
    Column("appointment_code", String(16)),
    Column("slot_end", Float),
    Column("transferred_from", String(32)),
    Column("transferred_to", String(32)),
    Column("source", String(64)),
    Column("updated_at", Float, nullable=False),
    # A number is issued once per service and day; transferred copies reuse it.
    Index(
        "ux_tickets_number",
        "day",
        "service",
        "seq",
        unique=True,
        sqlite_where=text("transferred_from IS NULL"),
        postgresql_where=text("transferred_from IS NULL"),
    ),
    Index("ix_tickets_queue", "day", "status", "service", "queue_at"),
    Index("ix_tickets_done", "service", "status", "finished_at"),
    Index("ix_tickets_person", "day", "service", "id_fp"),
)

windows = Table(
    "windows",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("state", String(8), nullable=False),
    Column("staff_id", String(32)),
    Column("ticket_id", String(32)),
    Column("priority_streak", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", String(32), nullable=False),
    Column("window", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("ended_at", Float),
    Index("ix_sessions_staff", "staff_id", "ended_at"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("service", String(32), nullable=False),
    Column("slot_start", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("ticket_id", String(32)),
    Column("created_at", Float, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", Text, nullable=False),  # JSON
    sqlite_autoincrement=True,  # ids never reused, even after pruning
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)


def sqlite_url(data_dir: str | Path) -> str:
    """The default database: a SQLite file under the data dir."""
    path = Path(data_dir) / "hall.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_engine(url: str) -> Engine:
    """Create the engine with durable settings and the schema."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, future=True, pool_pre_ping=not is_sqlite)
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is fsynced before it returns, so an acknowledged
            # ticket survives a power cut, not just a process kill.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # noqa: ANN001
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    metadata.create_all(engine)
    log.info("store ready at %s", engine.url.render_as_string(hide_password=True))
    return engine
