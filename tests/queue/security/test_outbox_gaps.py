"""Issue 13, terminal outbox (the gaps) and least data on ``GET /windows``.

- ``/windows`` shows who sits at a window (``staff_id``) and the id of the
  ticket served there (``ticket_id``) to managers for every window, to a staff
  session for its own window only, to displays and kiosks never.
- A wrong bearer token is refused, and the refusal reaches the daemon's
  managers: counted per client address with a hash prefix of the token (never
  the token), listed on the manager page.
- A case the daemon refused for good is reported by the kiosk (receipt and
  reason code, no personal data); a manager acknowledges it, the kiosk learns
  of it on its next report, removes the case's personal data and images and
  stops alerting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from tests.kiosk.submission_helpers import draft
from tests.support import Daemon, clock

MANAGER = "manager-token-1"
KIOSK = "kiosk-token-1"
DISPLAY = "display-token-1"
DEVICE = "outbox@kiosk-9"


def by_number(found: list[dict]) -> dict[int, dict]:
    return {w["number"]: w for w in found}


# -- GET /windows: least data ---------------------------------------------------------


def test_windows_show_staff_and_ticket_ids_only_to_whom_they_belong(daemon: Daemon) -> None:
    kiosk = daemon.api(KIOSK)
    issued = [kiosk.post("/tickets", {"service": "general"}).json() for _ in range(2)]
    staff1, staff2 = daemon.staff("S001", 1), daemon.staff("S002", 2)
    assert staff1.post("/windows/1/call").json()["id"] == issued[0]["id"]
    assert staff2.post("/windows/2/call").json()["id"] == issued[1]["id"]

    every = by_number(daemon.api(MANAGER).get("/windows").json())
    assert (every[1]["staff_id"], every[1]["ticket_id"]) == ("S001", issued[0]["id"])
    assert (every[2]["staff_id"], every[2]["ticket_id"]) == ("S002", issued[1]["id"])

    own = by_number(staff1.get("/windows").json())
    assert (own[1]["staff_id"], own[1]["ticket_id"]) == ("S001", issued[0]["id"])
    assert "staff_id" not in own[2] and "ticket_id" not in own[2]
    assert own[2]["ticket_number"] == issued[1]["number"]  # the number is on the LED anyway
    assert issued[1]["id"] not in staff1.get("/windows").text

    for token in (DISPLAY, KIOSK):
        text = daemon.api(token).get("/windows").text
        shown = by_number(json.loads(text))
        assert all("staff_id" not in w and "ticket_id" not in w for w in shown.values())
        assert "S001" not in text and issued[0]["id"] not in text
        # What the lobby board needs is still there.
        assert shown[1]["state"] == every[1]["state"] and shown[1]["area"] == every[1]["area"]
        assert shown[1]["ticket_number"] == issued[0]["number"]


# -- a wrong token reaches the manager --------------------------------------------------


def refused_tokens(daemon: Daemon) -> list[dict]:
    r = daemon.api(MANAGER).get("/devices/refused-tokens")
    assert r.status_code == 200, r.text
    return r.json()["refused"]


def test_a_wrong_token_is_counted_per_address_with_a_hash_prefix_only(
    daemon: Daemon, tmp_path: Path
) -> None:
    wrong = "kiosk-token-OLD-before-rotation"
    prefix = hashlib.sha256(wrong.encode()).hexdigest()[:8]
    box = outbox(tmp_path / "terminal", DaemonClient(daemon.base, wrong), Clock())
    box.store(draft(1))
    for _ in range(3):
        box.clock.t += 120
        box.pump()  # a submission and a device report refused each time
    assert box.health().token_refused
    [row] = [r for r in refused_tokens(daemon) if r["token_prefix"] == prefix]
    # Each pass's device report is counted (the upload itself is refused by the body cap
    # before any route runs: hall/queue/web/limits.py).
    assert row["address"] == "127.0.0.1" and row["count"] >= 3
    assert row["last_at"].startswith(daemon.now().astimezone().date().isoformat()[:4])
    assert row["last_path"].startswith("/api/v1/")
    everything = daemon.api(MANAGER).get("/devices/refused-tokens").text
    assert wrong not in everything and hashlib.sha256(wrong.encode()).hexdigest() not in everything
    # No token at all is counted too (a kiosk whose token is missing from its config).
    assert daemon.api(None).post("/devices/report", {}).status_code == 401
    assert any(r["token_prefix"] == "" for r in refused_tokens(daemon))
    # Known tokens are not a wrong token: another role's, a staff session's.
    before = {(r["address"], r["token_prefix"]): r["count"] for r in refused_tokens(daemon)}
    assert daemon.api(DISPLAY).post("/help", {"where": "x"}).status_code == 403
    staff = daemon.staff("S001", 1)
    assert staff.post("/help", {"where": "x"}).status_code == 403
    staff.post("/staff/logout")
    assert staff.post("/windows/1/call").status_code == 401  # an ended session
    after = {(r["address"], r["token_prefix"]): r["count"] for r in refused_tokens(daemon)}
    assert after == before


def test_only_a_manager_lists_refused_tokens(daemon: Daemon) -> None:
    staff = daemon.staff("S001", 1)
    for api in (daemon.api(KIOSK), daemon.api(DISPLAY), staff):
        r = api.get("/devices/refused-tokens")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


# -- a refused case: reported, acknowledged, cleared ------------------------------------


class Clock:
    """The outbox's clock here: starts at the tests' clock, moves when told."""

    def __init__(self) -> None:
        self.t = clock()

    def __call__(self) -> float:
        return self.t


def outbox(folder: Path, client: DaemonClient, now: Clock) -> TerminalOutbox:
    settings = OutboxSection(retry_initial_s=1, retry_max_s=60, retry_jitter=0, alert_after_s=300)
    return TerminalOutbox(
        folder, "自助机9", "09", client, clock=now, settings=settings, device_id=DEVICE
    )


@pytest.fixture
def box(daemon: Daemon, tmp_path: Path):
    made = outbox(tmp_path / "terminal", DaemonClient(daemon.base, KIOSK), Clock())
    yield made
    made.stop()


def device_of(daemon: Daemon) -> dict:
    return next(d for d in daemon.api(MANAGER).get("/devices").json() if d["id"] == DEVICE)


def test_a_manager_takes_up_a_refused_case_and_the_kiosk_clears_it(
    daemon: Daemon, box: TerminalOutbox
) -> None:
    refused = box.store(draft(1, matter="NOPE-001"))  # not in the daemon's 事项清单: final
    box.pump()
    assert box.health().status == "rejected"
    images = box.images / refused.id
    assert sorted(p.name for p in images.iterdir()) == ["00.jpg.sealed", "01.jpg.sealed"]
    # The report names the case: receipt and reason code, no personal data.
    device = device_of(daemon)
    assert device["rejected"] == [{"receipt": refused.receipt, "reason": "unknown_matter"}]
    shown = json.dumps(daemon.api(MANAGER).get("/devices").json(), ensure_ascii=False)
    assert "王小明" not in shown and "13912345678" not in shown
    # Nobody but a manager may take it up.
    path = f"/devices/{DEVICE}/outbox/{refused.receipt}/ack"
    for api in (daemon.api(KIOSK), daemon.api(DISPLAY), daemon.staff("S001", 1)):
        r = api.post(path, {"note": "x"})
        assert r.status_code == 403, r.text
    wrong = daemon.api(MANAGER).post(f"/devices/{DEVICE}/outbox/ZZ0920990101{9999}/ack", {})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_refused"
    acked = daemon.api(MANAGER).post(path, {"note": "已电话联系申请人"})
    assert acked.status_code == 200, acked.text
    assert acked.json()["acked_by"] == "manager:mgr-t" and acked.json()["cleared_at"] is None
    # The kiosk learns of it on its next report and removes the citizen's data.
    box.clock.t += 31
    box.pump()
    assert [c["state"] for c in box.cases()] == ["cleared"]
    assert not images.exists()
    body = json.loads(box._db.execute("SELECT body FROM cases").fetchone()[0])
    assert set(body) == {"id", "receipt", "matter", "submitted_at"}
    assert box.health().status == "ok" and box.health().rejected == ()
    device = device_of(daemon)
    assert device["status"] == "ok" and "rejected" not in device
    [record] = daemon.api(MANAGER).get("/devices/outbox-acks").json()["acks"]
    assert record["receipt"] == refused.receipt and record["cleared_at"] is not None
    box.clock.t += 3600
    box.pump()  # nothing is sent again
    assert box.cases()[0]["attempts"] == 1


def test_bad_refused_case_reports_and_acks_are_422_naming_the_field(daemon: Daemon) -> None:
    kiosk, manager = daemon.api(KIOSK), daemon.api(MANAGER)
    report = {"id": DEVICE, "kind": "outbox", "status": "error", "detail": "x"}
    for rejected, where in (
        ([{"receipt": "ZZ 1", "reason": "x"}], "rejected.0.receipt"),
        ([{"receipt": "ZZ1", "reason": "王小明"}], "rejected.0.reason"),
        ([{"receipt": "ZZ1", "name": "王小明"}], "rejected.0.name"),  # no personal data
        ([{"receipt": f"ZZ{i}"} for i in range(101)], "rejected"),
    ):
        r = kiosk.post("/devices/report", {**report, "rejected": rejected})
        assert r.status_code == 422, r.text
        assert where in r.json()["error"]["message_en"] and where in r.json()["error"]["message"]
    r = manager.post(f"/devices/{DEVICE}/outbox/{'9' * 40}/ack", {})
    assert r.status_code == 422 and "receipt" in r.json()["error"]["message_en"]
    r = manager.post(f"/devices/{DEVICE}/outbox/ZZ1/ack", {"note": "x" * 201})
    assert r.status_code == 422 and "note" in r.json()["error"]["message_en"]
