"""Durable storage: SQLAlchemy Core tables over SQLite (WAL, synchronous=FULL).

One store interface so PostgreSQL can follow: the tables are plain Core
metadata and the operations only use portable SQL. On SQLite the connection
runs in autocommit at the driver level and SQLAlchemy emits ``BEGIN IMMEDIATE``
itself, so savepoints work and the write lock is taken at the start of a batch.

The tables themselves live in :mod:`hall.queue.core.tables`, one module per
concern, all on the one :data:`metadata`; this module imports every one of them
(:data:`TABLE_MODULES`) so that :func:`open_engine` creates them all. Code that
uses a table imports it from its module there.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect

from hall.queue.core.tables import (
    announcements,
    attendance,
    cases,
    daemon,
    metadata,
    ratings,
    security,
    supervision,
    tickets,
)

log = logging.getLogger(__name__)

#: Every table module: importing them is what puts their tables on ``metadata``
#: before ``create_all``. A new module under tables/ is added here
#: (tests/queue/core/test_tables.py checks it).
TABLE_MODULES = (
    tickets,
    daemon,
    cases,
    ratings,
    attendance,
    security,
    announcements,
    supervision,
)

__all__ = [
    "ADDED_COLUMNS",
    "TABLE_MODULES",
    "Checkpointer",
    "metadata",
    "open_engine",
    "sqlite_url",
]


#: Columns added to an existing table after stores were made with it. There are no
#: migrations: ``create_all`` makes missing tables, not missing columns, so at start
#: :func:`_add_columns` adds these to a store that lacks them (nullable, no default:
#: ALTER TABLE ... ADD COLUMN, cheap on SQLite and PostgreSQL). Append, never reorder.
ADDED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ledger", "mac"),
    ("ledger", "key_id"),
    ("help_requests", "place"),
    ("help_requests", "acknowledged_window"),
)


def _add_columns(engine: Engine) -> None:
    """Add the :data:`ADDED_COLUMNS` an older store lacks (one transaction, logged)."""
    with engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite: two processes cannot race
        have: dict[str, set[str]] = {}
        for table, column in ADDED_COLUMNS:
            if table not in have:
                have[table] = {c["name"] for c in inspect(conn).get_columns(table)}
            if column not in have[table]:
                kind = metadata.tables[table].c[column].type.compile(engine.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                have[table].add(column)
                log.warning("store upgraded: column %s.%s added", table, column)


class Checkpointer:
    """Copies the SQLite WAL back into the database file in the background.

    PASSIVE checkpoints never block the writer; they run every ``every_s``
    seconds on a connection of their own, so commits stay short and the WAL
    file stays small.
    """

    def __init__(self, engine: Engine, every_s: float = 1.0, max_wal_frames: int = 8000) -> None:
        self.engine = engine
        self.every_s = every_s
        # Under sustained writes a PASSIVE checkpoint never catches the writer,
        # so the WAL would grow without end; past this many frames (~32 MB of
        # 4 KiB pages) a RESTART checkpoint briefly waits for the writer and
        # starts the WAL over.
        self.max_wal_frames = max_wal_frames
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-checkpoint", daemon=True)
        self.runs = 0

    def start(self) -> None:
        """Start checkpointing (only for SQLite engines)."""
        if self.engine.dialect.name == "sqlite":
            self._thread.start()

    def stop(self) -> None:
        """Stop and run one last full checkpoint."""
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(10)

    def _run(self) -> None:
        # The raw driver connection: SQLAlchemy would wrap the PRAGMA in a
        # BEGIN IMMEDIATE and hold the write lock against the writer.
        raw = self.engine.raw_connection()
        try:
            while not self._stop.wait(self.every_s):
                frames = self._checkpoint(raw, "PASSIVE")
                if frames > self.max_wal_frames:
                    self._checkpoint(raw, "RESTART")
            self._checkpoint(raw, "TRUNCATE")
        finally:
            raw.close()

    def _checkpoint(self, raw, mode: str) -> int:  # raw: a DBAPI connection
        """Run one checkpoint; return the WAL's size in frames."""
        try:
            _busy, frames, _done = raw.driver_connection.execute(
                f"PRAGMA wal_checkpoint({mode})"
            ).fetchone()
            self.runs += 1
            return frames
        except Exception:  # retried next round; the WAL just grows meanwhile
            log.exception("WAL checkpoint failed")
            return 0


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
        def _on_connect(dbapi_conn, _record):  # DBAPI objects
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is fsynced before it returns, so an acknowledged
            # ticket survives a power cut, not just a process kill.
            cur.execute("PRAGMA synchronous=FULL")
            # Checkpoints run on their own thread (Checkpointer), not inside a
            # commit: an automatic one would stall the writer for ~100 ms.
            cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    metadata.create_all(engine)
    _add_columns(engine)
    log.info("store ready at %s", engine.url.render_as_string(hide_password=True))
    return engine
