"""督查 tables (the ``supervision`` room, issue 16): what a hall manager supervises.

Complaints, 首问 enquiries, 红黄牌 and commendations, 优秀窗口 selections, leave
with cover, leaders' hall sign-ins, kiosk help requests.

Written by the modules of hall/queue/supervision/; read by the assessment
(考核, hall/queue/supervision/assessment.py) and the reports (通报).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from hall.queue.core.tables import metadata

# 投诉: one row per complaint, its current state; the events are append-only.
# "一般3日内做出答复": due_on is the reply deadline in working days (config).
complaints_table = Table(
    "complaints",
    metadata,
    Column("id", String(24), primary_key=True),  # the receipt: TS + YYYYMMDD + 4 digits
    Column("channel", String(10), nullable=False),  # phone|letter|box|web|in_person|kiosk
    Column("received_at", Float, nullable=False),
    Column("received_on", String(10), nullable=False),
    Column("taken_by", String(64), nullable=False),  # staff id, manager:<id>, kiosk <id>, public
    Column("subject_window", Integer),
    Column("subject_staff", String(32)),
    Column("subject_department", String(16)),
    Column("summary", Text, nullable=False),  # what the complaint is about (sealed)
    Column("contact", Text, nullable=False),  # sealed JSON: name, phone (personal data)
    Column("follow_digest", String(64)),  # SHA-256 of the follow key printed on the receipt
    Column("due_on", String(10), nullable=False),  # reply deadline
    Column("status", String(10), nullable=False),  # open|assigned|replied|closed
    Column("assigned_to", String(64)),
    Column("replied_on", String(10)),
    Column("reply", Text),  # the answer to the citizen (sealed)
    Column("outcome", String(16)),  # substantiated | unsubstantiated (属实/不属实)
    Column("satisfaction", String(12)),  # satisfied | basic | unsatisfied (the citizen's)
    Column("updated_at", Float, nullable=False),
    Index("ix_complaints_status", "status", "due_on"),
    Index("ix_complaints_staff", "subject_staff", "received_on"),
)

complaint_events_table = Table(
    "complaint_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", String(24), nullable=False, index=True),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("action", String(12), nullable=False),  # lodge|assign|reply|close|satisfaction
    Column("actor", String(64), nullable=False),
    Column("detail", Text, nullable=False, default="{}"),  # JSON, no personal data
    sqlite_autoincrement=True,
)

# 首问负责制登记薄: the staff member first asked logs the enquiry.
# "来电人姓名、联系电话等登记在册": contact is sealed, optional.
enquiries_table = Table(
    "enquiries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("staff_id", String(32), nullable=False),
    Column("window", Integer),
    Column("channel", String(10), nullable=False),  # in_person | phone | other
    Column("topic", String(200), nullable=False),
    Column("matter", String(64)),
    Column("answer", String(12), nullable=False),  # answered | referred | guided | recorded
    Column("referred_to", String(64)),  # staff id, department code or window
    Column("contact", Text),  # sealed JSON: name, phone (phone enquiries)
    Column("note", Text, nullable=False, default=""),
    Index("ix_enquiries_day", "day", "staff_id"),
    sqlite_autoincrement=True,
)

# 红黄牌 and 表扬 (commendations) of windows and clerks, with reasons, counted in the
# assessment. Automatic cards (from the case register's 电子监察) carry their source.
cards_table = Table(
    "cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),  # red | yellow | commendation
    Column("target_kind", String(8), nullable=False),  # window | staff
    Column("target", String(32), nullable=False),  # window number or staff id
    Column("day", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", String(48)),  # e.g. case:<receipt>, complaint:<id>, or None (manual)
    Column("issued_by", String(64), nullable=False),
    Column("ts", Float, nullable=False),
    Column("withdrawn_at", Float),
    Column("withdrawn_by", String(64)),
    Index("ix_cards_target", "target_kind", "target", "day"),
    sqlite_autoincrement=True,
)

# 季度优秀岗(窗口)评选: candidates proposed from the scores; the manager confirms.
selections_table = Table(
    "selections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),  # 2026Q3
    Column("target_kind", String(8), nullable=False),  # window | staff
    Column("target", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("confirmed_by", String(64), nullable=False),
    Column("confirmed_at", Float, nullable=False),
    Column("announcement_id", Integer),  # published on the boards and lobby
    Index("ux_selections", "period", "target_kind", "target", unique=True),
    sqlite_autoincrement=True,
)

# 请假: "请假半天的,由单位负责人批准…请假3天以上应…确定顶岗接替人员".
leave_table = Table(
    "leave",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", String(32), nullable=False),
    Column("start_day", String(10), nullable=False),
    Column("start_half", String(2), nullable=False),  # am | pm: the first half-day off
    Column("end_day", String(10), nullable=False),
    Column("end_half", String(2), nullable=False),  # am | pm: the last half-day off
    Column("days", Float, nullable=False),  # working days, in halves
    Column("kind", String(12), nullable=False),  # 事假 病假 年休假 公出 other
    Column("reason", Text, nullable=False),
    Column("cover_staff", String(32)),  # 顶岗: required from 3 days
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", Float, nullable=False),
    Column("status", String(10), nullable=False),  # requested|approved|refused|cancelled
    Column("decided_by", String(64)),
    Column("decided_at", Float),
    Column("note", Text, nullable=False, default=""),
    Index("ix_leave_staff", "staff_id", "start_day", "end_day"),
    sqlite_autoincrement=True,
)

# "分管领导每月必须到中心签到2次": leaders without a window sign in at the hall.
leader_visits_table = Table(
    "leader_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_id", String(32), nullable=False),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("method", String(8), nullable=False),  # face | pin
    Column("terminal", String(32)),
    Index("ix_leader_visits", "leader_id", "day"),
    sqlite_autoincrement=True,
)

# 帮办代办: a kiosk's help request, acknowledged by whoever takes it.
help_requests_table = Table(
    "help_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("terminal", String(32), nullable=False),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("hour", Integer, nullable=False),  # hall-local hour, for counts per hour
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", Float),
    Column("answer_s", Float),  # acknowledged_at - ts
    # Appended (issue 16, 帮办代办): the kiosk's place as it names itself ("1号自助取号机",
    # kiosk.name) and the taker's window (None: a manager), shown to the others.
    Column("place", String(64)),
    Column("acknowledged_window", Integer),
    Index("ix_help_requests_day", "day", "terminal"),
    sqlite_autoincrement=True,
)
