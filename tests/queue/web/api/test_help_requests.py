"""帮办代办 over real HTTP: a kiosk's help call recorded, taken once, timed, listed for managers."""

from __future__ import annotations

import pytest

from tests.support import Daemon

WHERE = "1号自助取号机"


def call(daemon: Daemon) -> dict:
    r = daemon.api("kiosk-token-1").post("/help", {"where": WHERE})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_first_taker_wins_and_the_time_to_answer_is_stored(daemon: Daemon) -> None:
    asked = call(daemon)
    assert asked["where"] == WHERE and asked["by"] == "kiosk-t"
    manager = daemon.api("manager-token-1")
    listed = manager.get("/help").json()
    assert listed["day"] == "2026-06-02"  # the clock's day (tests/support/config.py)
    (row,) = listed["help"]
    assert row["id"] == asked["id"] and row["terminal"] == "kiosk-t" and row["where"] == WHERE
    assert row["hour"] == 10 and not row["taken"] and row["answer_s"] is None

    taken = daemon.staff("S003", 3).post(f"/help/{asked['id']}/ack")
    assert taken.status_code == 200, taken.text
    assert taken.json()["window"] == 3 and taken.json()["acknowledged_by"] == "S003"

    # The others see it taken, in both languages, naming the window.
    late = daemon.staff("S004", 4).post(f"/help/{asked['id']}/ack")
    error = late.json()["error"]
    assert late.status_code == 409 and error["code"] == "help_taken"
    assert "3号窗口" in error["message"] and "window 3" in error["message_en"]
    assert manager.post(f"/help/{asked['id']}/ack").status_code == 409

    (row,) = manager.get("/help").json()["help"]
    assert row["taken"] and row["acknowledged_by"] == "S003" and row["window"] == 3
    assert row["answer_s"] is not None and row["answer_s"] >= 0
    assert manager.get("/help", params={"day": "2026-06-01"}).json()["help"] == []
    counts = manager.get("/help/counts", params={"start": "2026-06-02", "end": "2026-06-02"})
    got = counts.json()
    assert got["count"] == 1 and got["answered"] == 1 and got["by_hour"] == {"10": 1}
    assert got["by_terminal"]["kiosk-t"]["median_s"] == row["answer_s"]


def test_a_manager_takes_a_call_and_unknown_ids_are_404(daemon: Daemon) -> None:
    asked = call(daemon)
    manager = daemon.api("manager-token-1")
    r = manager.post(f"/help/{asked['id']}/ack")
    assert r.status_code == 200 and r.json()["window"] is None
    assert r.json()["acknowledged_by"] == "manager:mgr-t"
    late = daemon.staff("S003", 3).post(f"/help/{asked['id']}/ack").json()["error"]
    assert "管理人员" in late["message"] and "a manager" in late["message_en"]
    assert manager.post("/help/999/ack").status_code == 404
    assert manager.post("/help/99999999999999999999/ack").status_code == 422


@pytest.mark.parametrize("token", ["kiosk-token-1", "display-token-1"])
def test_kiosks_and_displays_get_403(daemon: Daemon, token: str) -> None:
    asked = call(daemon)
    api = daemon.api(token)
    assert api.post(f"/help/{asked['id']}/ack").status_code == 403
    assert api.get("/help").status_code == 403
    assert (
        api.get("/help/counts", params={"start": "2026-06-01", "end": "2026-06-30"}).status_code
        == 403
    )


def test_staff_may_take_but_not_list(daemon: Daemon) -> None:
    clerk = daemon.staff("S003", 3)
    assert clerk.get("/help").status_code == 403
    assert (
        clerk.get("/help/counts", params={"start": "2026-06-01", "end": "2026-06-30"}).status_code
        == 403
    )
    # Only a kiosk calls for help.
    assert clerk.post("/help", {"where": WHERE}).status_code == 403
