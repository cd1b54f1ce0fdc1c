"""Window operations over real HTTP: policy, transfer, no-show, pause, AB roles, rights."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import Api, Daemon, hall_config


def issue(kiosk: Api, service: str = "general", **kw) -> dict:
    r = kiosk.post("/tickets", {"service": service, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def call(staff: Api, window: int) -> dict:
    r = staff.post(f"/windows/{window}/call")
    assert r.status_code == 200, r.text
    return r.json()


def finish(staff: Api, window: int, case_type: str = "即办件") -> dict:
    r = staff.post(f"/windows/{window}/finish", {"case_type": case_type})
    assert r.status_code == 200, r.text
    return r.json()


def test_call_fifo_then_finish_with_case_type(daemon: Daemon, kiosk: Api) -> None:
    a1, a2 = issue(kiosk), issue(kiosk)
    staff = daemon.staff("S002", 2)
    called = call(staff, 2)
    assert called["number"] == a1["number"] and called["status"] == "called"
    assert called["window"] == 2
    r = staff.post("/windows/2/call")
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_busy"
    assert staff.post("/windows/2/start").json()["status"] == "serving"
    done = finish(staff, 2, "承诺件")
    assert done["status"] == "finished" and done["case_type"] == "承诺件"
    assert call(staff, 2)["id"] == a2["id"]
    r = staff.post("/windows/2/finish", {"case_type": "随便"})
    assert r.status_code == 422 and "case_type" in r.json()["error"]["message_en"]
    finish(staff, 2)
    r = staff.post("/windows/2/call")
    assert r.status_code == 409 and r.json()["error"]["code"] == "queue_empty"


def test_window_calls_only_its_services(daemon: Daemon, kiosk: Api) -> None:
    issue(kiosk, "vip")
    other = issue(kiosk, "other")
    staff = daemon.staff("S003", 3)
    assert call(staff, 3)["id"] == other["id"]


def test_priority_first_with_starvation_bound(daemon: Daemon, kiosk: Api) -> None:
    ordinary = [issue(kiosk) for _ in range(2)]
    priority = [issue(kiosk, priority=True) for _ in range(5)]
    staff = daemon.staff("S002", 2)
    order = []
    for _ in range(7):
        order.append(call(staff, 2)["id"])
        finish(staff, 2)
    p, o = [t["id"] for t in priority], [t["id"] for t in ordinary]
    # max_consecutive_priority = 3: three priority, then the oldest ordinary one.
    assert order == [p[0], p[1], p[2], o[0], p[3], p[4], o[1]]


def test_appointment_in_slot_before_priority(daemon: Daemon, kiosk: Api, manager: Api) -> None:
    now = daemon.now()
    slot = {
        "service": "general",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=30)).isoformat(),
    }
    code = manager.post("/appointments", slot).json()["code"]
    first = issue(kiosk)
    prio = issue(kiosk, priority=True)
    appt = issue(kiosk, appointment_code=code)
    assert appt["ahead"] == 0
    staff = daemon.staff("S002", 2)
    got = []
    for _ in range(3):
        got.append(call(staff, 2)["id"])
        finish(staff, 2)
    assert got == [appt["id"], prio["id"], first["id"]]


def test_recall_no_show_and_requeue(daemon: Daemon, kiosk: Api) -> None:
    t1, t2 = issue(kiosk), issue(kiosk)
    staff = daemon.staff("S002", 2)
    call(staff, 2)
    assert staff.post("/windows/2/recall").json()["recalls"] == 1
    assert staff.post("/windows/2/recall").json()["recalls"] == 2
    ns = staff.post("/windows/2/no-show").json()
    assert ns["status"] == "no_show" and ns["id"] == t1["id"]
    assert call(staff, 2)["id"] == t2["id"]
    finish(staff, 2)
    r = staff.post("/windows/2/requeue", {"number": "A999"})
    assert r.status_code == 404
    back = staff.post("/windows/2/requeue", {"number": t1["number"].lower()}).json()
    assert back["status"] == "waiting" and back["id"] == t1["id"]
    assert call(staff, 2)["id"] == t1["id"]
    staff.post("/windows/2/start")
    r = staff.post("/windows/2/no-show")
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_serving"


def test_transfer_keeps_original_issue_time(daemon: Daemon, kiosk: Api) -> None:
    early = issue(kiosk, "general")
    later_other = [issue(kiosk, "other") for _ in range(2)]
    staff2 = daemon.staff("S002", 2)
    assert call(staff2, 2)["id"] == early["id"]
    r = staff2.post("/windows/2/transfer", {"service": "general"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "same_service"
    r = staff2.post("/windows/2/transfer", {"service": "missing"})
    assert r.status_code == 404
    moved = staff2.post("/windows/2/transfer", {"service": "other"}).json()
    assert moved["service"] == "other" and moved["number"] == early["number"]
    assert moved["issued_at"] == early["issued_at"] and moved["transferred_from"] == early["id"]
    old = kiosk.get(f"/tickets/{early['id']}").json()
    assert old["status"] == "transferred" and old["transferred_to"] == moved["id"]
    # Issued before the two "other" tickets, so it is called first at window 3.
    staff3 = daemon.staff("S003", 3)
    assert call(staff3, 3)["id"] == moved["id"]
    finish(staff3, 3)
    assert call(staff3, 3)["id"] == later_other[0]["id"]
    # The transferred copy does not take a number from the target's sequence.
    assert issue(kiosk, "other")["number"] == "C003"


def test_pause_and_resume(daemon: Daemon, kiosk: Api) -> None:
    issue(kiosk)
    staff = daemon.staff("S002", 2)
    assert staff.post("/windows/2/pause").json()["state"] == "paused"
    r = staff.post("/windows/2/call")
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_paused"
    assert staff.post("/windows/2/pause").status_code == 409
    assert staff.post("/windows/2/resume").json()["state"] == "open"
    call(staff, 2)
    r = staff.post("/windows/2/pause")
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_busy"


def test_rights_kiosk_cannot_call_and_staff_only_own_window(
    daemon: Daemon, kiosk: Api, manager: Api
) -> None:
    issue(kiosk, "other")
    issue(kiosk, "other")
    r = kiosk.post("/windows/3/call")
    assert r.status_code == 403
    assert daemon.api("display-token-1").post("/windows/3/call").status_code == 403
    staff3 = daemon.staff("S003", 3)
    daemon.staff("S004", 4)
    r = staff3.post("/windows/4/call")
    assert r.status_code == 403 and "3号窗口" in r.json()["error"]["message"]
    assert call(staff3, 3)["window"] == 3
    assert manager.post("/windows/4/call").json()["window"] == 4  # managers may do anything
    r = manager.post("/windows/5/call")
    assert r.status_code == 409 and r.json()["error"]["code"] == "window_closed"
    assert manager.post("/windows/77/call").status_code == 404


def test_staff_not_assigned_and_logout(daemon: Daemon) -> None:
    anon = daemon.api(None)
    r = anon.post("/staff/login", {"staff_id": "S001", "pin": "2468", "window": 2})
    assert r.status_code == 403
    staff = daemon.staff("S002", 2)
    assert staff.post("/staff/logout").json()["window"]["state"] == "closed"
    r = staff.post("/windows/2/call")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"


@pytest.mark.parametrize("primary_first", [True, False])
def test_ab_roles(daemon: Daemon, kiosk: Api, primary_first: bool) -> None:
    """B covers a window when A is away; A takes it back; nobody displaces A."""
    anon = daemon.api(None)
    if primary_first:
        daemon.staff("S001", 1)
        r = anon.post("/staff/login", {"staff_id": "SB", "pin": "2468", "window": 1})
        assert r.status_code == 409 and r.json()["error"]["code"] == "window_taken"
    else:
        backup = daemon.staff("SB", 1)
        issue(kiosk)
        call(backup, 1)
        busy = anon.post("/staff/login", {"staff_id": "S001", "pin": "2468", "window": 1})
        assert busy.status_code == 409  # a citizen is at the window
        finish(backup, 1)
        primary = daemon.staff("S001", 1)  # A takes the window back
        assert backup.post("/windows/1/call").status_code == 401
        windows = {w["number"]: w for w in primary.get("/windows").json()}
        assert windows[1]["staff_id"] == "S001" and windows[1]["state"] == "open"


def test_staff_moving_windows_closes_the_old_one(daemon: Daemon) -> None:
    first = daemon.staff("SB", 1)
    daemon.staff("SB", 2)
    windows = {w["number"]: w for w in daemon.api("manager-token-1").get("/windows").json()}
    assert windows[1]["state"] == "closed" and windows[2]["staff_id"] == "SB"
    assert first.post("/windows/1/call").status_code == 401


def test_window_queue_in_calling_order(daemon: Daemon, kiosk: Api) -> None:
    a = issue(kiosk)
    b = issue(kiosk, "vip", priority=True)
    q = daemon.api("display-token-1").get("/windows/1/queue").json()
    assert [t["id"] for t in q] == [b["id"], a["id"]]
    assert daemon.api("display-token-1").get("/windows/99/queue").status_code == 404


def test_lunch_closed_service_still_callable(make_daemon) -> None:
    """Tickets already issued are called whatever the issuing hours say."""
    cfg = hall_config()
    d = make_daemon(cfg)
    kiosk = d.api("kiosk-token-1")
    issue(kiosk, "capped")
    staff = d.staff("S005", 5)
    assert call(staff, 5)["number"] == "D001"
