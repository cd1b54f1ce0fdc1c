"""A month of served tickets at known hall-local times, for the 通报 and outside-hours tests.

The test hall (tests/support/config.py): open 09:00-17:00, lunch break 12:00-13:30,
no weekend opening, Asia/Shanghai (UTC+8). 2026 calendar (hall/data/holidays/2026.yaml):
05-01 (Fri) to 05-05 is 劳动节, Sat 05-09 is a make-up working day, Sun 05-10 is
a weekend day. Every ticket was called a minute before its service began.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hall.queue.core.schema import open_engine
from hall.queue.core.tables.tickets import tickets_table
from tests.support.config import _PIN_HASH, TZ, hall_config

# id, local start of service, status, kind, window, staff, transferred_from
TICKETS = [
    ("t1", "2026-05-01 10:00", "finished", "normal", 1, "S001", None),  # holiday
    ("t2", "2026-05-09 10:00", "finished", "normal", 1, "S001", None),  # make-up day: regular
    ("t3", "2026-05-09 12:30", "finished", "appointment", 2, "S002", None),  # lunch
    ("t4", "2026-05-10 10:00", "finished", "priority", 1, "S001", None),  # Sunday
    ("t5", "2026-05-11 08:40", "finished", "normal", 2, "S002", None),  # before opening
    ("t6", "2026-05-11 12:15", "finished", "priority", 1, "S001", None),  # lunch
    ("t7", "2026-05-11 13:45", "finished", "normal", 1, "S001", None),  # regular
    ("t8", "2026-05-11 17:20", "finished", "normal", 2, "S002", None),  # after closing
    ("t9", "2026-05-14 18:00", "finished", "appointment", 1, "S001", None),  # after closing
    ("t10", "2026-05-11 12:20", "no_show", "normal", 1, "S001", None),  # not served
    ("t11", "2026-05-12 11:00", "transferred", "normal", 2, "S002", None),  # sent on ...
    ("t11b", "2026-05-12 11:30", "finished", "normal", 1, "S001", "t11"),  # ... served: regular
    ("t12", "2026-06-01 10:00", "finished", "normal", 2, "S002", None),  # June: regular
]


def local(text: str) -> float:
    """``YYYY-MM-DD HH:MM`` in the hall's time zone as epoch seconds."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ).timestamp()


def load(path: Path, tickets: list[tuple] = TICKETS) -> None:
    """Write the tickets into a fresh store at ``path`` (the daemon opens it after)."""
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as conn, conn.begin():
        for n, (tid, when, status, kind, window, staff, source) in enumerate(tickets):
            start = local(when)
            served = status == "finished"
            conn.execute(
                tickets_table.insert(),
                {
                    "id": tid,
                    "day": when[:10],  # every time is after the 03:00 reset
                    "service": "general",
                    "seq": n + 1,
                    "number": f"A{n + 1:03d}",
                    "kind": kind,
                    "status": status,
                    "issued_at": start - 600,
                    "queue_at": start - 600,
                    "called_at": start - 60,
                    "served_at": start if status != "no_show" else None,
                    "finished_at": start + 300 if served else None,
                    "window": window,
                    "staff_id": staff,
                    "case_type": "即办件" if served else None,
                    "recalls": 0,
                    "transferred_from": source,
                    "updated_at": start + 300,
                },
            )
    engine.dispose()


#: The hall's 分管领导: L1 must sign in twice a month (the default), L2 three times.
LEADERS = [
    {"id": "L1", "name": "赵局长", "title": "分管副局长", "pin_hash": _PIN_HASH},
    {"id": "L2", "name": "钱主任", "pin_hash": _PIN_HASH, "monthly_visits": 3},
]


def report_config() -> dict[str, Any]:
    """The test hall with its leaders (tests/support/config.py)."""
    return hall_config(leaders=LEADERS)


