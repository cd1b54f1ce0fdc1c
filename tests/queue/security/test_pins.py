"""Staff sign-in (issue 13): throttled, locked, unlocked, logged, the same for unknown ids.

Failures counted in the store, backoff then lockout, a manager unlock, failures logged and
listed, the same scrypt for unknown ids, a bounded scrypt pool, and PINs of at least 6
digits for new hashes. Against a real daemon over HTTP.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from hall.config import load_config, verify_pin
from hall.queue.__main__ import demo_warning, main
from tests.support import PIN, ROOT, Daemon, hall_config, wait_until

WRONG = "97531864"  # never a PIN of the test hall; must never appear in a log or the store
LOG = "hall.queue.tickets.sign_in_limits"


def config(**sign_in: Any) -> dict[str, Any]:
    """The test hall with sign-in settings (no backoff unless asked: lockouts are tested)."""
    return hall_config(sign_in={"backoff_s": 0, **sign_in})


def login(d: Daemon, staff: str = "S001", pin: str = PIN, window: int = 1) -> requests.Response:
    return requests.post(
        d.base + "/api/v1/staff/login",
        json={"staff_id": staff, "pin": pin, "window": window},
        timeout=10,
    )


def refused(r: requests.Response, code: str = "sign_in_locked") -> dict[str, Any]:
    """A 429 with Retry-After (whole seconds) and a message in Chinese and English."""
    assert r.status_code == 429, r.text
    error = r.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and error["message_en"], error
    assert int(r.headers["Retry-After"]) >= 1
    assert error["details"]["retry_after_s"] == int(r.headers["Retry-After"])
    return error


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every scrypt run in this process from now on: the name of the thread that ran it."""
    calls: list[str] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_failures_lock_the_id_and_the_right_pin_is_refused(make_daemon) -> None:
    d = make_daemon(config())
    for _ in range(4):
        r = login(d, pin=WRONG)
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
    error = refused(login(d, pin=WRONG))  # the 5th failure locks
    assert "S001" in error["message"] and "锁定" in error["message"]
    assert "locked" in error["message_en"] and "15 min" in error["message_en"]
    right = login(d)
    refused(right)
    assert 800 <= int(right.headers["Retry-After"]) <= 900
    checkin = {"staff_id": "S001", "pin": PIN, "window": 1}
    refused(requests.post(d.base + "/api/v1/attendance/checkin", json=checkin, timeout=10))
    # Another clerk at the same address is not locked out by one id's failures.
    assert login(d, "S002", window=2).status_code == 200


def test_backoff_after_the_second_failure_then_the_right_pin(make_daemon) -> None:
    d = make_daemon(hall_config(sign_in={"backoff_s": 0.5}))
    assert login(d, pin=WRONG).status_code == 401
    assert login(d, pin=WRONG).status_code == 401
    error = refused(login(d), "sign_in_wait")  # the right PIN, too soon
    assert "请" in error["message"] and "wait" in error["message_en"]
    # Tries refused during the backoff are not counted: once it is over the PIN works.
    assert wait_until(lambda: login(d).status_code == 200, 10)


def test_a_lock_ends_by_itself_after_lockout_s(make_daemon) -> None:
    d = make_daemon(config(lockout_failures=2, lockout_s=1))
    assert login(d, pin=WRONG).status_code == 401
    refused(login(d, pin=WRONG))
    refused(login(d))
    # Failures from before the lock do not count again: the right PIN works afterwards.
    assert wait_until(lambda: login(d).status_code == 200, 10)


def test_one_address_is_locked_whatever_ids_it_tries(make_daemon) -> None:
    d = make_daemon(config(address_lockout_failures=3))
    assert login(d, "S001", pin=WRONG).status_code == 401
    assert login(d, "NOBODY", pin=WRONG).status_code == 401
    error = refused(login(d, "S002", pin=WRONG, window=2))
    assert "127.0.0.1" in error["message"] and "127.0.0.1" in error["message_en"]
    refused(login(d, "S003", window=3))  # a right PIN of an untouched id, same address


@pytest.mark.process
def test_failures_and_locks_survive_a_kill_and_a_restart(make_daemon) -> None:
    d = make_daemon(config(lockout_failures=3))
    assert login(d, pin=WRONG).status_code == 401
    assert login(d, pin=WRONG).status_code == 401
    d.kill()
    d.start()
    refused(login(d, pin=WRONG))  # the third failure, counted with the two before the kill
    d.kill()
    d.start()
    refused(login(d))  # still locked: the right PIN is refused


