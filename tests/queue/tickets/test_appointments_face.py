"""预约签到 by ID number and by face: what a booking keeps, who may read it, when it goes.

A real daemon on loopback and its real SQLite file: the tests read the file's
bytes and rows to see what is (and is not) kept.
"""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
from collections.abc import Iterator

import numpy as np
import pytest

from hall.vision.face import FaceTemplate
from tests.support import Api, Daemon, clock, hall_config, make_id, module_daemon, wait_until
from tests.support import now as clock_now

PERSON = make_id("44030519850612301")
OTHER = make_id("51010719920228114")
CONSENT = "booking-2026-01"


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon for the module (each test books its own appointments).

    A subprocess: one test reads what the process logged.
    """
    yield from module_daemon(tmp_path_factory, "appointments-face", process=True)


@pytest.fixture
def kiosk(hall: Daemon) -> Api:
    return hall.api("kiosk-token-1")


@pytest.fixture
def manager(hall: Daemon) -> Api:
    return hall.api("manager-token-1")


def slot(service: str, start_min: float = -5, end_min: float = 25, **extra: str) -> dict:
    """A booking body: a slot relative to now (minutes), plus optional parts."""
    now = clock_now()
    return {
        "service": service,
        "slot_start": (now + dt.timedelta(minutes=start_min)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=end_min)).isoformat(),
        **extra,
    }


def template(seed: int, engine: str = "classic") -> FaceTemplate:
    """A template of the classic engine's shape (5 frames x 16384 LBPH bins), random values."""
    rng = np.random.default_rng(seed)
    return FaceTemplate(engine, rng.random((5, 16384), dtype=np.float32))


def b64(t: FaceTemplate) -> str:
    return base64.b64encode(t.to_bytes()).decode()


def stored_bytes(d: Daemon, wal: bool = True) -> bytes:
    """The database file (and its WAL) as bytes."""
    data = (d.data_dir / "hall.sqlite3").read_bytes()
    if wal and (d.data_dir / "hall.sqlite3-wal").exists():
        data += (d.data_dir / "hall.sqlite3-wal").read_bytes()
    return data


def checkin_rows(d: Daemon) -> dict[str, tuple]:
    """The appointment_checkin table: code -> (has ID fingerprint, has template, consent)."""
    con = sqlite3.connect(f"file:{d.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT code, id_fp IS NOT NULL, face_template IS NOT NULL, face_consent"
            " FROM appointment_checkin"
        ).fetchall()
    finally:
        con.close()
    return {code: (bool(fp), bool(face), consent) for code, fp, face, consent in rows}


