"""请假 and 顶岗 against a real daemon over HTTP: working half-days, who approves, the cover.

The test hall (tests/support/config.py) with today, Tuesday 2026-06-02 (the tests'
clock), a working day, and one department: 不动产 ``bdc`` with windows 3-4, chief S004,
member S003. Dates are worked out by hand in the comments (2026 calendar:
hall/data/holidays/2026.yaml).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import Daemon, hall_config

MANAGER, KIOSK, DISPLAY = "manager-token-1", "kiosk-token-1", "display-token-1"


def leave_config() -> dict[str, Any]:
    """The test hall with today a working day and the department bdc."""
    cfg = hall_config()
    cfg["hall"]["hours"]["closed_dates"] = []  # Tuesday 2026-06-02 is a working day here
    cfg["departments"] = [
        {
            "code": "bdc",
            "name_zh": "不动产登记中心",
            "name_en": "Real Estate Registration Center",
            "windows": [3, 4],
            "chief": "S004",
            "members": ["S003"],
        }
    ]
    return cfg


@pytest.fixture
def d(make_daemon: Callable[..., Daemon]) -> Daemon:
    return make_daemon(leave_config())


def ask(api, staff_id: str, start: str, end: str, **extra: Any):
    """POST /leave from ``start`` to ``end`` ("2026-06-04 pm"), kind 事假."""
    (sd, sh), (ed, eh) = start.split(), end.split()
    body = {"staff_id": staff_id, "start_day": sd, "start_half": sh, "end_day": ed}
    return api.post("/leave", {**body, "end_half": eh, "kind": "事假", **extra})


def leave_events(d: Daemon, leave_id: int) -> list[tuple[str, str]]:
    """The stored ``leave.*`` events of one request: (type, by)."""
    db = sqlite3.connect(d.data_dir / "hall.sqlite3")
    try:
        rows = db.execute("SELECT type, data FROM events WHERE type LIKE 'leave.%' ORDER BY id")
        found = [(t, json.loads(data)) for t, data in rows]
    finally:
        db.close()
    return [(t, data["by"]) for t, data in found if data["id"] == leave_id]


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # Tue 06-02 am .. Tue 06-02 am: one morning.
        ("2026-06-02 am", "2026-06-02 am", 0.5),
        # Thu 06-18 whole (2), Fri 06-19 端午节, Sat-Sun off, Mon 06-22 am (1): 3 halves.
        ("2026-06-18 am", "2026-06-22 am", 1.5),
        # Wed 09-30 pm (1), 10-01..10-07 国庆节, Thu 10-08 (2), Fri 10-09 (2): 5 halves.
        ("2026-09-30 pm", "2026-10-09 pm", 2.5),
        # Sat 10-10 is a make-up working day (调休): the whole day, 2 halves.
        ("2026-10-10 am", "2026-10-10 pm", 1.0),
    ],
)
def test_days_are_working_half_days_of_the_hall_calendar(d: Daemon, start, end, days) -> None:
    r = ask(d.api(MANAGER), "S001", start, end)
    assert r.status_code == 201, r.text
    assert r.json()["days"] == days and r.json()["status"] == "requested"
    assert r.json()["requested_by"] == "manager:mgr-t"


def test_impossible_periods_are_refused_in_both_languages(d: Daemon) -> None:
    manager = d.api(MANAGER)
    # Sat 06-06 and Sun 06-07: no working half-day.
    r = ask(manager, "S001", "2026-06-06 am", "2026-06-07 pm")
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_working_days"
    r = ask(manager, "S001", "2026-06-05 pm", "2026-06-05 am")  # ends before it starts
    assert r.status_code == 422 and r.json()["error"]["code"] == "leave_dates"
    assert r.json()["error"]["message"] and r.json()["error"]["message_en"]
    r = ask(manager, "S001", "2027-01-04 am", "2027-01-04 pm")  # no 2027 table yet
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_calendar"
    r = ask(manager, "S001", "2026-06-05 am", "2027-06-07 pm")  # more than a year
    assert r.status_code == 422 and r.json()["error"]["code"] == "leave_dates"
    r = ask(manager, "S999", "2026-06-05 am", "2026-06-05 pm")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_staff"
    assert ask(manager, "S001", "2026-06-05 am", "2026-06-05 pm").status_code == 201
    r = ask(manager, "S001", "2026-06-05 pm", "2026-06-08 am")  # Friday afternoon again
    assert r.status_code == 409 and r.json()["error"]["code"] == "leave_overlaps"


def test_three_days_need_a_cover_who_is_not_on_leave_the_same_days(d: Daemon) -> None:
    manager = d.api(MANAGER)
    # Mon 06-08 .. Wed 06-10: three working days.
    r = ask(manager, "S001", "2026-06-08 am", "2026-06-10 pm")
    assert r.status_code == 422 and r.json()["error"]["code"] == "cover_required"
    assert "顶岗" in r.json()["error"]["message"]
    # Mon 06-08 .. Wed 06-10 am: two and a half days, no cover needed.
    assert ask(manager, "S005", "2026-06-08 am", "2026-06-10 am").status_code == 201
    # S002 asks for Wednesday afternoon off: not a cover for those days.
    assert ask(manager, "S002", "2026-06-10 pm", "2026-06-10 pm").status_code == 201
    r = ask(manager, "S001", "2026-06-08 am", "2026-06-10 pm", cover_staff="S002")
    assert r.status_code == 409 and r.json()["error"]["code"] == "cover_on_leave"
    r = ask(manager, "S001", "2026-06-08 am", "2026-06-10 pm", cover_staff="S001")
    assert r.status_code == 422 and r.json()["error"]["code"] == "cover_is_self"
    r = ask(manager, "S001", "2026-06-08 am", "2026-06-10 pm", cover_staff="S004")
    assert r.status_code == 201 and r.json()["cover_name"] == "员工4"
    assert r.json()["approver"] == "manager"
    # The cover cannot then take Tuesday 06-09 off.
    r = ask(manager, "S004", "2026-06-09 am", "2026-06-09 am")
    assert r.status_code == 409 and r.json()["error"]["code"] == "is_cover"
    assert ask(manager, "S004", "2026-06-11 am", "2026-06-11 am").status_code == 201  # Thursday


def test_half_a_day_by_the_department_head_longer_by_a_manager(d: Daemon) -> None:
    s3, s4, s1 = d.staff("S003", 3), d.staff("S004", 4), d.staff("S001", 1)
    half = ask(s3, "S003", "2026-06-04 pm", "2026-06-04 pm")  # Thursday afternoon
    assert half.status_code == 201 and half.json()["approver"] == "department_head"
    whole = ask(s3, "S003", "2026-06-05 am", "2026-06-05 pm").json()  # Friday: a manager's
    assert ask(s3, "S001", "2026-06-11 am", "2026-06-11 am").status_code == 403  # not for others
    hid, wid = half.json()["id"], whole["id"]

    for who in (s3, s1, d.api(KIOSK), d.api(DISPLAY)):  # own, not a head, devices
        r = who.post(f"/leave/{hid}/approve")
        assert r.status_code == 403, r.text
        assert who.post(f"/leave/{hid}/refuse").status_code == 403
    assert s4.post(f"/leave/{wid}/approve").status_code == 403  # a head: half a day only
    r = ask(d.api(KIOSK), "S003", "2026-06-11 am", "2026-06-11 am")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert d.api(KIOSK).get("/leave").status_code == 403

    # What each clerk sees: the head the department's, a member only their own.
    mine = {r["id"]: r for r in s4.get("/leave").json()["requests"]}
    assert mine[hid]["may_decide"] is True and mine[wid]["may_decide"] is False
    assert {r["staff_id"] for r in s1.get("/leave").json()["requests"]} == set()
    assert {r["id"] for r in s3.get("/leave").json()["requests"]} == {hid, wid}

    r = s4.post(f"/leave/{hid}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["decided_by"] == "S004" and "同意" in r.json()["note"]
    assert s4.post(f"/leave/{hid}/refuse").status_code == 409  # decided already
    r = d.api(MANAGER).post(f"/leave/{wid}/refuse", {"note": "窗口人手不足"})
    assert r.json()["status"] == "refused" and r.json()["decided_by"] == "manager:mgr-t"

    # Cancelling: the clerk their own (approved too), never someone else's.
    assert s1.post(f"/leave/{hid}/cancel").status_code == 403
    r = s3.post(f"/leave/{hid}/cancel", {"note": "不需要了"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["note"].splitlines() == ["approved S004: 同意", "cancelled S003: 不需要了"]
    # Every step is an event stored with it: who did what, in order.
    assert leave_events(d, hid) == [
        ("leave.requested", "S003"),
        ("leave.approved", "S004"),
        ("leave.cancelled", "S003"),
    ]
    month = d.api(MANAGER).get("/leave?month=2026-06").json()["requests"]
    assert [(r["id"], r["status"]) for r in month] == [(wid, "refused"), (hid, "cancelled")]
    assert d.api(MANAGER).get("/leave?month=2026-07").json()["requests"] == []


def test_the_cover_opens_the_clerks_window_only_during_approved_leave(d: Daemon) -> None:
    manager, api = d.api(MANAGER), d.api(None)
    login = lambda staff, window: api.post(  # noqa: E731
        "/staff/login", {"staff_id": staff, "pin": "2468", "window": window}
    )
    # S001 (window 1) is away Tue 06-02 .. Thu 06-04, three days: S003 covers.
    now = ask(manager, "S001", "2026-06-02 am", "2026-06-04 pm", cover_staff="S003").json()
    # S002 (window 2) is away next week, Mon 06-08 .. Wed 06-10: S003 covers too.
    later = ask(manager, "S002", "2026-06-08 am", "2026-06-10 pm", cover_staff="S003").json()
    r = login("S003", 1)
    assert r.status_code == 403, r.text  # not approved yet
    assert manager.post(f"/leave/{now['id']}/approve").status_code == 200
    assert manager.post(f"/leave/{later['id']}/approve").status_code == 200

    r = login("S003", 1)
    assert r.status_code == 200, r.text
    assert r.json()["covering"] == {"leave_id": now["id"], "for": "S001"}
    assert r.json()["window"]["staff_id"] == "S003"
    assert login("S003", 2).status_code == 403  # S002's leave is next week
    assert login("S004", 1).status_code == 403  # not the cover
    own = login("S003", 3)  # their own window: no cover involved
    assert own.status_code == 200 and own.json()["covering"] is None

    # Cancelled leave: the cover is no longer let in.
    assert manager.post(f"/leave/{now['id']}/cancel").status_code == 200
    assert login("S003", 1).status_code == 403


def test_attendance_shows_approved_leave_not_absence(d: Daemon) -> None:
    manager = d.api(MANAGER)
    # Today, Tuesday 06-02, at 10:00: nobody has checked in; 09:00 + 30 min has passed.
    approved = ask(manager, "S001", "2026-06-02 am", "2026-06-02 pm").json()
    refused = ask(manager, "S002", "2026-06-02 am", "2026-06-02 pm").json()
    half = ask(manager, "S003", "2026-06-02 pm", "2026-06-02 pm", kind="病假").json()
    assert manager.post(f"/leave/{approved['id']}/approve").status_code == 200
    assert manager.post(f"/leave/{refused['id']}/refuse").status_code == 200
    assert manager.post(f"/leave/{half['id']}/approve").status_code == 200

    daily = {r["staff_id"]: r for r in manager.get("/attendance/daily").json()["staff"]}
    assert (daily["S001"]["status"], daily["S001"]["leave"]) == ("leave", "事假")
    assert (daily["S003"]["status"], daily["S003"]["leave"]) == ("leave", "病假")
    assert daily["S002"]["status"] == "absent" and daily["S002"]["leave"] is None
    monthly = manager.get("/attendance/monthly?month=2026-06").json()["staff"]
    counts = {p["staff_id"]: p["counts"] for p in monthly}
    # June 1 (Mon) and June 2 (Tue) so far, no check-ins: Monday absent for everyone.
    assert counts["S001"] == {"absent": 1, "leave": 1}
    assert counts["S002"] == {"absent": 2}
