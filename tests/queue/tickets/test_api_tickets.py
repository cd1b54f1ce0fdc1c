"""Issuing over real HTTP against a real daemon and SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import Api, Daemon, hall_config, make_id
from tests.support import now as clock_now

GOOD_ID = make_id("11010119900307001")


def test_issue_numbers_and_fields(kiosk: Api) -> None:
    first = kiosk.post("/tickets", {"service": "general"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["number"] == "A001" and body["status"] == "waiting" and body["ahead"] == 0
    assert {"id", "service", "issued_at", "est_wait_s"} <= body.keys()
    dt.datetime.fromisoformat(body["issued_at"])
    second = kiosk.post("/tickets", {"service": "general"}).json()
    assert second["number"] == "A002" and second["ahead"] == 1
    assert second["est_wait_s"] > 0  # one citizen ahead takes time
    assert kiosk.post("/tickets", {"service": "vip"}).json()["number"] == "B001"
    got = kiosk.get(f"/tickets/{body['id']}").json()
    assert got["number"] == "A001" and got["ahead"] == 0


def test_estimate_scales_with_queue_and_windows(daemon: Daemon, kiosk: Api) -> None:
    for _ in range(4):
        kiosk.post("/tickets", {"service": "other"})
    services = {s["code"]: s for s in kiosk.get("/services").json()}
    # 4 waiting, windows 3 and 4 serve "other", default 300 s each → 4*300/2.
    assert services["other"]["waiting"] == 4
    assert services["other"]["est_wait_s"] == 600
    daemon.staff("S003", 3)  # one window open: the estimate counts only staffed windows
    services = {s["code"]: s for s in kiosk.get("/services").json()}
    assert services["other"]["open_windows"] == [3]
    assert services["other"]["est_wait_s"] == 1200


def test_estimate_learns_from_real_service_times(daemon: Daemon, kiosk: Api) -> None:
    staff = daemon.staff("S003", 3)
    for _ in range(3):
        kiosk.post("/tickets", {"service": "other"})
    for _ in range(2):
        assert staff.post("/windows/3/call").status_code == 200
        assert staff.post("/windows/3/finish", {"case_type": "即办件"}).status_code == 200
    other = next(s for s in kiosk.get("/services").json() if s["code"] == "other")
    # Two cases served in well under a second each: the 300 s default is gone.
    assert other["waiting"] == 1 and other["est_wait_s"] < 5


def test_unknown_service_and_bad_bodies(kiosk: Api) -> None:
    r = kiosk.post("/tickets", {"service": "nope"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_service"
    assert "nope" in r.json()["error"]["message"]
    r = kiosk.session.post(
        kiosk.base + "/tickets",
        data=b"{not json",
        timeout=5,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "JSON" in r.json()["error"]["message_en"]
    r = kiosk.post("/tickets", {"service": 5})
    assert r.status_code == 422 and "service" in r.json()["error"]["message_en"]
    r = kiosk.post("/tickets", {"service": "general", "priority": "very"})
    assert r.status_code == 422 and "priority" in r.json()["error"]["message_en"]
    r = kiosk.post("/tickets", {"service": "general", "colour": "red"})
    assert r.status_code == 422 and "colour: unknown field" in r.json()["error"]["message_en"]
    r = kiosk.post("/tickets", [1, 2])
    assert r.status_code == 422
    r = kiosk.post("/tickets", {})
    assert r.status_code == 422 and "service: required" in r.json()["error"]["message_en"]


def test_id_number_check_and_per_person_limit(kiosk: Api) -> None:
    bad = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    r = kiosk.post("/tickets", {"service": "general", "id_number": bad})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_id_number"
    assert "校验位" in r.json()["error"]["message"]
    for _ in range(2):
        assert (
            kiosk.post("/tickets", {"service": "general", "id_number": GOOD_ID}).status_code == 201
        )
    r = kiosk.post("/tickets", {"service": "general", "id_number": GOOD_ID.lower()})
    assert r.status_code == 409 and r.json()["error"]["code"] == "person_limit"
    # The limit is per service; another service still works.
    assert kiosk.post("/tickets", {"service": "vip", "id_number": GOOD_ID}).status_code == 201


@pytest.mark.process  # the process's log: a real subprocess
def test_id_number_never_leaves_the_daemon(daemon: Daemon, kiosk: Api) -> None:
    t = kiosk.post("/tickets", {"service": "general", "id_number": GOOD_ID}).json()
    assert GOOD_ID not in str(t) and GOOD_ID not in kiosk.get(f"/tickets/{t['id']}").text
    db = (daemon.data_dir / "hall.sqlite3").read_bytes()
    wal = daemon.data_dir / "hall.sqlite3-wal"
    db += wal.read_bytes() if wal.exists() else b""
    assert GOOD_ID.encode() not in db and GOOD_ID[:14].encode() not in db
    assert GOOD_ID not in "".join(p.read_text() for p in daemon.data_dir.glob("*.log"))


def test_daily_cap(kiosk: Api) -> None:
    numbers = [kiosk.post("/tickets", {"service": "capped"}).json()["number"] for _ in range(3)]
    assert numbers == ["D001", "D002", "D003"]
    r = kiosk.post("/tickets", {"service": "capped"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "daily_cap_reached"
    assert "3" in r.json()["error"]["message"]
    capped = next(s for s in kiosk.get("/services").json() if s["code"] == "capped")
    assert capped["accepting"] is False and capped["reason"]["code"] == "daily_cap_reached"


def test_outside_hours_names_next_opening(kiosk: Api) -> None:
    r = kiosk.post("/tickets", {"service": "daytime"})
    assert r.status_code == 409 and r.json()["error"]["code"] in {"outside_hours", "lunch_break"}
    nxt = dt.datetime.fromisoformat(r.json()["error"]["details"]["next_open"])
    assert nxt > clock_now() + dt.timedelta(hours=1)  # today and tomorrow closed
    svc = next(s for s in kiosk.get("/services").json() if s["code"] == "daytime")
    assert svc["accepting"] is False and svc["reason"]["zh"] and svc["next_open"]


def test_priority_allowed_only_where_the_hall_allows(kiosk: Api) -> None:
    r = kiosk.post("/tickets", {"service": "other", "priority": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "priority_not_allowed"
    assert (
        kiosk.post("/tickets", {"service": "general", "priority": True}).json()["kind"]
        == "priority"
    )


def test_tokens_and_roles(daemon: Daemon) -> None:
    anon = daemon.api(None)
    assert anon.post("/tickets", {"service": "general"}).status_code == 401
    assert anon.get("/services").status_code == 401
    assert daemon.api("wrong-token").get("/services").status_code == 401
    display = daemon.api("display-token-1")
    assert display.get("/services").status_code == 200
    r = display.post("/tickets", {"service": "general"})
    assert r.status_code == 403 and r.json()["error"]["message"]
    assert daemon.api("manager-token-1").post("/tickets", {"service": "general"}).status_code == 201
    r = anon.post("/staff/login", {"staff_id": "S001", "pin": "0000", "window": 1})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"


def test_openapi_and_docs(daemon: Daemon) -> None:
    anon = daemon.api(None)
    spec = anon.session.get(daemon.base + "/openapi.json", timeout=5).json()
    for path in ["/api/v1/tickets", "/api/v1/windows/{number}/call", "/api/v1/events"]:
        assert path in spec["paths"]
    assert anon.session.get(daemon.base + "/docs", timeout=5).status_code == 200


def test_appointment_check_in(daemon: Daemon, kiosk: Api, manager: Api) -> None:
    now = daemon.now()
    slot = {
        "service": "vip",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
    }
    assert kiosk.post("/appointments", slot).status_code == 403
    code = manager.post("/appointments", slot).json()["code"]
    later = {
        **slot,
        "slot_start": (now + dt.timedelta(hours=3)).isoformat(),
        "slot_end": (now + dt.timedelta(hours=4)).isoformat(),
    }
    early = manager.post("/appointments", later).json()["code"]
    r = kiosk.post("/tickets", {"service": "general", "appointment_code": code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "appointment_other_service"
    t = kiosk.post("/tickets", {"service": "vip", "appointment_code": code})
    assert t.status_code == 201 and t.json()["kind"] == "appointment"
    again = kiosk.post("/tickets", {"service": "vip", "appointment_code": code})
    assert again.json()["error"]["code"] == "appointment_used"
    r = kiosk.post("/tickets", {"service": "vip", "appointment_code": early})
    assert r.json()["error"]["code"] == "appointment_too_early"
    r = kiosk.post("/tickets", {"service": "vip", "appointment_code": "00000000"})
    assert r.status_code == 404


def test_four_digit_numbers(make_daemon) -> None:
    """Four digits when the hall asks for them."""
    cfg = hall_config()
    cfg["hall"]["number_digits"] = 4
    d = make_daemon(cfg)
    assert (
        d.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()["number"] == "A0001"
    )