def stored_template(d: Daemon, code: str) -> bytes:
    """The face_template column of an appointment, as the database file holds it."""
    con = sqlite3.connect(f"file:{d.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    try:
        (raw,) = con.execute(
            "SELECT face_template FROM appointment_checkin WHERE code = ?", (code,)
        ).fetchone()
    finally:
        con.close()
    return raw


def book(manager: Api, body: dict) -> str:
    r = manager.post("/appointments", body)
    assert r.status_code == 201, r.text
    return r.json()["code"]


def test_booking_keeps_a_fingerprint_of_the_id_never_the_number(hall: Daemon, manager: Api):
    r = manager.post("/appointments", slot("vip", id_number=PERSON))
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert r.json()["check_in"] == {"id_number": True, "face": False}
    assert PERSON not in r.text
    assert checkin_rows(hall)[code] == (True, False, None)
    stored = stored_bytes(hall)
    assert code.encode() in stored  # the search does find what is there
    assert PERSON.encode() not in stored and PERSON[:14].encode() not in stored
    assert PERSON.encode("utf-16-le") not in stored
    assert PERSON not in "".join(p.read_text() for p in hall.data_dir.glob("*.log"))


def test_booking_checks_its_optional_parts(hall: Daemon, manager: Api):
    before = checkin_rows(hall)
    face = b64(template(1))
    r = manager.post("/appointments", slot("vip", face_template=face))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "face_consent_missing" and "face_consent" in err["message"]
    assert "face_consent" in err["message_en"]
    r = manager.post("/appointments", slot("vip", face_consent=CONSENT))
    assert r.status_code == 422 and "face_template" in r.json()["error"]["message"]
    r = manager.post("/appointments", slot("vip", face_template="not base64!", face_consent="v1"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_face_template"
    r = manager.post(
        "/appointments", slot("vip", face_template=b64(template(2, "dnn")), face_consent="v1")
    )
    assert r.status_code == 422 and "dnn" in r.json()["error"]["message_en"]
    wrong = PERSON[:17] + ("1" if PERSON[17] != "1" else "2")
    r = manager.post("/appointments", slot("vip", id_number=wrong))
    assert r.status_code == 422 and "校验位" in r.json()["error"]["message"]
    assert checkin_rows(hall) == before  # nothing of the refused bookings was kept


def test_kiosk_gets_open_templates_and_nobody_else_does(hall: Daemon, kiosk: Api, manager: Api):
    face = template(3)
    code = book(manager, slot("other", face_template=b64(face), face_consent=CONSENT))
    later = book(manager, slot("other", 120, 150, face_template=b64(template(4)), face_consent="v"))
    elsewhere = book(manager, slot("vip", face_template=b64(template(5)), face_consent="v"))
    by_id_only = book(manager, slot("other", id_number=OTHER))
    r = kiosk.get("/appointments/faces", params={"service": "other"})
    assert r.status_code == 200, r.text
    listed = {a["code"]: a for a in r.json()}
    assert code in listed and later not in listed  # check-in for `later` opens in 90 min
    assert elsewhere not in listed and by_id_only not in listed
    got = listed[code]
    assert base64.b64decode(got["template"]) == face.to_bytes()
    assert got["consent"] == CONSENT
    end = dt.datetime.fromisoformat(got["slot_end"])
    until = dt.datetime.fromisoformat(got["check_in_until"])
    assert until - end == dt.timedelta(minutes=15)  # calling.appointment_grace_min
    staff = hall.staff("S003", 3)
    for who in (hall.api("display-token-1"), manager, staff):
        r = who.get("/appointments/faces", params={"service": "other"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert hall.api(None).get("/appointments/faces", params={"service": "other"}).status_code == 401
    r = kiosk.get("/appointments/faces", params={"service": "nope"})
    assert r.status_code == 404
    staff.post("/staff/logout")


def test_template_is_deleted_in_the_check_in_transaction(hall: Daemon, kiosk: Api, manager: Api):
    face = template(6)
    code = book(manager, slot("general", face_template=b64(face), face_consent=CONSENT))
    assert checkin_rows(hall)[code] == (False, True, CONSENT)
    # The row holds the template sealed (tests/queue/security/test_sealed_at_rest.py):
    # the sealed bytes are what must be overwritten.
    raw = stored_template(hall, code)
    chunk = raw[len(raw) // 2 : len(raw) // 2 + 64]  # random bytes: found nowhere else
    # The checkpointer copies the WAL into the file every second.
    assert wait_until(lambda: chunk in stored_bytes(hall, wal=False), 10)
    t = kiosk.post("/tickets", {"service": "general", "appointment_code": code})
    assert t.status_code == 201 and t.json()["kind"] == "appointment"
    assert code not in checkin_rows(hall)
    listed = kiosk.get("/appointments/faces", params={"service": "general"}).json()
    assert code not in {a["code"] for a in listed}
    # secure_delete: the template's bytes are overwritten in the file, not just unlinked.
    assert wait_until(lambda: chunk not in stored_bytes(hall, wal=False), 10)


def test_check_in_by_id_number(hall: Daemon, kiosk: Api, manager: Api):
    person = make_id("11010819790923457")
    # Two ordinary tickets reach general's per-person limit (2) ...
    ordinary = [
        kiosk.post("/tickets", {"service": "general", "id_number": person}).json()["id"]
        for _ in range(2)
    ]
    code = book(manager, slot("general", id_number=person))
    # ... a booked appointment still checks in: the slot is the person's already.
    body = {"service": "general", "id_number": person, "appointment": True}
    r = kiosk.post("/tickets", body)
    assert r.status_code == 201, r.text
    ticket = r.json()
    assert ticket["kind"] == "appointment" and person not in r.text
    staff = hall.staff("S002", 2)
    line = [t["id"] for t in staff.get("/windows/2/queue").json()]
    # Appointment priority: ahead of the same person's earlier ordinary tickets.
    assert all(line.index(ticket["id"]) < line.index(t) for t in ordinary)
    staff.post("/staff/logout")
    again = kiosk.post("/tickets", {"service": "general", "appointment_code": code})
    assert again.status_code == 409 and again.json()["error"]["code"] == "appointment_used"
    assert code not in checkin_rows(hall)
    r = kiosk.post("/tickets", body)  # checked in already: nothing left to find by ID
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_appointment"


def test_check_in_by_id_number_refusals(hall: Daemon, kiosk: Api, manager: Api):
    person = make_id("31011519880101226")
    book(manager, slot("vip", id_number=person))
    wrong = person[:17] + ("1" if person[17] != "1" else "2")
    r = kiosk.post("/tickets", {"service": "vip", "id_number": wrong, "appointment": True})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_id_number"
    assert "校验位" in r.json()["error"]["message"]
    stranger = make_id("31011519880101234")
    r = kiosk.post("/tickets", {"service": "vip", "id_number": stranger, "appointment": True})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_appointment"
    assert "预约" in r.json()["error"]["message"] and stranger not in r.text
    r = kiosk.post("/tickets", {"service": "general", "id_number": person, "appointment": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "appointment_other_service"
    assert "企业开办" in r.json()["error"]["message"]
    r = kiosk.post("/tickets", {"service": "vip", "appointment": True})
    assert r.status_code == 422 and r.json()["error"]["code"] == "id_number_required"
    assert kiosk.post("/tickets", {"service": "vip", "id_number": person, "appointment": True}).ok


def test_openapi_documents_the_check_in(hall: Daemon) -> None:
    spec = hall.api(None).session.get(hall.base + "/openapi.json", timeout=5).json()
    assert "/api/v1/appointments/faces" in spec["paths"]
    issue = spec["components"]["schemas"]["IssueBody"]["properties"]
    assert "预约签到" in issue["appointment"]["description"]
    booking = spec["components"]["schemas"]["AppointmentBody"]["properties"]
    assert {"id_number", "face_template", "face_consent"} <= booking.keys()


def test_template_and_fingerprint_go_when_the_slot_has_passed(make_daemon) -> None:
    d = make_daemon(hall_config(calling={"appointment_grace_min": 0}), name="expiry")
    manager, kiosk = d.api("manager-token-1"), d.api("kiosk-token-1")

    def ending_soon(**extra: str) -> tuple[str, float]:
        ends = clock() + 2
        body = {**slot("vip", **extra), "slot_end": dt.datetime.fromtimestamp(ends, dt.UTC)}
        body["slot_end"] = body["slot_end"].isoformat()
        return book(manager, body), ends

    # Read path: the kiosk's next read of the templates deletes the expired one.
    code, ends = ending_soon(face_template=b64(template(7)), face_consent="v")
    assert [a["code"] for a in kiosk.get("/appointments/faces?service=vip").json()] == [code]
    assert wait_until(lambda: clock() > ends + 0.2, 10)
    assert checkin_rows(d) == {code: (False, True, "v")}  # nothing has run since
    assert kiosk.get("/appointments/faces?service=vip").json() == []
    assert checkin_rows(d) == {}
    # Issue path: any ticket issued after the slot deletes what has expired.
    code, ends = ending_soon(id_number=PERSON)
    assert set(checkin_rows(d)) == {code}
    assert wait_until(lambda: clock() > ends + 0.2, 10)
    assert kiosk.post("/tickets", {"service": "general"}).status_code == 201
    assert checkin_rows(d) == {}
    r = kiosk.post("/tickets", {"service": "vip", "id_number": PERSON, "appointment": True})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_appointment"