def test_manager_unlocks_others_may_not_and_it_is_recorded(make_daemon) -> None:
    d = make_daemon(config(lockout_failures=2))
    staff = d.staff("S002", 2)
    assert login(d, pin=WRONG).status_code == 401
    refused(login(d, pin=WRONG))
    body = {"kind": "staff", "subject": "S001"}
    for token in ("kiosk-token-1", "display-token-1"):
        assert d.api(token).post("/sign-in/unlock", body).status_code == 403
    assert staff.post("/sign-in/unlock", body).status_code == 403
    assert d.api(None).post("/sign-in/unlock", body).status_code == 401
    refused(login(d))
    manager = d.api("manager-token-1")
    r = manager.post("/sign-in/unlock", body)
    assert r.status_code == 200, r.text
    assert r.json()["by"] == "manager:mgr-t" and r.json()["locks_ended"] == 1
    lock = manager.get("/sign-in/failures").json()["locks"][0]
    assert (lock["subject"], lock["active"], lock["unlocked_by"]) == (
        "S001",
        False,
        "manager:mgr-t",
    )
    assert lock["unlocked_at"] is not None and lock["name"] == "员工1"
    assert login(d).status_code == 200
    again = manager.post("/sign-in/unlock", body)
    assert again.status_code == 404 and again.json()["error"]["message_en"]
    bad = manager.post("/sign-in/unlock", {"kind": "window", "subject": ""})
    assert bad.status_code == 422
    assert "kind" in bad.json()["error"]["message_en"]
    assert "subject" in bad.json()["error"]["message"]


def test_every_failure_is_logged_and_listed_never_the_pin(make_daemon, caplog) -> None:
    d = make_daemon(config())
    staff = d.staff("S002", 2)
    with caplog.at_level(logging.WARNING, logger=LOG):
        assert login(d, "S001", pin=WRONG).status_code == 401
        assert login(d, "GHOST", pin=WRONG).status_code == 401
    lines = [r.getMessage() for r in caplog.records if "sign-in failed" in r.getMessage()]
    assert len(lines) == 2, lines
    assert "S001" in lines[0] and "127.0.0.1" in lines[0] and "GHOST" in lines[1]
    assert WRONG not in caplog.text
    manager = d.api("manager-token-1")
    listing = manager.get("/sign-in/failures").json()
    seen = [(f["staff_id"], f["name"], f["address"], f["state"]) for f in listing["failures"]]
    assert seen == [
        ("GHOST", None, "127.0.0.1", "failed"),
        ("S001", "员工1", "127.0.0.1", "failed"),
    ]
    for client in (d.api("kiosk-token-1"), d.api("display-token-1"), staff):
        assert client.get("/sign-in/failures").status_code == 403
    assert d.api(None).get("/sign-in/failures").status_code == 401
    stored = b"".join(p.read_bytes() for p in d.data_dir.glob("hall.sqlite3*"))
    assert b"GHOST" in stored and WRONG.encode() not in stored


def test_an_unknown_id_runs_scrypt_like_a_wrong_pin(make_daemon, scrypt_calls) -> None:
    d = make_daemon(config())
    scrypt_calls.clear()  # the daemon's start made its dummy hash
    unknown = login(d, "NOBODY", pin=WRONG)
    assert len(scrypt_calls) == 1  # a dummy hash, the same parameters as a real one
    wrong = login(d, "S002", pin=WRONG, window=2)
    assert len(scrypt_calls) == 2
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    # Both on the PIN pool's threads, not the event loop's default executor.
    assert all(name.startswith("hall-pin") for name in scrypt_calls), scrypt_calls


def test_a_burst_of_guesses_reaches_scrypt_only_up_to_the_limit(make_daemon, scrypt_calls) -> None:
    d = make_daemon(config(verify_queue=100))
    scrypt_calls.clear()
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(lambda _: login(d, pin=WRONG).status_code, range(30)))
    assert len(scrypt_calls) <= 5, len(scrypt_calls)
    assert codes.count(429) >= 25 and set(codes) <= {401, 429}, codes
    refused(login(d))


