"""Kiosk submissions in the register: one case per submission, the old routes as aliases, 办件查询."""

from __future__ import annotations

import pytest

from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.queue.cases.case_helpers import (
    APPLICANT_ID,
    OTHER_ID,
    case_body,
    register_config,
    served_ticket,
)
from tests.support import Daemon, new_daemon


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    d = new_daemon(tmp_path_factory.mktemp("kiosk-cases"), register_config()).start()
    yield d
    d.close_clients()
    d.stop()


def test_a_submission_opens_one_case_of_the_register(hall: Daemon) -> None:
    kiosk, manager = hall.api("kiosk-token-1"), hall.api("manager-token-1")
    body = wire(41, missing=["公司章程"])
    sub = kiosk.post("/submissions", body).json()
    assert kiosk.post("/submissions", body).status_code == 200  # a retry: no second case
    case = manager.get(f"/cases/{sub['receipt']}").json()
    assert case["source"] == "kiosk" and case["opened_by"] == "terminal 自助机9"
    assert case["department"] == "scjg" and case["kind"] == "承诺件"  # SJ-DJ-001's
    assert case["status"] == "returned" and case["missing"] == ["公司章程"]
    assert case["clock"]["state"] == "waiting"
    assert case["applicant"]["id_number"] == ID_NUMBER  # from the submission's sealed row
    listed = manager.get("/cases", params={"department": "scjg"}).json()["cases"]
    assert [c["receipt"] for c in listed].count(sub["receipt"]) == 1


def test_a_correction_case_is_accepted_again_after_supply(hall: Daemon) -> None:
    """The issue's bug: a 补正 case could never be accepted again."""
    kiosk = hall.api("kiosk-token-1")
    sub = kiosk.post("/submissions", wire(42, missing=["公司章程"])).json()
    clerk = hall.staff("S001", 1)
    r = clerk.post(f"/submissions/{sub['id']}/accept", {})
    assert r.status_code == 409 and "待补正" in r.json()["error"]["message"]
    supplied = clerk.post(f"/submissions/{sub['id']}/supply", {"note": "已补齐"})
    assert supplied.status_code == 200, supplied.text
    assert supplied.json()["status"] == "received" and supplied.json()["missing"] == []
    accepted = clerk.post(f"/submissions/{sub['id']}/accept", {}).json()
    assert accepted["status"] == "accepted"
    assert [h["status"] for h in accepted["history"]] == [
        "needs_correction",
        "received",
        "accepted",
    ]
    case = clerk.get(f"/cases/{sub['receipt']}").json()
    assert case["status"] == "accepted" and case["counts"]["returns"] == 1
    assert [h["action"] for h in case["history"]] == ["open", "supply", "accept"]
    # A register action on the kiosk case keeps the submission in step.
    clerk.post(f"/cases/{sub['receipt']}/finish", {})
    assert clerk.get(f"/submissions/{sub['id']}").json()["status"] == "finished"
    progress = kiosk.post("/progress", {"receipt": sub["receipt"], "id_number": ID_NUMBER}).json()
    assert progress["status"] == "finished" and progress["case_status"] == "finished"
    assert progress["clock"]["state"] == "finished" and "applicant" not in progress


def test_the_old_reject_is_the_registers_refusal(hall: Daemon) -> None:
    kiosk = hall.api("kiosk-token-1")
    sub = kiosk.post("/submissions", wire(43)).json()
    member = hall.staff("SB", 2)  # a member of the department: no 把关权
    r = member.post(f"/submissions/{sub['id']}/reject", {"note": "材料不实"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "gatekeeping"
    member.post("/staff/logout")
    other = hall.staff("S003", 3)  # another department
    assert other.post(f"/submissions/{sub['id']}/accept", {}).status_code == 403
    chief = hall.staff("S001", 1)
    refused = chief.post(f"/submissions/{sub['id']}/reject", {"note": "材料不实"}).json()
    assert refused["status"] == "returned"
    case = chief.get(f"/cases/{sub['receipt']}").json()
    assert case["status"] == "rejected" and case["rejection"]["reason"] == "材料不实"
    assert case["rejection"]["basis"]  # the matter's legal basis from the catalogue


def test_progress_covers_counter_cases_with_the_clock(hall: Daemon) -> None:
    clerk = hall.staff("S001", 1)
    opened = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()
    kiosk = hall.api("kiosk-token-1")
    r = kiosk.post("/progress", {"receipt": opened["receipt"], "id_number": APPLICANT_ID})
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["receipt"] == opened["receipt"] and found["status"] == "received"
    assert found["source"] == "window" and found["case_status_label"]["zh"] == "已收件（待受理）"
    assert found["clock"]["promised_date"] == opened["promised_date"]
    assert found["clock"]["left"] == found["clock"]["limit"] == 5
    assert found["history"][0]["status"] == "received" and "applicant" not in found
    r = kiosk.post("/progress", {"receipt": opened["receipt"], "id_number": OTHER_ID})
    assert r.status_code == 404
