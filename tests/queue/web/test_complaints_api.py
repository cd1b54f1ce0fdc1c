"""The 投诉 routes: who may lodge, read and act; the citizen's follow-up; overdue; limits."""

from __future__ import annotations

import pytest

from tests.support import Daemon, new_daemon
from tests.support.config import hall_config

PHONE = {"channel": "phone", "summary": "窗口人员态度生硬", "subject_window": 1}
ABOUT_S001 = {**PHONE, "subject_staff": "S001", "contact": {"name": "张三", "phone": "13912345678"}}


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    d = new_daemon(tmp_path_factory.mktemp("complaints")).start()
    yield d
    d.close_clients()
    d.stop()


@pytest.fixture(scope="module")
def lodged(hall: Daemon) -> dict:
    r = hall.api("manager-token-1").post("/complaints", ABOUT_S001)
    assert r.status_code == 201, r.text
    return r.json()


def test_other_roles_are_refused(hall: Daemon, lodged: dict) -> None:
    cid = lodged["id"]
    display = hall.api("display-token-1")
    for r in (
        display.post("/complaints", PHONE),
        display.get("/complaints"),
        display.get(f"/complaints/{cid}"),
        display.post(f"/complaints/{cid}/close", {}),
        display.post("/complaints/follow", {"id": cid, "key": lodged["follow_key"]}),
    ):
        assert r.status_code == 403, r.text
    kiosk = hall.api("kiosk-token-1")
    assert kiosk.post("/complaints", PHONE).status_code == 403  # only channel kiosk
    assert kiosk.get("/complaints").status_code == 403
    assert kiosk.get(f"/complaints/{cid}").status_code == 403
    assert kiosk.post(f"/complaints/{cid}/assign", {"to": "S003"}).status_code == 403
    nobody = hall.api(None)
    assert nobody.post("/complaints", PHONE).status_code == 401
    assert nobody.get("/complaints").status_code == 401


def test_a_clerk_logs_complaints_but_never_reads_them(hall: Daemon, lodged: dict) -> None:
    clerk = hall.staff("S001", 1)  # the very clerk the complaint is about
    r = clerk.post("/complaints", {**PHONE, "channel": "in_person", "subject_window": 2})
    assert r.status_code == 201 and r.json()["id"].startswith("TS20260602")
    assert clerk.get("/complaints").status_code == 403
    assert clerk.get("/complaints", params={"status": "open"}).status_code == 403
    assert clerk.get(f"/complaints/{lodged['id']}").status_code == 403
    assert clerk.post(f"/complaints/{lodged['id']}/close", {}).status_code == 403
    follow = {"id": lodged["id"], "key": lodged["follow_key"]}
    assert clerk.post("/complaints/follow", follow).status_code == 403
    mine = hall.api("manager-token-1").get(f"/complaints/{r.json()['id']}").json()
    assert mine["taken_by"] == "S001" and mine["channel"] == "in_person"


def test_a_kiosk_lodges_and_follows(hall: Daemon) -> None:
    kiosk = hall.api("kiosk-token-1")
    r = kiosk.post("/complaints", {"channel": "kiosk", "summary": "等候时间太长"})
    assert r.status_code == 201
    receipt = r.json()
    assert receipt["follow_url"].endswith(
        f"/complaint?id={receipt['id']}&k={receipt['follow_key']}"
    )
    seen = kiosk.post("/complaints/follow", {"id": receipt["id"], "key": receipt["follow_key"]})
    assert seen.status_code == 200 and seen.json()["status"] == "open"
    taken = hall.api("manager-token-1").get(f"/complaints/{receipt['id']}").json()["taken_by"]
    assert taken == "kiosk kiosk-t"


