"""Attendance with real daemons: face check-in from a window terminal, PIN, rules, reports.

Faces: the ORL database, courtesy of the Olivetti Research Laboratory.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from hall.config import AttendanceSection, FaceSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.face_checkin import FaceTerminal, TerminalClient
from hall.kiosk.face_store import FaceStore
from hall.queue.attendance.records import classify
from hall.vision import face_sim
from hall.vision.face_engines import open_engine
from tests.support import PIN, hall_config

TZ = ZoneInfo("Asia/Shanghai")
KEY = "ab" * 32
TERMINAL = {"name": "win1", "token": "terminal-token-1", "windows": [1, 2]}
needs_orl = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")


def config() -> dict:
    return hall_config(attendance={"terminals": [TERMINAL]})


@pytest.fixture(scope="module")
def engine():
    return open_engine(FaceSection())


def frames_of(person: int, images: list[int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        face_sim.place(face_sim.background(rng), face_sim.orl(person, i), 320, 240, 2.0)
        for i in images
    ]


def login_token(daemon, staff_id: str, window: int) -> str:
    r = daemon.api(None).post("/staff/login", {"staff_id": staff_id, "pin": PIN, "window": window})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture
def terminal(make_daemon, engine, tmp_path):
    daemon = make_daemon(config())
    client = TerminalClient(daemon.base, TERMINAL["token"])
    term = FaceTerminal(
        "win1", FaceSection(template_key=KEY), engine, FaceStore(tmp_path / "faces", KEY), client
    )
    yield daemon, term
    client.close()


def enrol(daemon, term, staff_id: str, person: int) -> None:
    token = login_token(daemon, staff_id, 1 if staff_id != "S002" else 2)
    staff = DaemonClient(daemon.base, token)
    consent = term.enrol_staff(staff, staff_id, frames_of(person, [1, 2, 3, 4, 5, 8]))
    assert consent["terminal"] == "win1" and consent["consent_version"] == "2026-01"
    assert staff._request("POST", "/staff/logout")["window"]["state"] == "closed"
    staff.close()


@needs_orl
def test_face_checkin_opens_window_and_records_face(terminal):
    daemon, term = terminal
    enrol(daemon, term, "S001", person=5)
    rng = np.random.default_rng(4)
    outcome = term.check_in(face_sim.live_sequence(rng, 5, [6, 7], 40), window=1)
    assert outcome.ok and outcome.reason == "checked_in" and outcome.subject == "S001"
    assert outcome.elapsed_s > 0  # how long (target <= 2 s): bench/bench_face.py
    windows = {w["number"]: w for w in daemon.api("manager-token-1").get("/windows").json()}
    assert windows[1]["state"] == "open" and windows[1]["staff_id"] == "S001"
    staff = daemon.api(outcome.answer["token"])
    assert staff.post("/windows/1/pause").status_code == 200  # a real staff session
    assert outcome.answer["attendance"]["method"] == "face"
    assert outcome.answer["attendance"]["terminal"] == "win1"
    report = daemon.api("manager-token-1").get("/attendance/daily").json()
    row = next(r for r in report["staff"] if r["staff_id"] == "S001")
    # The enrolment began with an id + PIN login today: that was the first check-in.
    assert row["checkin_method"] == "pin" and row["checkin"] is not None
    # Check-out closes the window and is recorded.
    assert staff.post("/windows/1/resume").status_code == 200
    out = staff.post("/attendance/checkout").json()
    assert out["window"]["state"] == "closed" and out["attendance"]["kind"] == "checkout"


@needs_orl
@pytest.mark.parametrize("moving", [False, True])
def test_photo_does_not_check_in(terminal, moving):
    daemon, term = terminal
    enrol(daemon, term, "S001", person=5)
    rng = np.random.default_rng(5)
    outcome = term.check_in(face_sim.photo_sequence(rng, 5, 6, 45, moving=moving), window=1)
    assert not outcome.ok and outcome.reason == "not_live"
    windows = {w["number"]: w for w in daemon.api("kiosk-token-1").get("/windows").json()}
    assert windows[1]["state"] == "closed"


@needs_orl
def test_stranger_and_withdrawn_consent(terminal):
    daemon, term = terminal
    enrol(daemon, term, "S001", person=5)
    rng = np.random.default_rng(6)
    stranger = term.check_in(face_sim.live_sequence(rng, 33, [6, 7], 40), window=1)
    assert not stranger.ok and stranger.reason == "no_match"
    manager = daemon.api("manager-token-1")
    assert manager.session.delete(daemon.base + "/api/v1/attendance/consents/S001").ok
    again = term.check_in(face_sim.live_sequence(rng, 5, [6, 7], 40), window=1)
    assert not again.ok and term.store.load("S001") is None  # template destroyed


def test_face_claim_is_not_trusted(make_daemon):
    daemon = make_daemon(config())
    body = {"staff_id": "S001", "window": 1, "engine": "classic"}
    for token in ("kiosk-token-1", "manager-token-1", None):
        r = daemon.api(token).post("/attendance/checkin/face", body)
        assert r.status_code == 401 and r.json()["error"]["code"] == "not_a_terminal"
    term = daemon.api(TERMINAL["token"])
    r = term.post("/attendance/checkin/face", body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_face_consent"
    manager = daemon.api("manager-token-1")
    consent = {"staff_id": "S003", "terminal": "win1", "consent_version": "v1"}
    assert manager.post("/attendance/consents", consent).status_code == 201
    r = term.post("/attendance/checkin/face", {**body, "staff_id": "S003", "window": 3})
    assert r.status_code == 403  # the terminal does not stand at window 3
    assert [c["staff_id"] for c in term.get("/attendance/consents").json()] == ["S003"]
    # Staff may give consent only for themselves.
    s1 = daemon.api(login_token(daemon, "S001", 1))
    r = s1.post("/attendance/consents", {**consent, "staff_id": "S002"})
    assert r.status_code == 403


def test_backup_opens_free_window_by_face(make_daemon):
    daemon = make_daemon(config())
    manager = daemon.api("manager-token-1")
    consent = {"staff_id": "SB", "terminal": "win1", "consent_version": "v1"}
    assert manager.post("/attendance/consents", consent).status_code == 201
    body = {"staff_id": "SB", "window": 2, "engine": "classic"}
    r = daemon.api(TERMINAL["token"]).post("/attendance/checkin/face", body)
    assert r.status_code == 200, r.text
    assert r.json()["window"]["staff_id"] == "SB" and r.json()["attendance"]["method"] == "face"


def test_pin_checkin_records_pin(make_daemon):
    daemon = make_daemon(config())
    r = daemon.api(None).post("/attendance/checkin", {"staff_id": "S002", "pin": PIN, "window": 2})
    assert r.status_code == 200 and r.json()["attendance"]["method"] == "pin"
    bad = daemon.api(None).post(
        "/attendance/checkin", {"staff_id": "S002", "pin": "0000", "window": 2}
    )
    assert bad.status_code == 401


def test_window_login_and_logout_are_attendance_records(make_daemon):
    """/staff/login writes a PIN check-in, /staff/logout a check-out; refusals write neither."""
    daemon = make_daemon(config())
    manager = daemon.api("manager-token-1")
    today = daemon.now().astimezone(TZ).date().isoformat()

    def row(staff: str) -> dict:
        daily = manager.get("/attendance/daily", params={"date": today}).json()
        return next(r for r in daily["staff"] if r["staff_id"] == staff)

    bad = daemon.api(None).post("/staff/login", {"staff_id": "S003", "pin": "0000", "window": 3})
    assert bad.status_code == 401 and row("S003")["checkin"] is None
    token = login_token(daemon, "S003", 3)
    seen = row("S003")
    assert seen["checkin"] is not None and seen["checkin_method"] == "pin"
    assert seen["checkout"] is None
    staff = daemon.api(token)
    assert daemon.api("kiosk-token-1").post("/tickets", {"service": "other"}).status_code == 201
    assert staff.post("/windows/3/call").status_code == 200
    refused = staff.post("/staff/logout")  # a citizen is at the window
    assert refused.status_code == 409 and row("S003")["checkout"] is None
    assert staff.post("/windows/3/finish", {"case_type": "即办件"}).status_code == 200
    assert staff.post("/staff/logout").status_code == 200
    assert row("S003")["checkout"] is not None
    assert row("S003")["checkin"] == seen["checkin"]  # the first check-in of the day stands


RULES = AttendanceSection()
DAY = dt.date(2026, 3, 10)


def at(hhmm: str) -> float:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(DAY, dt.time(h, m), TZ).timestamp()


@pytest.mark.parametrize(
    ("checkin", "checkout", "status"),
    [
        ("09:15", "17:00", "normal"),  # exactly 15 minutes is not "more than 15"
        ("09:16", "17:00", "late"),
        ("09:30", "16:45", "late"),
        ("09:31", "17:00", "absent"),
        ("08:50", "16:44", "early"),
        ("08:50", "16:29", "absent"),
        ("09:20", "16:40", "late_early"),
        (None, None, "absent"),
    ],
)
def test_rules(checkin, checkout, status):
    got = classify(
        RULES, TZ, DAY, checkin and at(checkin), checkout and at(checkout), False, at("23:00")
    )
    assert got["status"] == status


def test_leave_and_pending():
    assert classify(RULES, TZ, DAY, None, None, True, at("23:00"))["status"] == "leave"
    assert classify(RULES, TZ, DAY, None, None, False, at("09:20"))["status"] == "pending"


def test_daily_and_monthly_reports(make_daemon):
    daemon = make_daemon(config())
    manager = daemon.api("manager-token-1")
    today = daemon.now().astimezone(TZ).date()
    day = today - dt.timedelta(days=7)
    while day.isoweekday() > 5:
        day -= dt.timedelta(days=1)

    def stamp(staff: str, kind: str, hhmm: str) -> None:
        when = dt.datetime.combine(day, dt.time(*map(int, hhmm.split(":"))), TZ)
        body = {"staff_id": staff, "kind": kind, "at": when.isoformat(), "note": "补卡"}
        assert manager.post("/attendance/records", body).status_code == 201

    stamp("S001", "checkin", "09:10")
    stamp("S001", "checkout", "17:05")
    stamp("S002", "checkin", "09:20")
    stamp("S002", "checkout", "17:00")
    stamp("S003", "checkin", "08:55")
    stamp("S003", "checkout", "16:40")
    stamp("S004", "checkin", "09:45")
    stamp("S004", "checkout", "17:00")
    leave = {"staff_id": "S005", "date": day.isoformat(), "note": "年假"}
    assert manager.post("/attendance/leave", leave).status_code == 201
    daily = manager.get("/attendance/daily", params={"date": day.isoformat()}).json()
    status = {r["staff_id"]: r["status"] for r in daily["staff"]}
    assert status == {
        "S001": "normal",
        "S002": "late",
        "S003": "early",
        "S004": "absent",
        "S005": "leave",
        "SB": "absent",
    }
    month = manager.get("/attendance/monthly", params={"month": day.strftime("%Y-%m")}).json()
    s2 = next(s for s in month["staff"] if s["staff_id"] == "S002")
    assert s2["counts"]["late"] == 1
    assert any(d["day"] == day.isoformat() and d["status"] == "late" for d in s2["days"])
    assert daemon.api("kiosk-token-1").get("/attendance/daily").status_code == 403
    assert manager.get("/attendance/monthly", params={"month": "2026-13"}).status_code == 422
