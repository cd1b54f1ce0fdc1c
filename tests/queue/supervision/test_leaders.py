"""分管领导签到 against a real daemon: id + PIN at a kiosk or face terminal, throttled, counted.

"分管领导每月必须到中心签到2次": GET /leaders/visits counts each leader's days with a
sign-in in the month against their required count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from hall.config import hash_pin
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.core.tables.supervision import leader_visits_table
from hall.queue.supervision.leaders import leader_counts
from tests.support import PIN, Daemon, hall_config

MANAGER, KIOSK, DISPLAY = "manager-token-1", "kiosk-token-1", "display-token-1"
TERMINAL = {"name": "win1", "token": "terminal-token-1", "windows": [1, 2]}
_HASH = hash_pin(PIN)


def leaders_config() -> dict[str, Any]:
    """The test hall with two leaders (L2 owes one visit a month) and a face terminal."""
    return hall_config(
        leaders=[
            {"id": "L1", "name": "王副县长", "title": "分管副县长", "pin_hash": _HASH},
            {"id": "L2", "name": "李局长", "pin_hash": _HASH, "monthly_visits": 1},
        ],
        attendance={"terminals": [TERMINAL]},
        sign_in={"lockout_failures": 3, "backoff_s": 0},
    )


@pytest.fixture
def d(make_daemon: Callable[..., Daemon]) -> Daemon:
    return make_daemon(leaders_config())


def counts(d: Daemon, month: str) -> dict[str, tuple[int, int, bool]]:
    r = d.api(MANAGER).get(f"/leaders/visits?month={month}")
    assert r.status_code == 200, r.text
    return {m["id"]: (m["visits"], m["required"], m["met"]) for m in r.json()["leaders"]}


def test_a_leader_signs_in_at_a_kiosk_or_a_face_terminal(d: Daemon) -> None:
    r = d.api(KIOSK).post("/leaders/sign-in", {"id": "L1", "pin": PIN})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["name"], first["method"], first["terminal"]) == ("王副县长", "pin", "kiosk-t")
    # The tests' clock: Tuesday 2026-06-02 in the hall's zone.
    assert (first["day"], first["visits"], first["required"]) == ("2026-06-02", 1, 2)
    again = d.api(TERMINAL["token"]).post("/leaders/sign-in", {"id": "L1", "pin": PIN})
    assert again.status_code == 201 and again.json()["terminal"] == "win1"
    assert again.json()["visits"] == 1  # the same day: one visit
    assert counts(d, "2026-06") == {"L1": (1, 2, False), "L2": (0, 1, False)}

    # Another day (the daemon restarted a day later on the same store): the second visit.
    d.shift_s = 86400
    d.restart()
    r = d.api(KIOSK).post("/leaders/sign-in", {"id": "L1", "pin": PIN})
    assert r.json()["day"] == "2026-06-03" and r.json()["visits"] == 2
    assert d.api(KIOSK).post("/leaders/sign-in", {"id": "L2", "pin": PIN}).status_code == 201
    visits = d.api(MANAGER).get("/leaders/visits?month=2026-06").json()["leaders"]
    assert visits[0]["days"] == ["2026-06-02", "2026-06-03"]
    assert counts(d, "2026-06") == {"L1": (2, 2, True), "L2": (1, 1, True)}
    assert counts(d, "2026-07") == {"L1": (0, 2, False), "L2": (0, 1, False)}


def test_only_kiosks_and_face_terminals_sign_leaders_in(d: Daemon) -> None:
    body = {"id": "L1", "pin": PIN}
    staff = d.staff("S001", 1)
    for who in (d.api(DISPLAY), d.api(MANAGER), staff):
        r = who.post("/leaders/sign-in", body)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["message"] and r.json()["error"]["message_en"]
    assert d.api(None).post("/leaders/sign-in", body).status_code == 401
    assert d.api("not-a-token-at-all").post("/leaders/sign-in", body).status_code == 401
    # The month's counts are the managers'.
    for who in (d.api(KIOSK), d.api(DISPLAY), staff, d.api(TERMINAL["token"])):
        assert who.get("/leaders/visits?month=2026-06").status_code in (401, 403)
    assert d.api(KIOSK).get("/leaders/visits").status_code == 403
    assert counts(d, "2026-06")["L1"] == (0, 2, False)


def test_wrong_pins_are_throttled_like_a_staff_sign_in(d: Daemon) -> None:
    kiosk = d.api(KIOSK)
    for _ in range(2):
        r = kiosk.post("/leaders/sign-in", {"id": "L1", "pin": "9999"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
        assert "leader" in r.json()["error"]["message_en"]
    r = kiosk.post("/leaders/sign-in", {"id": "L1", "pin": "9999"})  # the third: locked
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "领导" in r.json()["error"]["message"]
    r = kiosk.post("/leaders/sign-in", {"id": "L1", "pin": PIN})  # even the right PIN
    assert r.status_code == 429
    # Counted apart from the staff ids, under leader:<id>, with the leader's name.
    failures = d.api(MANAGER).get("/sign-in/failures").json()
    assert {(f["staff_id"], f["name"]) for f in failures["failures"]} == {("leader:L1", "王副县长")}
    assert d.staff("S001", 1)  # staff ids are not affected
    r = d.api(MANAGER).post("/sign-in/unlock", {"kind": "staff", "subject": "leader:L1"})
    assert r.status_code == 200
    assert kiosk.post("/leaders/sign-in", {"id": "L1", "pin": PIN}).status_code == 201
    r = kiosk.post("/leaders/sign-in", {"id": "L9", "pin": PIN})  # unknown: as a wrong PIN
    assert r.status_code == 401
    assert counts(d, "2026-06")["L1"] == (1, 2, False)


def test_leader_counts_for_the_reports_count_days_in_the_month(tmp_path: Path) -> None:
    """``leader_counts(conn, month)`` on a real SQLite store, as the 通报 reads it."""
    engine = open_engine(sqlite_url(tmp_path))
    visits = [
        ("L1", "2026-05-31"),  # May: not June's
        ("L1", "2026-06-01"),
        ("L1", "2026-06-01"),  # twice on one day: one visit
        ("L1", "2026-06-30"),
        ("L2", "2026-06-15"),
        ("L2", "2026-07-01"),  # July
    ]
    with engine.begin() as conn:
        for leader_id, day in visits:
            row = {"leader_id": leader_id, "ts": 0.0, "day": day, "method": "pin"}
            conn.execute(insert(leader_visits_table).values(**row))
    with engine.connect() as conn:
        assert leader_counts(conn, "2026-06") == {"L1": 2, "L2": 1}
        assert leader_counts(conn, dt.date(2026, 6, 17)) == {"L1": 2, "L2": 1}
        assert leader_counts(conn, "2026-05") == {"L1": 1}
        assert leader_counts(conn, "2026-08") == {}
    engine.dispose()
