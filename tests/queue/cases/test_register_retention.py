"""A counter case loses its applicant data ``submissions.retention_days`` after it is delivered."""

from __future__ import annotations

from tests.queue.cases.case_helpers import APPLICANT_ID, case_body, register_config, served_ticket


def test_a_delivered_counter_case_is_archived_after_the_retention(make_daemon) -> None:
    d = make_daemon(register_config(submissions={"retention_days": 30}))
    clerk = d.staff("S001", 1)
    body = case_body(served_ticket(d, clerk, 1)["id"])
    done, still_open = (clerk.post("/cases", body).json()["receipt"] for _ in range(2))
    for action in ("accept", "finish", "ready"):
        assert clerk.post(f"/cases/{done}/{action}", {}).status_code == 200
    r = clerk.post(f"/cases/{done}/deliver", {"by": "post", "tracking": "SF1234567890"})
    assert r.status_code == 200 and r.json()["delivery"] == {
        "by": "post",
        "tracking": "SF1234567890",
    }
    d.stop()
    d.shift_s = 31 * 86400  # 31 days after the delivery: housekeeping at start
    d.start()
    manager = d.api("manager-token-1")
    archived = manager.get(f"/cases/{done}").json()
    assert archived["archived"] is True and archived["applicant"]["id_number"] == ""
    assert archived["status"] == "delivered" and archived["history"]  # the case itself stays
    kept = manager.get(f"/cases/{still_open}").json()
    assert kept["archived"] is False and kept["applicant"]["id_number"] == APPLICANT_ID
    kiosk = d.api("kiosk-token-1")
    r = kiosk.post("/progress", {"receipt": done, "id_number": APPLICANT_ID})
    assert r.status_code == 410 and r.json()["error"]["code"] == "case_archived"
    assert kiosk.post("/progress", {"receipt": still_open, "id_number": APPLICANT_ID}).ok
