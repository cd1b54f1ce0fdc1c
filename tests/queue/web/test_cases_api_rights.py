"""Who may do what in the case register: departments, 把关权, managers, other roles."""

from __future__ import annotations

import pytest

from tests.queue.cases.case_helpers import APPLICANT_ID, case_body, register_config, served_ticket
from tests.support import Daemon


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    from tests.support import new_daemon

    d = new_daemon(tmp_path_factory.mktemp("rights"), register_config()).start()
    yield d
    d.close_clients()
    d.stop()


@pytest.fixture(scope="module")
def opened(hall: Daemon) -> dict:
    clerk = hall.staff("S001", 1)
    r = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"]))
    assert r.status_code == 201, r.text
    return r.json()


def test_other_roles_are_refused_everywhere(hall: Daemon, opened: dict) -> None:
    receipt = opened["receipt"]
    for token in ("display-token-1", "kiosk-token-1"):
        api = hall.api(token)
        assert api.get("/cases").status_code == 403
        assert api.get(f"/cases/{receipt}").status_code == 403
        assert api.post(f"/cases/{receipt}/accept", {}).status_code == 403
        r = api.post("/cases", case_body("x"))
        assert r.status_code == 403 and r.json()["error"]["message_en"].startswith(f"A {token[:5]}")
    assert hall.api(None).get("/cases").status_code == 401


def test_a_clerk_of_another_department_is_refused(hall: Daemon, opened: dict) -> None:
    receipt = opened["receipt"]
    other = hall.staff("S003", 3)  # 不动产登记中心's chief
    r = other.get(f"/cases/{receipt}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert other.post(f"/cases/{receipt}/accept", {}).status_code == 403
    assert other.post(f"/cases/{receipt}/reject", {"reason": "x", "basis": "y"}).status_code == 403
    assert other.get("/cases", params={"department": "scjg"}).status_code == 403
    assert receipt not in [c["receipt"] for c in other.get("/cases").json()["cases"]]
    nobody = hall.staff("S002", 2)  # window 2: no department
    ticket = served_ticket(hall, nobody, 2)
    r = nobody.post("/cases", case_body(ticket["id"]))  # a 市场监督管理局 matter
    assert r.status_code == 403
    nobody.post("/windows/2/finish", {"case_type": "即办件"})
    assert nobody.post("/staff/logout").status_code == 200
    mine = hall.staff("S001", 1)
    listed = mine.get("/cases", params={"department": "scjg"}).json()["cases"]
    assert receipt in [c["receipt"] for c in listed]
    assert all("applicant" not in c for c in listed)  # lists never carry personal data


def test_only_the_chief_or_deputy_refuses_and_extends(hall: Daemon) -> None:
    chief, member = hall.staff("S001", 1), hall.staff("SB", 2)
    receipt = chief.post("/cases", case_body(served_ticket(hall, chief, 1)["id"])).json()["receipt"]
    r = member.post(f"/cases/{receipt}/reject", {"reason": "不符合条件", "basis": "《食品安全法》"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "gatekeeping"
    assert "首席代表" in r.json()["error"]["message"]
    assert member.post(f"/cases/{receipt}/accept", {}).json()["status"] == "accepted"  # 即办权
    manager = hall.api("manager-token-1")
    assert manager.post(f"/cases/{receipt}/extend", {"days": 1, "reason": "x"}).status_code == 403
    assert manager.get(f"/cases/{receipt}").json()["applicant"]["id_number"] == APPLICANT_ID
    r = chief.post(f"/cases/{receipt}/reject", {"reason": "不符合条件"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["basis"]
    refused = chief.post(
        f"/cases/{receipt}/reject", {"reason": "不符合条件", "basis": "《食品安全法》第三十五条"}
    ).json()
    assert refused["status"] == "rejected" and refused["notice"] == "refusal"
    assert refused["rejection"] == {"reason": "不符合条件", "basis": "《食品安全法》第三十五条"}
    assert refused["clock"]["state"] == "finished"
    r = chief.post(f"/cases/{receipt}/accept", {})
    assert r.status_code == 409 and "不予受理" in r.json()["error"]["message"]


def test_a_manager_takes_the_other_actions_as_manager(hall: Daemon) -> None:
    clerk = hall.staff("S001", 1)
    receipt = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()["receipt"]
    manager = hall.api("manager-token-1")
    done = manager.post(f"/cases/{receipt}/accept", {}).json()
    assert done["history"][-1]["actor"] == "manager:mgr-t"
    assert receipt in [c["receipt"] for c in manager.get("/cases").json()["cases"]]


def test_the_ticket_must_be_the_windows(hall: Daemon) -> None:
    clerk = hall.staff("S001", 1)
    ticket = served_ticket(hall, clerk, 1)
    assert clerk.post("/windows/1/finish", {"case_type": "承诺件"}).status_code == 200
    r = clerk.post("/cases", case_body(ticket["id"]))  # finished last here: still fine
    assert r.status_code == 201
    waiting = hall.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    r = clerk.post("/cases", case_body(waiting["id"]))
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_your_ticket"
    r = clerk.post("/cases", case_body("nope"))
    assert r.status_code == 404


def test_bad_bodies_are_clear_4xx(hall: Daemon, opened: dict) -> None:
    clerk = hall.staff("S001", 1)
    ticket_id = served_ticket(hall, clerk, 1)["id"]
    bad = case_body(ticket_id)
    bad["applicant"]["id_number"] = APPLICANT_ID[:17] + ("0" if APPLICANT_ID[17] != "0" else "1")
    assert clerk.post("/cases", bad).json()["error"]["code"] == "bad_id_number"
    r = clerk.post("/cases", case_body(ticket_id, matter="NOPE-1"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_matter"
    r = clerk.post("/cases", case_body(ticket_id, kind="快件"))
    assert r.status_code == 422
    r = clerk.post(f"/cases/{opened['receipt']}/explode", {})
    assert r.status_code == 422
    r = clerk.post(f"/cases/{opened['receipt']}/extend", {"days": 0, "reason": "x"})
    assert r.status_code == 422
    assert clerk.get("/cases/ZZ0099999999").status_code == 404
    r = clerk.get("/cases", params={"due": "purple"})
    assert r.status_code == 422
    # A missing mandatory material: opened as 补正 with the correction notice.
    materials = [{"name": "营业执照", "mandatory": True, "present": False}]
    back = clerk.post("/cases", case_body(ticket_id, materials=materials)).json()
    assert back["status"] == "returned" and back["notice"] == "correction"
    assert back["case"]["missing"] == ["营业执照"] and back["promised_date"] is None


def test_case_events_go_to_staff_and_managers_only(hall: Daemon) -> None:
    """``case.changed`` carries a summary without personal data; displays and kiosks never get it."""
    from hall.queue.core.writer import Event
    from hall.queue.web.api.events import visible
    from tests.sse import SseReader

    clerk = hall.staff("S001", 1)
    receipt = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()["receipt"]
    stream = SseReader(hall.base, "manager-token-1", last_id=0)
    try:
        while True:
            got = stream.next_of("case.changed")
            if got.data["case"]["receipt"] == receipt:
                break
    finally:
        stream.close()
    assert got.data["case"]["status"] == "received" and got.data["case"]["department"] == "scjg"
    assert APPLICANT_ID not in str(got.data) and "王小明" not in str(got.data)
    ev = Event("case.changed", {"case": {"receipt": receipt}}, 0.0)
    assert visible("staff", ev) is ev and visible("manager", ev) is ev
    assert visible("display", ev) is None and visible("kiosk", ev) is None
