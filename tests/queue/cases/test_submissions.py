"""Submissions at the daemon: validation, staff actions, overdue cases, rights."""

from __future__ import annotations

import pytest

from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.support import Daemon


@pytest.fixture
def kiosk(daemon: Daemon):
    return daemon.api("kiosk-token-1")


def test_bad_submissions_are_refused_with_reasons(kiosk) -> None:
    body = wire(1)
    r = kiosk.post("/submissions", {**body, "matter": "NOPE-001"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_matter"
    bad_id = {
        **body,
        "applicant": {
            **body["applicant"],
            "id_number": ID_NUMBER[:17] + "0" if ID_NUMBER[17] != "0" else ID_NUMBER[:17] + "1",
        },
    }
    assert kiosk.post("/submissions", bad_id).json()["error"]["code"] == "bad_id_number"
    broken = {**body, "materials": [{**body["materials"][0], "sha256": "0" * 64}]}
    r = kiosk.post("/submissions", broken)
    assert r.status_code == 422 and "已损坏" in r.json()["error"]["message"]
    r = kiosk.post("/submissions", body, headers={"Idempotency-Key": "f" * 32})
    assert r.json()["error"]["code"] == "bad_idempotency_key"
    assert kiosk.post("/submissions", body).status_code == 201
    assert kiosk.post("/submissions", body).status_code == 200


def test_staff_accept_return_finish_and_history(daemon: Daemon, kiosk) -> None:
    case = kiosk.post("/submissions", wire(2)).json()
    assert case["status"] == "received"
    assert kiosk.get("/submissions").status_code == 403  # a kiosk may not list cases
    staff = daemon.staff("S001", 1)
    listed = staff.get("/submissions", params={"status": "received"}).json()
    assert [c["receipt"] for c in listed["submissions"]] == [case["receipt"]]
    r = staff.post(f"/submissions/{case['id']}/finish", {})
    assert r.status_code == 409  # not accepted yet
    r = staff.post(f"/submissions/{case['id']}/return", {"note": "请补充"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_required"
    back = staff.post(
        f"/submissions/{case['id']}/return",
        {"missing": ["公司章程", "住所证明"], "note": "材料不全"},
    ).json()
    assert back["status"] == "needs_correction" and back["missing"] == ["公司章程", "住所证明"]
    case2 = kiosk.post("/submissions", wire(3)).json()
    assert staff.post(f"/submissions/{case2['id']}/accept", {}).json()["status"] == "accepted"
    done = staff.post(f"/submissions/{case2['id']}/finish", {"note": "已发证"}).json()
    assert [h["status"] for h in done["history"]] == ["received", "accepted", "finished"]
    assert done["history"][-1]["actor"] == "staff S001"
    assert done["applicant"]["id_number"] == ID_NUMBER  # staff see the application
    progress = kiosk.post("/progress", {"receipt": case2["receipt"], "id_number": ID_NUMBER})
    assert progress.json()["status"] == "finished"
    assert "applicant" not in progress.json()  # the lookup shows status, not personal data


def test_overdue_cases_are_flagged_and_counted(daemon: Daemon, kiosk) -> None:
    late = kiosk.post("/submissions", wire(4, promised="2026-01-05")).json()
    kiosk.post("/submissions", wire(5, promised="2099-01-05"))
    manager = daemon.api("manager-token-1")
    listing = manager.get("/submissions").json()
    assert listing["overdue"] == 1
    flags = {c["receipt"]: c["overdue"] for c in listing["submissions"]}
    assert flags[late["receipt"]] is True and sum(flags.values()) == 1
    only = manager.get("/submissions", params={"overdue": "true"}).json()["submissions"]
    assert [c["receipt"] for c in only] == [late["receipt"]]
    manager.post(f"/submissions/{late['id']}/reject", {"note": "申请人撤回"})
    assert manager.get("/submissions").json()["overdue"] == 0


def test_missing_materials_make_a_correction_case(kiosk) -> None:
    case = kiosk.post("/submissions", wire(6, missing=["公司章程"])).json()
    assert case["status"] == "needs_correction" and case["missing"] == ["公司章程"]


def test_identity_check_is_validated_stored_and_shown_to_staff(daemon: Daemon, kiosk) -> None:
    """人证比对 at the kiosk: a plain flag on the case, in its detail and its history."""
    r = kiosk.post("/submissions", {**wire(7), "identity_check": "looked_ok"})
    assert r.status_code == 422 and "identity_check" in r.json()["error"]["message_en"]
    staff = daemon.staff("S002", 2)
    cases = {}
    for seed, flag in ((8, "face_matched"), (9, "failed"), (10, "skipped"), (11, None)):
        body = wire(seed) if flag is None else {**wire(seed), "identity_check": flag}
        r = kiosk.post("/submissions", body)
        assert r.status_code == 201
        assert kiosk.post("/submissions", body).status_code == 200  # a retry, same content
        cases[flag] = staff.get(f"/submissions/{r.json()['id']}").json()
    assert {f: c["identity_check"] for f, c in cases.items()} == {f: f for f in cases}
    assert "identity_check" not in cases["failed"]["applicant"]  # stored apart from the person
    assert cases["face_matched"]["history"][0]["note"] == "材料齐全；人证比对一致"
    for flag in ("failed", "skipped"):  # staff are told to check the ID at the window
        assert "请在窗口核验身份证件" in cases[flag]["history"][0]["note"]
        assert "check the ID" in cases[flag]["identity_check_label"]["en"]
    assert cases[None]["history"][0]["note"] == "材料齐全"
    assert cases[None]["identity_check_label"] is None
    clash = {**wire(9), "identity_check": "face_matched"}  # same key, other flag
    assert kiosk.post("/submissions", clash).json()["error"]["code"] == "idempotency_conflict"


def test_a_case_with_every_material_skipped_is_received(kiosk) -> None:
    """No images at all (every material skipped: 补正) is still a case, not a server error."""
    body = {**wire(12, missing=["材料1", "材料2"]), "materials": []}
    r = kiosk.post("/submissions", body)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "needs_correction"


def test_mail_delivery_needs_an_address(kiosk) -> None:
    """邮寄到家 without an address is refused, naming the field; with one it is received."""
    body = wire(30, matter="GA-HZ-002")
    for blank in (None, "", "—", "  "):
        form = {"delivery": "邮寄到家", "mail_address": blank}
        r = kiosk.post("/submissions", {**body, "form": form})
        assert r.status_code == 422, (blank, r.text)
        err = r.json()["error"]
        assert err["code"] == "field_required" and err["details"]["fields"] == ["mail_address"]
        assert "邮寄地址" in err["message"] and "mail_address" in err["message_en"]
    r = kiosk.post("/submissions", {**body, "form": {"delivery": "邮寄到家"}})
    assert r.status_code == 422 and "邮寄地址" in r.json()["error"]["message"]
    pickup = wire(31, matter="GA-HZ-002")
    r = kiosk.post("/submissions", {**pickup, "form": {"delivery": "窗口领取"}})
    assert r.status_code == 201, r.text
    form = {"delivery": "邮寄到家", "mail_address": "杭州市西湖区文三路100号"}
    assert kiosk.post("/submissions", {**body, "form": form}).status_code == 201
