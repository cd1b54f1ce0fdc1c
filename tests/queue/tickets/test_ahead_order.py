"""People ahead and the wait range from the windows' real calling order (issue 11).

Windows 1-3 call both 综合受理 (A) and 企业开办 (B), as in the demo hall; window
6 calls only A. Every service has the same default service time, so windows
free at the same moments and take turns in window order.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.queue.tickets.test_api_calling import call, issue
from tests.support import Api, Daemon, hall_config

WINDOWS = [
    {"number": 1, "services": ["general", "vip"]},
    {"number": 2, "services": ["general", "vip"]},
    {"number": 3, "services": ["general", "vip"]},
    {"number": 4, "services": ["other"]},
    {"number": 5, "services": ["capped", "daytime"]},
    {"number": 6, "services": ["general"]},
]


@pytest.fixture
def hall(make_daemon) -> Daemon:
    cfg = hall_config(windows=WINDOWS)
    cfg["staff"][3]["windows"] = [4, 6]  # S004 may also sit at window 6
    return make_daemon(cfg)


@pytest.fixture
def kiosk(hall: Daemon) -> Api:
    return hall.api("kiosk-token-1")


def same_everywhere(hall: Daemon, kiosk: Api, ticket: dict) -> dict:
    """The issue answer, GET /tickets/{id} and the phone page's view agree."""
    got = kiosk.get(f"/tickets/{ticket['id']}").json()
    for key in ("ahead", "est_wait_s", "est_wait_range_s"):
        assert got[key] == ticket[key], (key, got, ticket)
    low, high = ticket["est_wait_range_s"]
    assert isinstance(low, int) and isinstance(high, int)
    assert low <= ticket["est_wait_s"] <= high
    return got


def test_a_b_ticket_sees_the_a_tickets_its_windows_call_first(hall: Daemon, kiosk: Api) -> None:
    hall.staff("S001", 1)
    a1, a2 = issue(kiosk), issue(kiosk)
    b1 = issue(kiosk, "vip")
    a3 = issue(kiosk)
    b2 = issue(kiosk, "vip")
    # Window 1 calls A1 A2 B1 A3, then B2: four ahead, not one (the same-service count).
    assert b2["ahead"] == 4
    same_everywhere(hall, kiosk, b2)
    assert [a1["ahead"], a2["ahead"], b1["ahead"], a3["ahead"]] == [0, 1, 2, 3]
    low, high = b2["est_wait_range_s"]
    assert low < b2["est_wait_s"] < high  # four cases ahead: uncertain
    # Window 6 (A only) opens: it takes every other A ticket, so B2 waits for fewer.
    s6 = hall.staff("S004", 6)
    assert kiosk.get(f"/tickets/{b2['id']}").json()["ahead"] == 2  # window 1: A1, B1
    # Paused, it calls nobody: back to four.
    assert s6.post("/windows/6/pause").status_code == 200
    assert kiosk.get(f"/tickets/{b2['id']}").json()["ahead"] == 4


def test_priority_and_the_starvation_bound(hall: Daemon, kiosk: Api) -> None:
    hall.staff("S002", 2)
    ordinary = issue(kiosk)
    p = [issue(kiosk, "vip" if i % 2 else "general", priority=True) for i in range(4)]
    # Priority first across both services; after three in a row the ordinary one.
    assert [t["ahead"] for t in p] == [0, 1, 2, 4]
    assert kiosk.get(f"/tickets/{ordinary['id']}").json()["ahead"] == 3
    order = []
    staff = hall.staff("S001", 1)
    hall.api("manager-token-1").post("/windows/2/pause")  # one window calls, as played
    for _ in range(5):
        order.append(call(staff, 1)["id"])
        assert staff.post("/windows/1/finish", {"case_type": "即办件"}).status_code == 200
    assert order == [p[0]["id"], p[1]["id"], p[2]["id"], ordinary["id"], p[3]["id"]]


def test_an_appointment_in_its_slot_goes_first(hall: Daemon, kiosk: Api) -> None:
    hall.staff("S001", 1)
    issue(kiosk, "vip", priority=True)
    issue(kiosk)
    now = hall.now()
    slot = {
        "service": "general",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=30)).isoformat(),
    }
    code = hall.api("manager-token-1").post("/appointments", slot).json()["code"]
    appt = issue(kiosk, appointment_code=code)
    assert appt["ahead"] == 0 and appt["est_wait_range_s"] == [0, 0]  # a free window: certain
    assert appt["est_wait_s"] == 0
    later = issue(kiosk, "vip")
    assert later["ahead"] == 3


def test_the_range_when_nobody_is_ahead_but_the_window_is_busy(hall: Daemon, kiosk: Api) -> None:
    staff = hall.staff("S001", 1)
    issue(kiosk, "vip")
    call(staff, 1)  # window 1 is busy with it
    nxt = issue(kiosk)
    assert nxt["ahead"] == 0
    low, high = nxt["est_wait_range_s"]
    assert low == 0 < high  # it may finish now, or after a long case
    same_everywhere(hall, kiosk, nxt)


def test_before_any_window_opens_the_configured_ones_are_assumed(kiosk: Api) -> None:
    first = issue(kiosk, "vip")
    second = issue(kiosk, "vip")
    assert (first["ahead"], second["ahead"]) == (0, 1)
    assert first["est_wait_range_s"][0] < first["est_wait_range_s"][1]  # nobody there yet
