"""Manager accounts (issue 13): managers are people who sign in, not one shared token.

``managers:`` in config.yaml (id, name, PIN hash); ``POST /manager/login`` with the same
PIN check and failure limits as staff; sessions in the store (only the token's SHA-256),
expiring, ended by ``/manager/logout`` with their event streams; what a manager does is
recorded as ``manager:<id>``; the static manager token is a warned-about bootstrap. An
unknown or expired token is a 401. Against a real daemon over HTTP.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from typing import Any

import pytest
import requests

from hall.config import hash_pin, load_config
from hall.queue.__main__ import demo_warning
from tests.kiosk.submission_helpers import wire
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import PIN, ROOT, Api, Daemon, hall_config, wait_until
from tests.support.streams import open_stream, watch

MANAGER_PIN = "864209"
WRONG = "97531864"
_HASH = hash_pin(MANAGER_PIN)
#: M01 and M02, and a manager whose id is also a staff id (S001): their failures must not mix.
MANAGERS = [
    {"id": "M01", "name": "王主任", "pin_hash": _HASH},
    {"id": "M02", "name": "赵副主任", "pin_hash": _HASH},
    {"id": "S001", "name": "李科长", "pin_hash": _HASH},
]
KIOSK, DISPLAY, STATIC = "kiosk-token-1", "display-token-1", "manager-token-1"


def manager_config(**overrides: Any) -> dict[str, Any]:
    """The test hall with manager accounts (and no sign-in backoff: lockouts are tested)."""
    sign_in = {"backoff_s": 0, **overrides.pop("sign_in", {})}
    return hall_config(managers=MANAGERS, sign_in=sign_in, **overrides)


def manager_login(d: Daemon, manager_id: str = "M01", pin: str = MANAGER_PIN) -> requests.Response:
    """POST /manager/login without a token."""
    body = {"manager_id": manager_id, "pin": pin}
    return requests.post(d.base + "/api/v1/manager/login", json=body, timeout=10)


def signed_in(d: Daemon, manager_id: str = "M01") -> Api:
    """A client with a manager session's token."""
    r = manager_login(d, manager_id)
    assert r.status_code == 200, r.text
    return d.api(r.json()["token"])


def token_of(api: Api) -> str:
    return api.session.headers["Authorization"].split()[1]


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(manager_config())


# -- tokens nobody issued -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rectifications"),
        ("GET", "/sign-in/failures"),
        ("POST", "/windows/1/call"),
        ("GET", "/windows"),
        ("GET", "/manager/me"),
    ],
)
def test_an_unknown_token_is_401_not_403(hall: Daemon, method: str, path: str) -> None:
    r = hall.api("not-a-token-anyone-issued").session.request(
        method, hall.base + "/api/v1" + path, timeout=10
    )
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] in ("unauthenticated", "session_expired"), r.text
    assert r.json()["error"]["message"] and r.json()["error"]["message_en"]


def test_an_ended_staff_session_is_401_on_a_manager_route(hall: Daemon) -> None:
    clerk = hall.staff("S002", 2)
    assert clerk.get("/rectifications").status_code == 403  # a live staff session: forbidden
    assert clerk.post("/staff/logout").status_code == 200
    r = clerk.get("/rectifications")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired", r.text


# -- signing in -----------------------------------------------------------------------------
def test_a_manager_signs_in_and_the_session_acts_as_that_manager(hall: Daemon) -> None:
    r = manager_login(hall)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "王主任" and body["expires_in_s"] == 8 * 3600
    token = body["token"]
    me = hall.api(token).get("/manager/me").json()
    assert me == {
        "role": "manager",
        "id": "M01",
        "name": "王主任",
        "kind": "session",
        "expires_in_s": pytest.approx(8 * 3600, abs=60),
    }
    assert hall.api(token).get("/rectifications").status_code == 200
    assert hall.api(token).get("/sign-in/failures").status_code == 200
    static = hall.api(STATIC).get("/manager/me").json()
    assert (static["id"], static["kind"], static["expires_in_s"]) == ("mgr-t", "token", None)
    # Only the token's SHA-256 is stored.
    db = sqlite3.connect(hall.data_dir / "hall.sqlite3")
    try:
        rows = db.execute("SELECT token_hash, manager_id FROM manager_sessions").fetchall()
    finally:
        db.close()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "M01")]
    assert token.encode() not in (hall.data_dir / "hall.sqlite3").read_bytes()