def test_the_manager_handles_it_and_the_citizen_rates_the_answer(hall: Daemon) -> None:
    manager, citizen = hall.api("manager-token-1"), hall.api(None)
    receipt = manager.post("/complaints", ABOUT_S001).json()
    cid, key = receipt["id"], receipt["follow_key"]
    # Received Tue 06-02; the test hall is closed 06-02 and 06-03: Thu 04, Fri 05, Mon 08.
    assert receipt["due_on"] == "2026-06-08"
    listed = manager.get("/complaints").json()["complaints"]
    item = next(c for c in listed if c["id"] == cid)
    assert "contact" not in item and "summary" not in item and item["overdue"] is False
    full = manager.get(f"/complaints/{cid}").json()
    assert full["contact"] == ABOUT_S001["contact"] and full["summary"] == PHONE["summary"]
    reads = manager.get("/personal-data/reads", params={"actor": "manager:mgr-t"}).json()
    assert any(r["case"] == cid and r["what"] == "complaint.view" for r in reads["reads"])
    r = manager.post(f"/complaints/{cid}/reply", {"text": "已处理"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["outcome"]
    assert manager.post(f"/complaints/{cid}/close", {}).status_code == 409
    assert manager.post(f"/complaints/{cid}/assign", {"to": "S003"}).json()["status"] == "assigned"
    follow = {"id": cid, "key": key}
    early = citizen.post("/complaints/follow", {**follow, "satisfaction": "satisfied"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "cannot_rate"
    answer = {"text": "经核实，已对该工作人员批评教育", "outcome": "substantiated"}
    assert manager.post(f"/complaints/{cid}/reply", answer).json()["status"] == "replied"
    seen = citizen.post("/complaints/follow", follow).json()
    assert seen["reply"] == answer["text"] and seen["can_rate"] is True
    assert "S001" not in str(seen) and "S003" not in str(seen) and "mgr-t" not in str(seen)
    rated = citizen.post("/complaints/follow", {**follow, "satisfaction": "basic"}).json()
    assert rated["satisfaction"] == "basic" and rated["can_rate"] is False
    again = citizen.post("/complaints/follow", {**follow, "satisfaction": "satisfied"})
    assert again.status_code == 409
    assert manager.post(f"/complaints/{cid}/close", {}).json()["status"] == "closed"
    events = manager.get(f"/complaints/{cid}").json()["events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("lodge", "manager:mgr-t"),
        ("assign", "manager:mgr-t"),
        ("reply", "manager:mgr-t"),
        ("satisfaction", "citizen"),
        ("close", "manager:mgr-t"),
    ]
    wrong = citizen.post("/complaints/follow", {"id": cid, "key": "x" * 22})
    assert wrong.status_code == 404


def test_bad_input_is_422(hall: Daemon) -> None:
    manager = hall.api("manager-token-1")
    for body in (
        {**PHONE, "subject_staff": "S999"},
        {**PHONE, "subject_window": 99},
        {**PHONE, "subject_department": "nope"},
        {**PHONE, "summary": "长" * 1001},
        {**PHONE, "channel": "fax"},
        {**PHONE, "contact": {"phone": "call me"}},
    ):
        r = manager.post("/complaints", body)
        assert r.status_code == 422, body
    assert manager.get("/complaints/TS2026").status_code == 422
    assert manager.get("/complaints/TS202606029999").status_code == 404
    assert manager.post("/complaints/TS202606029999/close", {}).status_code == 404
    assert manager.get("/complaints", params={"status": "lost"}).status_code == 422


def test_overdue_complaints_are_listed_first(make_daemon) -> None:
    d = make_daemon()
    manager = d.api("manager-token-1")
    late = manager.post("/complaints", PHONE).json()  # due 06-08, as above
    answered = manager.post("/complaints", PHONE).json()
    manager.post(
        f"/complaints/{answered['id']}/reply", {"text": "好", "outcome": "unsubstantiated"}
    )
    d.shift_s = 7 * 86400  # restarted on Tuesday 06-09: the day after late's due day
    d.restart()
    manager = d.api("manager-token-1")
    fresh = manager.post("/complaints", PHONE).json()
    listed = manager.get("/complaints").json()["complaints"]
    assert [(c["id"], c["overdue"]) for c in listed][0] == (late["id"], True)
    assert {c["id"] for c in listed[1:]} == {answered["id"], fresh["id"]}
    only = manager.get("/complaints", params={"overdue": "true"}).json()["complaints"]
    assert [c["id"] for c in only] == [late["id"]]
    assert fresh["id"].startswith("TS20260609")


def test_public_lookups_with_wrong_keys_are_limited(make_daemon) -> None:
    d = make_daemon(hall_config(supervision={"complaints": {"public_per_address": 3}}))
    receipt = d.api("manager-token-1").post("/complaints", PHONE).json()
    citizen = d.api(None)
    for _ in range(3):
        assert (
            citizen.post("/complaints/follow", {"id": receipt["id"], "key": "y" * 22}).status_code
            == 404
        )
    r = citizen.post("/complaints/follow", {"id": receipt["id"], "key": receipt["follow_key"]})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "complaints_limited"
    kiosk = d.api("kiosk-token-1")  # a kiosk is not limited by the public page's counts
    assert kiosk.post("/complaints/follow", {"id": receipt["id"], "key": receipt["follow_key"]}).ok


def test_complaint_events_reach_managers_only() -> None:
    from hall.queue.core.writer import Event
    from hall.queue.web.api.events import visible

    ev = Event(
        "complaint.changed", {"complaint": {"id": "TS202606020001", "subject_staff": "S001"}}, 0.0
    )
    assert visible("manager", ev) is ev
    for role in ("staff", "display", "kiosk"):
        assert visible(role, ev) is None, role


def test_the_manager_records_satisfaction_after_a_call_back(hall: Daemon) -> None:
    manager = hall.api("manager-token-1")
    cid = manager.post("/complaints", {**PHONE, "channel": "letter"}).json()["id"]
    r = manager.post(f"/complaints/{cid}/satisfaction", {"value": "satisfied"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "complaint_state"
    manager.post(f"/complaints/{cid}/reply", {"text": "已答复", "outcome": "unsubstantiated"})
    r = manager.post(f"/complaints/{cid}/satisfaction", {})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["value"]
    rated = manager.post(f"/complaints/{cid}/satisfaction", {"value": "unsatisfied"}).json()
    assert rated["satisfaction"] == "unsatisfied" and rated["status"] == "replied"
    last = manager.get(f"/complaints/{cid}").json()["events"][-1]
    assert last["action"] == "satisfaction" and last["detail"] == {
        "satisfaction": "unsatisfied",
        "by": "call_back",
    }
