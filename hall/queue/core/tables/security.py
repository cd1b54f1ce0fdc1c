"""The tables that guard access, from several rooms (docs/SECURITY.md).

Failed staff sign-ins and their locks (tickets/sign_in_limits.py), manager
sessions (tickets/manager_sessions.py), refused bearer tokens
(devices/token_refusals.py), terminal cases a manager took up
(devices/outbox_acks.py), reads of a case's personal data
(cases/personal_data.py), failed 办件查询 lookups and their locks
(cases/progress_limits.py). Counts, digests and addresses: never a PIN, a token
or the data read.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from hall.queue.core.tables import metadata

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
