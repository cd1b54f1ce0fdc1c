"""Helpers of the register's tests: a hall with departments, a served ticket, the clock moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support import TZ, Api, Daemon, hall_config, make_id, now

APPLICANT_ID = make_id("11010519800101123")
OTHER_ID = make_id("11010519900202456")

#: 市场监督管理局 at window 1 (chief S001, B岗 SB a member), 不动产 at windows 3-4
#: (chief S003, deputy S004); window 2 (S002) and window 5 belong to no department.
DEPARTMENTS = [
    {
        "code": "scjg",
        "name_zh": "市场监督管理局",
        "name_en": "Administration for Market Regulation",
        "matters": ["SJ-DJ-001", "SJ-SP-001"],
        "windows": [1],
        "chief": "S001",
        "members": ["SB"],
    },
    {
        "code": "bdc",
        "name_zh": "不动产登记中心",
        "name_en": "Real Estate Registration Center",
        "matters": ["BDC-BF-001", "BDC-ZY-001"],
        "windows": [3, 4],
        "chief": "S003",
        "deputy": "S004",
    },
]


def register_config(**overrides: Any) -> dict[str, Any]:
    """The test hall with departments (and ``cases:`` as given)."""
    return hall_config(**{"departments": DEPARTMENTS, **overrides})


def served_ticket(daemon: Daemon, staff: Api, window: int, service: str = "general") -> dict:
    """Issue a ticket and call it to ``window``: the ticket the clerk is serving.

    A ticket still at the window is finished first (a module's daemon serves many).
    """
    staff.post(f"/windows/{window}/finish", {"case_type": "承诺件"})  # 409 when idle: fine
    r = daemon.api("kiosk-token-1").post("/tickets", {"service": service})
    assert r.status_code == 201, r.text
    r = staff.post(f"/windows/{window}/call")
    assert r.status_code == 200, r.text
    return r.json()


def case_body(ticket_id: str, matter: str = "SJ-SP-001", **kw: Any) -> dict[str, Any]:
    """A counter case: every mandatory material present unless ``materials`` says otherwise."""
    body = {
        "ticket_id": ticket_id,
        "matter": matter,
        "applicant": {"name": "王小明", "id_number": APPLICANT_ID, "phone": "13912345678"},
        "materials": [
            {"name": "食品经营许可申请书", "mandatory": True, "present": True},
            {"name": "营业执照", "mandatory": True, "present": True},
        ],
    }
    body.update(kw)
    return body


def move_to(daemon: Daemon, day: dt.date, hour: int = 10) -> None:
    """Restart ``daemon`` with its injected clock at ``day`` ``hour``:00 hall time."""
    daemon.stop()
    target = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    daemon.shift_s = (target - now()).total_seconds()
    daemon.start()
