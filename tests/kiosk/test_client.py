"""The kiosk's daemon client against a real daemon: calls, errors, events, restarts."""

from __future__ import annotations

import queue

import pytest

from hall.kiosk.client import DaemonClient, DaemonError, DaemonUnavailable, EventFollower
from tests.support import PIN, Daemon, free_port


@pytest.fixture
def follower_factory():
    made: list[EventFollower] = []

    def make(
        daemon: Daemon, token: str = "display-token-1", **kw
    ) -> tuple[EventFollower, queue.Queue]:
        # From event 0: a follower that connects after an event was published would
        # miss it without an id to resume from (clients read the state by REST first).
        kw.setdefault("last_id", 0)
        got: queue.Queue = queue.Queue()
        f = EventFollower(daemon.base, token, lambda t, d, i: got.put((t, d, i)), retry_s=0.2, **kw)
        made.append(f)
        return f.start(), got

    yield make
    for f in made:
        f.stop()


def next_of(got: queue.Queue, type_: str, timeout: float = 10) -> tuple:
    while True:
        item = got.get(timeout=timeout)
        if item[0] == type_:
            return item


def test_issue_and_errors_in_both_languages(daemon: Daemon) -> None:
    client = DaemonClient(daemon.base, "kiosk-token-1")
    services = client.services()
    assert services[0]["code"] == "general" and services[0]["accepting"]
    t = client.issue("general")
    assert t["number"] == "A001" and client.ticket(t["id"])["status"] == "waiting"
    with pytest.raises(DaemonError) as err:
        client.issue("daytime")
    assert err.value.status == 409 and err.value.details["next_open"]
    assert "下次取号时间" in err.value.text("zh") and "next opening" in err.value.text("en")
    with pytest.raises(DaemonError) as err:
        client.issue("general", id_number="110101199003070000")
    assert err.value.code == "bad_id_number"
    client.close()


def test_unreachable_daemon_is_unavailable() -> None:
    client = DaemonClient(f"http://127.0.0.1:{free_port()}", "kiosk-token-1", timeout=0.5)
    with pytest.raises(DaemonUnavailable) as err:
        client.services()
    assert err.value.message == "服务暂时不可用，请稍候"
    client.close()


def test_staff_login_and_window_ops(daemon: Daemon) -> None:
    DaemonClient(daemon.base, "kiosk-token-1").issue("other")
    staff = DaemonClient(daemon.base, None)
    assert staff.login("S003", PIN, 3)["window"]["state"] == "open"
    assert staff.window_op(3, "call")["number"] == "C001"
    assert staff.window_op(3, "finish", case_type="补正")["case_type"] == "补正"
    assert staff.logout()["window"]["state"] == "closed"
    with pytest.raises(DaemonError) as err:
        staff.window_op(3, "call")
    assert err.value.status == 401


def test_help_and_device_reports_reach_the_staff(daemon: Daemon, follower_factory) -> None:
    # A staff session follows: the lobby display is sent calls and counts only (issue 13).
    staff_token = DaemonClient(daemon.base, None).login("S001", PIN, 1)["token"]
    _, got = follower_factory(daemon, staff_token)
    kiosk = DaemonClient(daemon.base, "kiosk-token-1")
    kiosk.call_for_help("1号自助机")
    _, data, _ = next_of(got, "help.requested")
    # The call as the register keeps it (issue 16): for a panel to take; no staff id.
    call = data.pop("help")
    assert data == {"where": "1号自助机", "by": "kiosk-t"}
    assert (call["where"], call["terminal"], call["taken"], call["window"]) == (
        "1号自助机",
        "kiosk-t",
        False,
        None,
    )
    assert kiosk.report_device("printer@kiosk-1", "printer", "paper_out", "缺纸")["changed"]
    assert not kiosk.report_device("printer@kiosk-1", "printer", "paper_out", "缺纸")["changed"]
    _, data, _ = next_of(got, "device.changed")
    assert data["device"]["status"] == "paper_out"
    manager = DaemonClient(daemon.base, "manager-token-1")
    listed = {d["id"]: d for d in manager._request("GET", "/devices")}
    assert listed["printer@kiosk-1"]["status"] == "paper_out"
    with pytest.raises(DaemonError) as err:
        DaemonClient(daemon.base, "display-token-1").call_for_help("x")
    assert err.value.status == 403


@pytest.mark.process  # kill -9: a real subprocess
def test_follower_resumes_after_daemon_restart_without_gaps(
    daemon: Daemon, follower_factory
) -> None:
    states: list[bool] = []
    follower, got = follower_factory(daemon, on_state=states.append)
    kiosk = DaemonClient(daemon.base, "kiosk-token-1")
    kiosk.issue("general")
    assert next_of(got, "ticket.issued")[1]["ticket"]["number"] == "A001"
    daemon.kill()
    daemon.start()  # same port and data: the follower comes back by itself
    kiosk.issue("general")
    kiosk.issue("general")
    numbers = [next_of(got, "ticket.issued")[1]["ticket"]["number"] for _ in range(2)]
    assert numbers == ["A002", "A003"]
    assert states[:3] == [True, False, True]
    assert follower.last_id is not None