def test_a_manager_pin_is_not_a_staff_login_and_the_other_way_round(hall: Daemon) -> None:
    staff_pin = {"manager_id": "S002", "pin": PIN}  # a staff id and its PIN
    r = requests.post(hall.base + "/api/v1/manager/login", json=staff_pin, timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
    as_staff = {"staff_id": "M01", "pin": MANAGER_PIN, "window": 1}
    r = requests.post(hall.base + "/api/v1/staff/login", json=as_staff, timeout=10)
    assert r.status_code == 401


def test_wrong_pins_are_counted_and_lock_the_manager_id(make_daemon) -> None:
    d = make_daemon(manager_config(sign_in={"lockout_failures": 3}))
    wrong = [manager_login(d, "S001", WRONG) for _ in range(2)]
    for r in wrong:
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials", r.text
    r = manager_login(d, "S001", WRONG)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 800, r.text
    assert "S001" in r.json()["error"]["message"] and "管理" in r.json()["error"]["message"]
    right = manager_login(d, "S001")  # the right PIN too, while locked
    assert right.status_code == 429 and right.json()["error"]["code"] == "sign_in_locked"
    # The clerk S001 is another account: the manager S001's failures do not lock it.
    assert d.staff("S001", 1).post("/staff/logout").status_code == 200
    # Unknown manager ids are counted like wrong PINs and answer the same.
    ghost = manager_login(d, "GHOST", WRONG)
    assert ghost.status_code == 401 and ghost.json() == wrong[0].json()
    boss = signed_in(d, "M01")
    listed = boss.get("/sign-in/failures").json()
    subjects = [f["staff_id"] for f in listed["failures"]]
    assert subjects.count("manager:S001") == 3 and "manager:GHOST" in subjects
    assert listed["failures"][-1]["name"] == "李科长"
    [lock] = listed["locks"]
    assert (lock["kind"], lock["subject"], lock["name"], lock["active"]) == (
        "staff",
        "manager:S001",
        "李科长",
        True,
    )
    # The unlock records the manager who did it, by id.
    r = boss.post("/sign-in/unlock", {"kind": "staff", "subject": "manager:S001"})
    assert r.status_code == 200 and r.json()["by"] == "manager:M01", r.text
    assert manager_login(d, "S001").status_code == 200


# -- sessions end ---------------------------------------------------------------------------
def test_a_session_expires_and_its_stream_ends(make_daemon) -> None:
    d = make_daemon(manager_config(api={**hall_config()["api"], "manager_session_hours": 0.001}))
    start = d.now()
    boss = signed_in(d)
    assert boss.get("/rectifications").status_code == 200
    events = open_stream(d, token_of(boss))
    try:
        assert events.status_code == 200
        ended = watch(events)
        assert wait_until(lambda: boss.get("/rectifications").status_code == 401, 20)
        assert (d.now() - start).total_seconds() >= 3.6  # 0.001 h on the daemon's clock
        r = boss.get("/manager/me")
        assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
        assert ended.wait(10)
    finally:
        events.close()


def test_logout_ends_the_session_and_closes_its_stream(hall: Daemon) -> None:
    mine, other = signed_in(hall, "M01"), signed_in(hall, "M02")
    a, b = open_stream(hall, token_of(mine)), open_stream(hall, token_of(other))
    try:
        assert a.status_code == b.status_code == 200
        a_ended, b_ended = watch(a), watch(b)
        r = mine.post("/manager/logout")
        assert r.status_code == 200 and r.json() == {"id": "M01", "ended": True}, r.text
        assert a_ended.wait(5)
        assert not b_ended.wait(0.5)  # another manager's session goes on
        assert mine.get("/rectifications").status_code == 401
        assert mine.post("/manager/logout").status_code == 401
        assert other.get("/rectifications").status_code == 200
    finally:
        a.close()
        b.close()


def test_a_new_sign_in_does_not_end_the_same_managers_other_session(hall: Daemon) -> None:
    office, phone = signed_in(hall), signed_in(hall)
    assert office.get("/manager/me").status_code == phone.get("/manager/me").status_code == 200


# -- who may ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["kiosk", "display", "staff"])
def test_other_roles_cannot_use_manager_routes(hall: Daemon, who: str) -> None:
    client = {
        "kiosk": lambda: hall.api(KIOSK),
        "display": lambda: hall.api(DISPLAY),
        "staff": lambda: hall.staff("S003", 3),
    }[who]()
    for method, path, body in [
        ("GET", "/manager/me", None),
        ("POST", "/manager/logout", None),
        ("GET", "/rectifications", None),
        ("GET", "/sign-in/failures", None),
        ("POST", "/sign-in/unlock", {"kind": "staff", "subject": "S001"}),
        ("POST", "/evaluations/1/appeal", {"decision": "upheld", "reason": "核实无误"}),
        ("GET", "/statistics/export?start=2026-06-01&end=2026-06-02", None),
    ]:
        r = client.session.request(method, client.base + path, json=body, timeout=10)
        assert r.status_code == 403, (method, path, r.text)


def test_login_body_is_checked(hall: Daemon) -> None:
    for body, field in [
        ({"manager_id": "M01"}, "pin"),
        ({"pin": MANAGER_PIN}, "manager_id"),
        ({"manager_id": "M01", "pin": MANAGER_PIN, "window": 1}, "window"),
        ({"manager_id": "x" * 100, "pin": MANAGER_PIN}, "manager_id"),
    ]:
        r = requests.post(hall.base + "/api/v1/manager/login", json=body, timeout=10)
        assert r.status_code == 422 and field in r.json()["error"]["message_en"], r.text
        assert field in r.json()["error"]["message"]


# -- what is recorded -------------------------------------------------------------------------
def test_an_appeal_and_a_rectification_step_record_the_managers_id(hall: Daemon) -> None:
    staff = hall.staff("S002", 2)
    rated = rate(hall, serve(hall, staff, 2)[0]["id"], 1, comment="等太久")
    boss = signed_in(hall, "M02")
    step = boss.post(f"/rectifications/{rated['rectification']}/verify", {"note": "已核实"})
    assert step.status_code == 200, step.text
    case = boss.get(f"/rectifications/{rated['rectification']}").json()
    assert [s["actor"] for s in case["history"]] == ["system", "manager:M02"], case
    body = {"decision": "upheld", "reason": "评价人误按,经调取录像核实"}
    appeal = boss.post(f"/evaluations/{rated['id']}/appeal", body)
    assert appeal.status_code == 201, appeal.text
    assert appeal.json()["decided_by"] == "manager:M02"


def test_a_submission_action_and_a_leave_record_the_managers_id(hall: Daemon) -> None:
    boss = signed_in(hall, "M01")
    r = boss.post("/attendance/leave", {"staff_id": "S004", "date": "2026-06-03", "note": "年假"})
    assert r.status_code == 201, r.text
    assert r.json()["actor"] == "manager:M01", r.text
    case = hall.api(KIOSK).post("/submissions", wire(7)).json()
    accepted = boss.post(f"/submissions/{case['id']}/accept", {})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["history"][-1]["actor"] == "manager:M01"


def test_the_static_token_is_recorded_by_its_name_and_warned_about(
    hall: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    staff = hall.staff("S002", 2)
    rated = rate(hall, serve(hall, staff, 2)[0]["id"], 1)
    body = {"decision": "rejected", "reason": "评价属实"}
    with caplog.at_level(logging.WARNING, logger="hall.queue.web.auth"):
        appeal = hall.api(STATIC).post(f"/evaluations/{rated['id']}/appeal", body)
    assert appeal.status_code == 201 and appeal.json()["decided_by"] == "manager:mgr-t"
    warned = [r.getMessage() for r in caplog.records if r.name == "hall.queue.web.auth"]
    assert any("mgr-t" in m and "bootstrap" in m for m in warned), warned


def test_a_statistics_export_is_logged_with_the_managers_id(
    hall: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    boss = signed_in(hall, "M02")
    with caplog.at_level(logging.INFO, logger="hall.queue.web.api.manager"):
        r = boss.get("/statistics/export", params={"start": "2026-06-01", "end": "2026-06-02"})
    assert r.status_code == 200, r.text
    logged = [r.getMessage() for r in caplog.records if r.name == "hall.queue.web.api.manager"]
    assert any("export" in m and "manager:M02" in m for m in logged), logged


# -- config ----------------------------------------------------------------------------------
def test_the_demo_manager_pin_is_a_demo_secret() -> None:
    cfg = load_config(ROOT / "config.yaml")
    assert cfg.managers, "config.yaml has a demo manager"
    assert any(s.startswith("manager ") and s.endswith(" PIN") for s in cfg.demo_secrets())
    assert "token manager" in cfg.demo_secrets()
    assert "manager M001 PIN" in demo_warning(cfg.demo_secrets())


def test_a_manager_id_may_not_be_a_manager_token_name(tmp_path) -> None:
    from hall.config import ConfigError
    from tests.support import write_config

    cfg = manager_config()
    cfg["managers"] = [*MANAGERS, {"id": "mgr-t", "name": "冒名", "pin_hash": _HASH}]
    with pytest.raises(ConfigError, match="managers.3.id"):
        load_config(write_config(tmp_path / "c.yaml", cfg))
    cfg["managers"] = [*MANAGERS, {"id": "M01", "name": "重复", "pin_hash": _HASH}]
    with pytest.raises(ConfigError, match="managers.3.id"):
        load_config(write_config(tmp_path / "c.yaml", cfg))


def test_an_ended_manager_session_is_no_unknown_token(hall: Daemon) -> None:
    """The manager page left open after 退出 is refused (401) but not listed as a wrong token."""
    mine = signed_in(hall)
    assert mine.post("/manager/logout").status_code == 200
    for _ in range(3):
        assert mine.get("/rectifications").status_code == 401
    unknown = hall.api("a-token-nobody-issued")
    assert unknown.get("/rectifications").status_code == 401
    boss = signed_in(hall, "M02")

    def listed() -> list[str]:
        return [r["token_prefix"] for r in boss.get("/devices/refused-tokens").json()["refused"]]

    wrong = hashlib.sha256(b"a-token-nobody-issued").hexdigest()[:8]
    assert wait_until(lambda: wrong in listed(), 10)
    ended = hashlib.sha256(token_of(mine).encode()).hexdigest()[:8]
    assert ended not in listed()