# Leave (staff, first day, last day, working days, cover, status) and leaders' sign-ins.
LEAVE = [
    ("S001", "2026-05-11", "2026-05-13", 3.0, "S002", "approved"),
    ("S002", "2026-05-20", "2026-05-20", 0.5, None, "approved"),
    ("S002", "2026-05-25", "2026-05-26", 2.0, None, "refused"),
]
VISITS = [
    ("L1", "2026-05-06 09:30"),
    ("L1", "2026-05-06 15:00"),  # the same day again: one day
    ("L1", "2026-05-20 10:00"),
    ("L2", "2026-05-07 10:00"),
    ("L1", "2026-06-01 10:00"),  # June
]
# 投诉 (receipt, received, reply due, replied, status, outcome, satisfaction): the 通报
# counts them only, so their sealed summary and contact are stand-ins here.
COMPLAINTS = [
    (
        "TS202605060001",
        "2026-05-06",
        "2026-05-11",
        "2026-05-12",
        "closed",
        "substantiated",
        "satisfied",
    ),  # replied a day late
    (
        "TS202605180001",
        "2026-05-18",
        "2026-05-21",
        "2026-05-20",
        "closed",
        "unsubstantiated",
        "unsatisfied",
    ),
    ("TS202605270001", "2026-05-27", "2026-06-01", None, "open", None, None),  # due in June
]


# 首问 enquiries (staff, day, answer) and kiosk help requests (day, seconds to answer).
ENQUIRIES = [
    ("S001", "2026-05-11", "answered"),
    ("S001", "2026-05-12", "answered"),
    ("S002", "2026-05-12", "referred"),
]
HELP = [("2026-05-11", 45.0), ("2026-05-13", None)]


def load_supervision(path: Path) -> None:
    """Write the leave requests, the leaders' sign-ins and the complaints (issue 16)."""
    from hall.queue.core.tables.supervision import (
        complaints_table,
        enquiries_table,
        help_requests_table,
        leader_visits_table,
        leave_table,
    )

    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as conn, conn.begin():
        for staff, first, last, days, cover, status in LEAVE:
            conn.execute(
                leave_table.insert(),
                {
                    "staff_id": staff,
                    "start_day": first,
                    "start_half": "am",
                    "end_day": last,
                    "end_half": "pm",
                    "days": days,
                    "kind": "事假",
                    "reason": "家中有事",
                    "cover_staff": cover,
                    "requested_by": staff,
                    "requested_at": local(f"{first} 08:00") - 86400 * 3,
                    "status": status,
                    "decided_by": "manager:M001",
                    "decided_at": local(f"{first} 08:00") - 86400 * 2,
                    "note": "",
                },
            )
        for receipt, received, due, replied, status, outcome, satisfaction in COMPLAINTS:
            conn.execute(
                complaints_table.insert(),
                {
                    "id": receipt,
                    "channel": "phone",
                    "received_at": local(f"{received} 10:00"),
                    "received_on": received,
                    "taken_by": "manager:M001",
                    "subject_window": 1,
                    "subject_staff": "S001",
                    "summary": "-",
                    "contact": "-",
                    "due_on": due,
                    "status": status,
                    "replied_on": replied,
                    "outcome": outcome,
                    "satisfaction": satisfaction,
                    "updated_at": local(f"{received} 10:00"),
                },
            )
        for staff, day, answer in ENQUIRIES:
            conn.execute(
                enquiries_table.insert(),
                {
                    "ts": local(f"{day} 10:00"),
                    "day": day,
                    "staff_id": staff,
                    "channel": "in_person",
                    "topic": "办事指南",
                    "answer": answer,
                    "note": "",
                },
            )
        for day, answer_s in HELP:
            ts = local(f"{day} 10:00")
            conn.execute(
                help_requests_table.insert(),
                {
                    "terminal": "kiosk-1",
                    "ts": ts,
                    "day": day,
                    "hour": 10,
                    "acknowledged_by": "S001" if answer_s else None,
                    "acknowledged_at": ts + answer_s if answer_s else None,
                    "answer_s": answer_s,
                },
            )
        for leader, when in VISITS:
            conn.execute(
                leader_visits_table.insert(),
                {"leader_id": leader, "ts": local(when), "day": when[:10], "method": "pin"},
            )
    engine.dispose()
