"""办件 tables (the ``cases`` room): self-service submissions, the case register, its history.

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

# -- the register (issue 15): every case, counter and kiosk alike ----------------------
# Written by hall/queue/cases/register.py. The clock (hall/queue/cases/deadline.py)
# is recomputed at every action and its result stored, so a listing of open cases
# with their 黄牌/红牌 is an indexed query, never a clock per row.
cases_table = Table(
    "cases",
    metadata,
    Column("receipt", String(32), primary_key=True),  # printed on every notice
    Column("source", String(8), nullable=False),  # window | kiosk
    Column("submission_id", String(32), unique=True),  # kiosk: submissions.id
    Column("ticket_id", String(32)),  # window: the ticket served when it was opened
    Column("matter", String(64), nullable=False),
    Column("department", String(16), nullable=False),  # the lead (主办) department's code
    Column("kind", String(8), nullable=False),  # 即办件 | 承诺件 | 联办件 | 上报件
    Column("status", String(12), nullable=False),  # register.STATUSES
    Column("received_at", Float, nullable=False),
    Column("received_on", String(10), nullable=False),  # hall-local date, not counted
    Column("limit_days", Integer, nullable=False),  # working days, extensions not included
    Column("window", Integer),  # where it was opened (window cases)
    Column("opened_by", String(64), nullable=False),  # staff id, or "terminal <id>"
    Column("id_fp", String(32), nullable=False),  # keyed hash: 办件查询 by receipt + ID
    Column("applicant", Text, nullable=False),  # sealed JSON: name, id_number, phone
    Column("materials", Text, nullable=False),  # JSON: [{name, mandatory, present}]
    Column("missing", Text, nullable=False),  # JSON list: the open 补正 items
    # The clock as the last action left it (deadline.Clock), for listings and figures:
    Column("clock_state", String(10), nullable=False),  # running|waiting|suspended|finished
    Column("clock_reason", String(64), nullable=False, default=""),
    Column("clock_since", String(10)),  # the day the current stop began
    Column("promised_date", String(10)),  # None while stopped
    Column("yellow_on", String(10)),  # first day it is 黄牌 (running cases only)
    Column("extended_days", Integer, nullable=False, default=0),
    Column("extensions", Integer, nullable=False, default=0),
    Column("suspensions", Integer, nullable=False, default=0),
    Column("returns", Integer, nullable=False, default=0),
    Column("finished_on", String(10)),  # 办结 (or 退件) day
    Column("finished_by", String(64)),
    Column("used_days", Integer),  # working days used, set at finish
    Column("on_time", Integer),  # 1/0 at finish, NULL while open
    Column("updated_at", Float, nullable=False),
    Index("ix_cases_department", "department", "status", "promised_date"),
    Index("ix_cases_warning", "department", "clock_state", "yellow_on"),
    Index("ix_cases_finished", "finished_on", "department"),
)

# Every action on a case, in order: who, when, what, why. The clock's events
# (return, supply, suspend, resume, extend, finish) are read back from here.
case_events_table = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt", String(32), nullable=False, index=True),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),  # hall-local date of ts
    Column("action", String(12), nullable=False),  # open, accept, return, supply, …
    Column("status", String(12), nullable=False),  # the case's status after it
    Column("actor", String(64), nullable=False),  # staff id, manager:<id>, terminal <id>
    Column("department", String(16), nullable=False),  # the actor's (the holder's) department
    Column("detail", Text, nullable=False, default="{}"),  # JSON: missing, days, reason, basis, …
    sqlite_autoincrement=True,
)

# 联办件 steps (lead and co-departments, each with its own receipt time and
# deadline inside the case's) and 上报件 (sent up, answered): one row per step.
case_steps_table = Table(
    "case_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("role", String(8), nullable=False),  # lead | co | upper (上报)
    Column("department", String(64), nullable=False),  # code, or the upper office's name
    Column("received_at", Float),  # when the step's department took the case
    Column("due_date", String(10)),  # the step's own deadline
    Column("done_at", Float),
    Column("actor", String(64)),
    Column("note", Text, nullable=False, default=""),
    sqlite_autoincrement=True,
)

# 回访 of ordinary cases: a random sample of finished cases (cases.callback_rate);
# the result is recorded by staff of the hall's office, apart from 差评 回访.
case_callbacks_table = Table(
    "case_callbacks",
    metadata,
    Column("receipt", String(32), primary_key=True),
    Column("department", String(16), nullable=False),
    Column("sampled_on", String(10), nullable=False),
    Column("result", String(12)),  # None (to call) | unreached | satisfied | unsatisfied
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(64)),
    Column("recorded_at", Float),
    Index("ix_case_callbacks_open", "result", "sampled_on"),
)
