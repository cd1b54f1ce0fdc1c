"""The ratings ledger: hash chain, tamper detection (API and command), appeals, channels."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from tests.kiosk.submission_helpers import wire
from tests.queue.ratings.rating_helpers import KEYS, rate, serve
from tests.support import ROOT, Daemon


def verify_cli(d: Daemon) -> tuple[int, dict]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "hall.queue",
            "verify-ledger",
            "--config",
            str(d.config_path),
            "--data-dir",
            str(d.data_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return out.returncode, json.loads(out.stdout)


def test_chain_verifies_and_a_tampered_rating_is_found(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    tickets = serve(daemon, staff, 2, n=4)
    ids = [rate(daemon, t["id"], lv)["id"] for t, lv in zip(tickets, (5, 4, 1, 5), strict=True)]
    manager = daemon.api("manager-token-1")
    report = manager.get("/ledger/verify").json()
    head = report.pop("head")  # the head as published (tests/queue/security/test_ledger_anchor.py)
    assert head.startswith(f"{ids[-1]}:") and len(head.split(":")[1]) == 64
    assert report == {
        "ok": True,
        "records": 4,
        "head_id": ids[-1],
        "broken_id": None,
        "problem": None,
    }
    report["head"] = head
    assert verify_cli(daemon) == (0, report)
    # A 差评 torn out by turning it into 非常满意, directly in the SQLite file:
    db = sqlite3.connect(daemon.data_dir / "hall.sqlite3")
    with db:
        db.execute("UPDATE ledger SET level = 5 WHERE id = ?", (ids[2],))
    report = manager.get("/ledger/verify").json()
    assert (report["ok"], report["broken_id"]) == (False, ids[2])
    assert "hash" in report["problem"]
    code, cli = verify_cli(daemon)
    assert code == 1 and cli["broken_id"] == ids[2]
    # Put it back, then delete a record instead: the next one reports the gap.
    with db:
        db.execute("UPDATE ledger SET level = 1 WHERE id = ?", (ids[2],))
    assert manager.get("/ledger/verify").json()["ok"]
    with db:
        db.execute("DELETE FROM ledger WHERE id = ?", (ids[1],))
    report = manager.get("/ledger/verify").json()
    assert (report["ok"], report["broken_id"]) == (False, ids[2])
    assert "deleted" in report["problem"]
    db.close()


def test_the_last_record_cannot_be_cut_off(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    for t in serve(daemon, staff, 2, n=2):
        rate(daemon, t["id"], 3)
    db = sqlite3.connect(daemon.data_dir / "hall.sqlite3")
    with db:
        db.execute("DELETE FROM ledger WHERE id = 2")
    db.close()
    report = daemon.api("manager-token-1").get("/ledger/verify").json()
    assert (report["ok"], report["broken_id"], report["records"]) == (False, 2, 1)


def test_one_rating_per_case_and_only_from_its_channels(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    ticket = serve(daemon, staff, 2)[0]
    anyone = daemon.api(None)
    forged = {"ticket_id": ticket["id"], "key": "0" * 22, "level": 5}
    assert anyone.post("/evaluations/online", forged).status_code == 403
    rate(daemon, ticket["id"], 2)
    again = anyone.post("/evaluations/online", {**forged, "key": KEYS[ticket["id"]]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    # Staff cannot appeal or reach the ledger (nor rate: tests/queue/security/test_rating_keys.py).
    rating_id = daemon.api("manager-token-1").get("/evaluations").json()[0]["id"]
    body = {"decision": "upheld", "reason": "误操作"}
    assert staff.post(f"/evaluations/{rating_id}/appeal", body).status_code == 403
    assert staff.get("/ledger/verify").status_code == 403
    # A kiosk may not rate a window's ticket; the window evaluator does.
    r = daemon.api("kiosk-token-1").post(
        "/evaluations/kiosk", {"submission_id": "f" * 32, "key": KEYS[ticket["id"]], "level": 5}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "bad_rating_key"


def test_appeal_adds_a_record_and_marks_the_rating(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    ticket = serve(daemon, staff, 2)[0]
    rated = rate(daemon, ticket["id"], 1, tags=["态度"], comment="等太久")
    assert rated["rectification"]
    manager = daemon.api("manager-token-1")
    body = {"decision": "upheld", "reason": "评价人误按,经调取录像核实"}
    appeal = manager.post(f"/evaluations/{rated['id']}/appeal", body)
    assert appeal.status_code == 201, appeal.text
    record = appeal.json()
    assert (record["kind"], record["ref_id"], record["decided_by"]) == (
        "appeal",
        rated["id"],
        "manager:mgr-t",  # manager:<id> for accounts, manager:<token name> for the token
    )
    assert manager.post(f"/evaluations/{rated['id']}/appeal", body).status_code == 409
    listed = manager.get("/evaluations").json()
    assert len(listed) == 1 and listed[0]["level"] == 1  # the rating itself is unchanged
    assert listed[0]["appeal"]["reason"] == body["reason"]
    case = manager.get(f"/rectifications/{rated['rectification']}").json()
    assert case["state"] == "appealed"
    assert manager.get("/ledger/verify").json()["records"] == 2


def test_kiosk_rates_its_own_submission(daemon: Daemon) -> None:
    # The proof is the rating key the terminal printed on the notice (issue 13; it was the
    # receipt, which staff see in every case list).
    kiosk = daemon.api("kiosk-token-1")
    sub = {**wire(3), "rating_key": "terminal-made-key-0003"}
    assert kiosk.post("/submissions", sub).status_code == 201
    wrong = {"submission_id": sub["id"], "key": "terminal-made-key-9999", "level": 4}
    assert kiosk.post("/evaluations/kiosk", wrong).status_code == 403
    by_receipt = {"submission_id": sub["id"], "receipt": sub["receipt"], "level": 4}
    assert kiosk.post("/evaluations/kiosk", by_receipt).status_code == 422  # no longer a proof
    right = {**wrong, "key": sub["rating_key"]}
    ok = kiosk.post("/evaluations/kiosk", right)
    assert ok.status_code == 201, ok.text
    got = ok.json()
    assert (got["channel"], got["number"], got["submission_id"]) == (
        "kiosk",
        sub["receipt"],
        sub["id"],
    )
    assert kiosk.post("/evaluations/kiosk", right).status_code == 409
    # The display token is not a kiosk.
    display = daemon.api("display-token-1")
    assert display.post("/evaluations/kiosk", right).status_code == 403