def _blocking_scrypt(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    gate, calls, real = threading.Event(), [], hashlib.scrypt

    def blocked(*args: Any, **kwargs: Any) -> bytes:
        calls.append(threading.current_thread().name)
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", blocked)
    return gate, calls


def test_the_citizen_page_answers_while_every_pin_check_is_stuck(make_daemon, monkeypatch) -> None:
    d = make_daemon(config())
    ticket = d.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    gate, calls = _blocking_scrypt(monkeypatch)
    pool = ThreadPoolExecutor(12)
    # Real ids with wrong PINs (the old code ran no scrypt at all for unknown ids).
    futures = [pool.submit(login, d, f"S00{1 + i % 5}", WRONG) for i in range(12)]
    try:
        assert wait_until(lambda: len(calls) >= 1, 10)
        # Twelve PIN checks in flight leave the threads other requests read with free.
        page = requests.get(f"{d.base}/t/{ticket['id']}", timeout=5)
        assert page.status_code == 200
    finally:
        gate.set()
        codes = [f.result().status_code for f in futures]
        pool.shutdown()
    assert set(codes) == {401}, codes


def test_sign_ins_beyond_the_pool_queue_are_refused_at_once(make_daemon, monkeypatch) -> None:
    d = make_daemon(config(verify_workers=1, verify_queue=1))
    gate, _calls = _blocking_scrypt(monkeypatch)
    pool = ThreadPoolExecutor(3)
    futures = [pool.submit(login, d, f"S00{1 + i}", WRONG) for i in range(3)]
    try:
        # Two hold the pool (one checking, one waiting): the third is answered at once.
        assert wait_until(lambda: any(f.done() for f in futures), 8)
        refused(next(f for f in futures if f.done()).result(), "sign_in_busy")
    finally:
        gate.set()
        codes = sorted(f.result().status_code for f in futures)
        pool.shutdown()
    assert codes == [401, 401, 429]


@pytest.mark.parametrize("pin", ["1234", "12345", "12a456", "1234567890123"])
def test_hash_pin_refuses_pins_shorter_than_six_digits(pin: str, capsys) -> None:
    assert main(["hash-pin", pin]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "6 to 12 digits" in out.err and "6至12位数字" in out.err


def test_hash_pin_makes_a_six_digit_hash(capsys) -> None:
    assert main(["hash-pin", "135790"]) == 0
    assert verify_pin("135790", capsys.readouterr().out.strip())


def test_the_four_digit_demo_pins_still_sign_in_with_a_warning(make_daemon) -> None:
    demo = load_config(ROOT / "config.yaml")
    warning = demo_warning(demo.demo_secrets())
    assert "staff S001 PIN" in warning
    assert "4 digits" in warning and "hash-pin refuses" in warning and "6位" in warning
    cfg = hall_config()
    cfg["staff"][0]["pin_hash"] = demo.staff[0].pin_hash  # the shipped hash of 1234
    d = make_daemon(cfg)
    assert login(d, "S001", pin="1234").status_code == 200


def test_config_yaml_documents_every_sign_in_setting() -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    section = text.split("\nsign_in:", 1)[1].split("\n\n", 1)[0]
    fields = load_config(ROOT / "config.yaml").sign_in.model_dump()
    for name in fields:
        line = next(x for x in section.splitlines() if x.strip().startswith(f"{name}:"))
        assert "#" in line, f"sign_in.{name} has no comment in config.yaml"
    assert fields["lockout_failures"] == 5 and fields["lockout_window_s"] == 900


def failure_addresses_after_a_forwarded_login(d: Daemon) -> list[str]:
    """A wrong PIN sent with ``X-Forwarded-For: 10.9.9.9``: the addresses the manager sees."""
    r = requests.post(
        d.base + "/api/v1/staff/login",
        json={"staff_id": "S001", "pin": WRONG, "window": 1},
        headers={"X-Forwarded-For": "10.9.9.9"},
        timeout=10,
    )
    assert r.status_code == 401
    failures = d.api("manager-token-1").get("/sign-in/failures").json()["failures"]
    return [f["address"] for f in failures]


def test_a_forwarded_for_header_does_not_move_a_failure_to_another_address(make_daemon) -> None:
    """No proxy is trusted unless configured: X-Forwarded-For cannot reset the per-address count."""
    assert failure_addresses_after_a_forwarded_login(make_daemon(config())) == ["127.0.0.1"]


def test_a_configured_proxy_is_trusted_for_the_client_address(make_daemon) -> None:
    """Behind a hall's reverse proxy (api.trusted_proxies) the address it forwards counts."""
    cfg = config()
    cfg["api"]["trusted_proxies"] = ["127.0.0.1"]
    assert failure_addresses_after_a_forwarded_login(make_daemon(cfg)) == ["10.9.9.9"]
