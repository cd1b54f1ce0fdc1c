"""考勤 tables (the ``attendance`` room): sign-in, sign-out and leave records, face consents."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

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
