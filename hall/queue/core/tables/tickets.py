"""The queue's tables (the ``tickets`` room): tickets, windows, staff at windows, appointments, pauses, 空岗.

Written by hall/queue/tickets/ (issuing, calling, sessions, appointments, pauses,
vacancy); read by the views, the statistics and the device hub.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, LargeBinary, String, Table, text

from hall.queue.core.tables import metadata

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
