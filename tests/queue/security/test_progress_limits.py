"""办件查询 failure limits (issue 13): the kiosk route and the page share them, in the store.

Failed lookups (receipt + a wrong ID number, or an unknown receipt) are counted per receipt
and per client address in the database, by ``POST /api/v1/progress`` (kiosk) and the
citizen's ``/progress`` page alike; too many lock the receipt or the address (429 with
``Retry-After``), a restart keeps the count and the locks. Against a real daemon over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from hall.config import ProgressSection
from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.support import Daemon, hall_config, make_id, wait_until

KIOSK = "kiosk-token-1"
GUESSES = [make_id(f"11010119900307{700 + i:03d}") for i in range(8)]


def config(**progress: Any) -> dict[str, Any]:
    """The test hall with ``progress:`` lookup limits."""
    return hall_config(progress=progress)


def kiosk_lookup(d: Daemon, receipt: str, number: str) -> requests.Response:
    return d.api(KIOSK).post("/progress", {"receipt": receipt, "id_number": number})


def page_lookup(d: Daemon, receipt: str, number: str) -> requests.Response:
    form = {"lang": "zh", "receipt": receipt, "id_number": number}
    return requests.post(d.base + "/progress", data=form, timeout=10)


def refused(r: requests.Response) -> dict[str, Any]:
    """A 429 with Retry-After and a message in Chinese and English."""
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    error = r.json()["error"]
    assert error["code"] == "progress_locked" and error["message"] and error["message_en"]
    assert error["details"]["retry_after_s"] == int(r.headers["Retry-After"])
    return error


def test_the_kiosk_route_is_limited_per_receipt(daemon: Daemon) -> None:
    case = daemon.api(KIOSK).post("/submissions", wire(1)).json()
    other = daemon.api(KIOSK).post("/submissions", wire(2)).json()
    for guess in GUESSES[:5]:
        assert kiosk_lookup(daemon, case["receipt"], guess).status_code == 404
    error = refused(kiosk_lookup(daemon, case["receipt"], ID_NUMBER))  # the right ID, too
    assert case["receipt"] in error["message"] and case["receipt"] in error["message_en"]
    assert "receipt" in error["message_en"]
    # The page counts in the same store: the receipt is locked there as well.
    page = page_lookup(daemon, case["receipt"], ID_NUMBER)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    # Another receipt is still answered.
    assert kiosk_lookup(daemon, other["receipt"], ID_NUMBER).status_code == 200


def test_page_failures_count_for_the_kiosk_route(daemon: Daemon) -> None:
    case = daemon.api(KIOSK).post("/submissions", wire(3)).json()
    for guess in GUESSES[:3]:
        assert page_lookup(daemon, case["receipt"], guess).status_code == 404
    for guess in GUESSES[3:5]:
        assert kiosk_lookup(daemon, case["receipt"], guess).status_code == 404
    refused(kiosk_lookup(daemon, case["receipt"], ID_NUMBER))


def test_one_address_is_locked_whatever_receipts_it_tries(make_daemon) -> None:
    d = make_daemon(config(address_failures=3))
    case = d.api(KIOSK).post("/submissions", wire(4)).json()
    assert kiosk_lookup(d, "ZZ01209901010001", ID_NUMBER).status_code == 404
    assert page_lookup(d, "ZZ01209901010002", ID_NUMBER).status_code == 404
    assert kiosk_lookup(d, "ZZ01209901010003", ID_NUMBER).status_code == 404
    error = refused(kiosk_lookup(d, case["receipt"], ID_NUMBER))
    assert "127.0.0.1" in error["message"] and "address" in error["message_en"]


def test_a_lock_ends_by_itself_after_lockout_s(make_daemon) -> None:
    d = make_daemon(config(receipt_failures=2, lockout_s=1))
    case = d.api(KIOSK).post("/submissions", wire(5)).json()
    for guess in GUESSES[:2]:
        assert kiosk_lookup(d, case["receipt"], guess).status_code == 404
    refused(kiosk_lookup(d, case["receipt"], ID_NUMBER))
    # Failures from before the lock do not count again: the right ID works afterwards.
    assert wait_until(lambda: kiosk_lookup(d, case["receipt"], ID_NUMBER).status_code == 200, 10)


def test_a_right_lookup_does_not_count(make_daemon) -> None:
    d = make_daemon(config(receipt_failures=2))
    case = d.api(KIOSK).post("/submissions", wire(6)).json()
    for _ in range(5):
        assert kiosk_lookup(d, case["receipt"], ID_NUMBER).status_code == 200
    assert kiosk_lookup(d, case["receipt"], GUESSES[0]).status_code == 404
    assert kiosk_lookup(d, case["receipt"], ID_NUMBER).status_code == 200


@pytest.mark.process
def test_failures_and_locks_survive_a_kill_and_a_restart(make_daemon) -> None:
    d = make_daemon(config(receipt_failures=3))
    case = d.api(KIOSK).post("/submissions", wire(7)).json()
    assert kiosk_lookup(d, case["receipt"], GUESSES[0]).status_code == 404
    assert page_lookup(d, case["receipt"], GUESSES[1]).status_code == 404
    d.kill()
    d.start()
    # The third failure, counted with the two before the kill: it locks.
    assert kiosk_lookup(d, case["receipt"], GUESSES[2]).status_code == 404
    refused(kiosk_lookup(d, case["receipt"], ID_NUMBER))
    d.kill()
    d.start()
    refused(kiosk_lookup(d, case["receipt"], ID_NUMBER))  # still locked after a restart
    assert page_lookup(d, case["receipt"], ID_NUMBER).status_code == 429


def test_settings_have_defaults_like_the_old_page_limits() -> None:
    section = ProgressSection()
    assert (section.receipt_failures, section.address_failures) == (5, 20)
    assert section.window_s == section.lockout_s == 900


def test_managers_list_and_unlock_locks_others_may_not(make_daemon) -> None:
    d = make_daemon(config(address_failures=2))
    case = d.api(KIOSK).post("/submissions", wire(8)).json()
    for guess in GUESSES[:2]:
        assert kiosk_lookup(d, case["receipt"], guess).status_code == 404
    refused(kiosk_lookup(d, case["receipt"], ID_NUMBER))  # the kiosk's address is locked
    body = {"kind": "address", "subject": "127.0.0.1"}
    for token in (KIOSK, "display-token-1"):
        assert d.api(token).get("/progress/locks").status_code == 403
        assert d.api(token).post("/progress/unlock", body).status_code == 403
    staff = d.staff("S001", 1)
    assert staff.get("/progress/locks").status_code == 403
    assert staff.post("/progress/unlock", body).status_code == 403
    assert d.api(None).post("/progress/unlock", body).status_code == 401
    manager = d.api("manager-token-1")
    lock = manager.get("/progress/locks").json()["locks"][0]
    assert (lock["kind"], lock["subject"], lock["failures"], lock["active"]) == (
        "address",
        "127.0.0.1",
        2,
        True,
    )
    r = manager.post("/progress/unlock", body)
    assert r.status_code == 200 and r.json()["by"] == "manager:mgr-t", r.text
    assert kiosk_lookup(d, case["receipt"], ID_NUMBER).status_code == 200
    lock = manager.get("/progress/locks").json()["locks"][0]
    assert (lock["active"], lock["unlocked_by"]) == (False, "manager:mgr-t")
    again = manager.post("/progress/unlock", body)
    assert again.status_code == 404 and again.json()["error"]["code"] == "no_progress_lock"
    bad = manager.post("/progress/unlock", {"kind": "staff", "subject": "S001"})
    assert bad.status_code == 422 and "kind" in bad.json()["error"]["message_en"]
