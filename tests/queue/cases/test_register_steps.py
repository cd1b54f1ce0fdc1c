"""联办件 steps (lead and co-departments, each with its due date) and 上报件 (sent up, answered)."""

from __future__ import annotations

import datetime as dt

from tests.queue.cases.case_helpers import case_body, move_to, register_config, served_ticket

JOINT_MATERIALS = [{"name": "不动产登记申请书", "mandatory": True, "present": True}]


def test_a_joint_case_goes_through_its_co_department(make_daemon) -> None:
    d = make_daemon(register_config())
    # Mon 2026-09-14: BDC-ZY-001 (联办件, 5 working days): promised Sun 09-20 (15, 16, 17,
    # 18, then the make-up Sunday). One co-department, time split evenly: 5 * 1 // 2 = 2
    # working days after the receipt: Wed 09-16.
    move_to(d, dt.date(2026, 9, 14))
    lead = d.staff("S003", 3)
    ticket = served_ticket(d, lead, 3, service="other")
    body = case_body(
        ticket["id"], matter="BDC-ZY-001", materials=JOINT_MATERIALS, co_departments=["scjg"]
    )
    r = lead.post("/cases", body)
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    assert case["kind"] == "联办件" and case["department"] == "bdc"
    steps = [(s["seq"], s["role"], s["department"], s["due_date"]) for s in case["steps"]]
    assert steps == [(0, "lead", "bdc", "2026-09-20"), (1, "co", "scjg", "2026-09-16")]
    receipt = case["receipt"]
    lead.post(f"/cases/{receipt}/accept", {})
    r = lead.post(f"/cases/{receipt}/step", {"seq": 1, "note": "代办"})
    assert r.status_code == 403  # the co-department's step is theirs to mark
    co = d.staff("S001", 1)
    # The co-department finds it in its own list (and in every case it may list).
    for query in ("?department=scjg", ""):
        listed = co.get(f"/cases{query}").json()["cases"]
        assert [c["receipt"] for c in listed] == [receipt], query
    seen = co.get(f"/cases/{receipt}")
    assert seen.status_code == 200 and seen.json()["personal_data"] == "masked"
    assert co.post(f"/cases/{receipt}/finish", {}).status_code == 403  # only its step
    done = co.post(f"/cases/{receipt}/step", {"seq": 1, "note": "已核查营业执照"}).json()
    assert done["steps"][1]["done_at"] is not None and done["steps"][1]["note"] == "已核查营业执照"
    assert done["history"][-1]["detail"]["step_department"] == "scjg"
    assert done["history"][-1]["department"] == "scjg"  # who held it
    assert [h["department"] for h in done["holding"]] == ["bdc", "scjg"]
    r = co.post(f"/cases/{receipt}/step", {"seq": 1})
    assert r.status_code == 409
    r = lead.post("/cases", {**body, "co_departments": ["nope"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_co_department"


def test_a_reported_case_records_sent_and_answered(make_daemon) -> None:
    d = make_daemon(register_config())
    clerk = d.staff("S002", 2)  # MZ-DB-001 (上报件) belongs to no department
    ticket = served_ticket(d, clerk, 2)
    materials = [{"name": "最低生活保障申请书", "mandatory": True, "present": True}]
    r = clerk.post("/cases", case_body(ticket["id"], matter="MZ-DB-001", materials=materials))
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    assert r.json()["case"]["kind"] == "上报件"
    assert clerk.post(f"/cases/{receipt}/report_up", {"to": "县民政局"}).status_code == 409
    clerk.post(f"/cases/{receipt}/accept", {})
    r = clerk.post(f"/cases/{receipt}/answered", {"note": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_reported"
    assert clerk.post(f"/cases/{receipt}/report_up", {}).status_code == 422
    up = clerk.post(f"/cases/{receipt}/report_up", {"to": "县民政局", "note": "入户调查"}).json()
    assert up["steps"][-1]["role"] == "upper" and up["steps"][-1]["department"] == "县民政局"
    assert clerk.post(f"/cases/{receipt}/report_up", {"to": "县民政局"}).status_code == 409
    back = clerk.post(f"/cases/{receipt}/answered", {"note": "同意"}).json()
    assert back["steps"][-1]["done_at"] is not None and back["steps"][-1]["note"] == "同意"
    assert [h["action"] for h in back["history"]][-2:] == ["report_up", "answered"]
    assert back["history"][-2]["detail"]["sent_on"] == back["history"][-2]["day"]
