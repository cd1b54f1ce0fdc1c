"""Durable storage: SQLAlchemy Core tables over SQLite (WAL, synchronous=FULL).

One store interface so PostgreSQL can follow: the tables are plain Core
metadata and the operations only use portable SQL. On SQLite the connection
runs in autocommit at the driver level and SQLAlchemy emits ``BEGIN IMMEDIATE``
itself, so savepoints work and the write lock is taken at the start of a batch.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    text,
)

log = logging.getLogger(__name__)

metadata = MetaData()

tickets_table = Table(
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

windows_table = Table(
    "windows",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("state", String(8), nullable=False),
    Column("staff_id", String(32)),
    Column("ticket_id", String(32)),
    Column("priority_streak", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
)

staff_sessions_table = Table(
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

appointments_table = Table(
    "appointments",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("service", String(32), nullable=False),
    Column("slot_start", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("ticket_id", String(32)),
    Column("created_at", Float, nullable=False),
)

# 预约签到: what a booking hands over to check in without the code, kept apart from
# ``appointments`` so it can be deleted cleanly: the keyed fingerprint of the
# booker's ID number and, with its own consent, a face template made by the
# booking site. Deleted (SQLite secure_delete) in the transaction that issues the
# appointment's ticket, or once the slot and its grace have passed
# (hall/queue/tickets/appointments.py). Never the ID number, never an image.
appointment_checkin_table = Table(
    "appointment_checkin",
    metadata,
    Column("code", String(16), primary_key=True),  # appointments.code
    Column("slot_end", Float, nullable=False),  # copied: expiry without a join
    Column("id_fp", String(32)),  # keyed hash of the ID number (hall.idnumber)
    Column("face_template", LargeBinary),  # hall.vision.face.FaceTemplate.to_bytes()
    Column("face_consent", String(32)),  # consent text version the citizen agreed to
    Column("created_at", Float, nullable=False),
    Index("ix_appointment_checkin_fp", "id_fp"),
    Index("ix_appointment_checkin_end", "slot_end"),
)

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

# 办件统计 of closed business days (their tickets no longer change); a rating or
# appeal for a cached day deletes its row (hall/queue/stats/figures.py).
stats_days_table = Table(
    "stats_days",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("built_at", Float, nullable=False),
    Column("data", Text, nullable=False),  # JSON
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
    # a store made before them, until the next start anchors it (ADDED_COLUMNS below).
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

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", Text, nullable=False),  # JSON
    sqlite_autoincrement=True,  # ids never reused, even after pruning
)

attendance_table = Table(
    "attendance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", String(32), nullable=False),
    Column("day", String(10), nullable=False),  # local date, ISO
    Column("kind", String(12), nullable=False),  # checkin | checkout | leave
    Column("ts", Float, nullable=False),  # epoch seconds (for leave: when recorded)
    Column("method", String(8), nullable=False),  # face | pin | manual
    Column("window", Integer),
    Column("terminal", String(32)),  # the face terminal that matched
    Column("engine", String(16)),  # face engine the terminal used
    Column("note", Text, nullable=False, default=""),
    Column("actor", String(64), nullable=False),
    Index("ix_attendance_day", "day", "staff_id"),
    sqlite_autoincrement=True,
)

face_consents_table = Table(
    "face_consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", String(32), nullable=False),
    Column("terminal", String(32), nullable=False),  # the device that holds the template
    Column("consent_version", String(32), nullable=False),
    Column("consented_at", Float, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("withdrawn_at", Float),
    Index("ix_face_consents_staff", "staff_id", "withdrawn_at"),
    sqlite_autoincrement=True,
)


meta_table = Table(
    "meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
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

# Staff sign-in (id + PIN) throttling (hall/queue/tickets/sign_in_limits.py): one row
# per attempt whose PIN is checked, "pending" while scrypt runs (so a burst is counted
# before any answer), then "failed", or deleted when it was right; "cleared" once an
# unlock or the clerk's own right PIN resets the count. Never the PIN.
sign_in_failures_table = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("staff_id", String(32), nullable=False),  # as typed: unknown ids are counted too
    Column("address", String(64), nullable=False),  # the client's address
    Column("state", String(8), nullable=False),  # pending | failed | cleared
    Column("cleared_by", String(64)),
    Index("ix_sign_in_failures_staff", "staff_id", "ts"),
    Index("ix_sign_in_failures_address", "address", "ts"),
    Index("ix_sign_in_failures_ts", "ts"),
    sqlite_autoincrement=True,
)

# A lock on a staff id or a client address: until ``until``, or a manager's unlock.
sign_in_locks_table = Table(
    "sign_in_locks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # staff | address
    Column("subject", String(64), nullable=False),  # the staff id or the address
    Column("locked_at", Float, nullable=False),
    Column("until", Float, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("unlocked_at", Float),
    Column("unlocked_by", String(64)),  # "manager:<name>"
    Index("ix_sign_in_locks_subject", "kind", "subject", "until"),
    sqlite_autoincrement=True,
)

# Bearer tokens the API refused that are no configured token and no staff session ever
# issued (hall/queue/devices/token_refusals.py): one row per client address and token,
# counted, for the manager page. Never the token: a prefix of its SHA-256 ("" = none).
token_refusals_table = Table(
    "token_refusals",
    metadata,
    Column("address", String(64), primary_key=True),
    Column("token_prefix", String(12), primary_key=True),  # "*": one of many others
    Column("count", Integer, nullable=False),
    Column("first_at", Float, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("last_path", String(128), nullable=False),
    Index("ix_token_refusals_last", "last_at"),
)

# A manager's acknowledgement of a case a terminal's outbox could not deliver (the
# daemon refused it for good; hall/queue/devices/outbox_acks.py). The terminal learns of
# it in the answer to its next report and removes the case's personal data; then it
# stops reporting the case and ``cleared_at`` is set. Receipt and reason code only.
outbox_acks_table = Table(
    "outbox_acks",
    metadata,
    Column("device", String(64), primary_key=True),  # outbox@<kiosk id>
    Column("receipt", String(32), primary_key=True),
    Column("reason", String(64), nullable=False),  # the refusal's code, as reported
    Column("source", String(64), nullable=False),  # the kiosk token's name that reported it
    Column("acked_by", String(64), nullable=False),  # "manager:<name>"
    Column("acked_at", Float, nullable=False),
    Column("note", String(200), nullable=False),
    Column("cleared_at", Float),  # the terminal no longer holds the case
)


# Reads of a case's personal data by staff and managers (hall/queue/cases/personal_data.py):
# who, when, which case, what view, from which window or address; never the data read.
personal_data_reads_table = Table(
    "personal_data_reads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("actor", String(80), nullable=False),  # staff:<id> | manager:<name>
    Column("case_id", String(32), nullable=False),  # submissions.id
    Column("what", String(32), nullable=False),  # submission.detail | submission.<action>
    Column("full", Integer, nullable=False),  # 1: full applicant data, 0: masked
    Column("window", Integer),  # the staff session's window
    Column("address", String(64), nullable=False),  # the client's address
    Index("ix_personal_data_reads_case", "case_id", "id"),
    Index("ix_personal_data_reads_actor", "actor", "id"),
    sqlite_autoincrement=True,
)

# Failed 办件查询 lookups (hall/queue/cases/progress_limits.py), from the kiosk route and
# the citizen's page alike: the receipt as typed and the client's address, never the ID.
progress_failures_table = Table(
    "progress_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("receipt", String(32), nullable=False),
    Column("address", String(64), nullable=False),
    Index("ix_progress_failures_receipt", "receipt", "ts"),
    Index("ix_progress_failures_address", "address", "ts"),
    Index("ix_progress_failures_ts", "ts"),
    sqlite_autoincrement=True,
)

# A lock on a receipt or an address after too many failed lookups: until ``until``.
progress_locks_table = Table(
    "progress_locks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # receipt | address
    Column("subject", String(64), nullable=False),
    Column("locked_at", Float, nullable=False),
    Column("until", Float, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("unlocked_at", Float),
    Column("unlocked_by", String(80)),
    Index("ix_progress_locks_subject", "kind", "subject", "until"),
    sqlite_autoincrement=True,
)

# Manager sign-ins (hall/queue/tickets/manager_sessions.py): like staff_sessions, only the
# token's SHA-256 is kept. A table of its own, so an existing store gets it at start.
manager_sessions_table = Table(
    "manager_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("manager_id", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("ended_at", Float),
    Index("ix_manager_sessions_manager", "manager_id", "ended_at"),
)

# 离岗: each pause of a window (hall/queue/tickets/pauses.py) with its reason and how it
# ended; open while ``ended_at`` is NULL. A table of its own, so an existing store gets it.
window_pauses_table = Table(
    "window_pauses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),  # business day the pause started on
    Column("window", Integer, nullable=False),
    Column("reason", String(16), nullable=False),  # hall.words.PauseReason
    Column("note", String(200), nullable=False, default=""),
    Column("staff_id", String(32)),  # None: paused by a manager or a keypad with no session
    Column("by", String(80), nullable=False),  # staff | manager:<id> | keypad <addr>
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("ended_by", String(16)),  # resume | closed
    Index("ix_window_pauses_window", "window", "ended_at"),
    Index("ix_window_pauses_day", "day"),
    sqlite_autoincrement=True,
)

# 空岗 alerts (hall/queue/tickets/vacancy.py): a window closed or paused too long with people
# waiting during hours; open while ``ended_at`` is NULL, ended when the window opens.
vacancy_alerts_table = Table(
    "vacancy_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),
    Column("window", Integer, nullable=False),
    Column("state", String(8), nullable=False),  # closed | paused, when raised
    Column("reason", String(16)),  # the pause reason; None when closed
    Column("since", Float, nullable=False),  # when the window's emptiness began to count
    Column("raised_at", Float, nullable=False),
    Column("waiting", Integer, nullable=False),  # people waiting for it when raised
    Column("ended_at", Float),
    Index("ix_vacancy_alerts_window", "window", "ended_at"),
    Index("ix_vacancy_alerts_day", "day"),
    sqlite_autoincrement=True,
)

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

#: Columns added to an existing table after stores were made with it. There are no
#: migrations: ``create_all`` makes missing tables, not missing columns, so at start
#: :func:`_add_columns` adds these to a store that lacks them (nullable, no default:
#: ALTER TABLE ... ADD COLUMN, cheap on SQLite and PostgreSQL). Append, never reorder.
ADDED_COLUMNS: tuple[tuple[str, str], ...] = (("ledger", "mac"), ("ledger", "key_id"))


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
