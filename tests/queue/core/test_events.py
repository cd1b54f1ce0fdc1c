"""Server-Sent Events: live delivery, resume by Last-Event-ID, across a restart."""

from __future__ import annotations

import queue

import pytest

from tests.sse import SseReader
from tests.support import Daemon


@pytest.fixture
def readers():
    opened: list[SseReader] = []

    def open_(daemon: Daemon, token: str = "display-token-1", last_id=None) -> SseReader:
        r = SseReader(daemon.base, token, last_id)
        opened.append(r)
        return r

    yield open_
    for r in opened:
        r.close()


def test_live_events_in_order_with_ids(daemon: Daemon, readers) -> None:
    stream = readers(daemon)
    kiosk = daemon.api("kiosk-token-1")
    t = kiosk.post("/tickets", {"service": "general"}).json()
    issued = stream.next_of("ticket.issued")
    assert issued.data["ticket"]["number"] == t["number"]
    assert issued.data["waiting"] == {"general": 1}
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")
    opened = stream.next_of("window.changed")
    assert opened.data["window"]["state"] == "open"
    serving = stream.next_of("window.changed")
    called = stream.next_of("ticket.called")
    assert serving.data["window"]["ticket_number"] == t["number"]
    assert called.data["window"] == 2 and called.data["ticket"]["status"] == "called"
    assert issued.id < opened.id < serving.id < called.id


def test_resume_with_last_event_id_misses_nothing(daemon: Daemon, readers) -> None:
    kiosk = daemon.api("kiosk-token-1")
    first = readers(daemon)
    kiosk.post("/tickets", {"service": "general"})
    seen = first.next_of("ticket.issued")
    first.close()
    numbers = [kiosk.post("/tickets", {"service": "general"}).json()["number"] for _ in range(5)]
    resumed = readers(daemon, last_id=seen.id)
    got = [resumed.next_of("ticket.issued") for _ in range(5)]
    assert [e.data["ticket"]["number"] for e in got] == numbers
    assert [e.id for e in got] == sorted(e.id for e in got) and got[0].id > seen.id
    kiosk.post("/tickets", {"service": "general"})  # live events follow the replay
    live = resumed.next_of("ticket.issued")
    assert live.id > got[-1].id
    with pytest.raises(queue.Empty):
        resumed.next(timeout=0.3)  # and nothing is repeated


@pytest.mark.process  # a restart: a real subprocess
def test_resume_after_daemon_restart(daemon: Daemon, readers) -> None:
    kiosk = daemon.api("kiosk-token-1")
    stream = readers(daemon)
    kiosk.post("/tickets", {"service": "vip"})
    last = stream.next_of("ticket.issued")
    stream.close()
    kiosk.post("/tickets", {"service": "vip"})
    daemon.restart()
    kiosk = daemon.api("kiosk-token-1")
    kiosk.post("/tickets", {"service": "vip"})
    resumed = readers(daemon, last_id=last.id)
    numbers = [resumed.next_of("ticket.issued").data["ticket"]["number"] for _ in range(2)]
    assert numbers == ["B002", "B003"]


def test_kiosk_and_staff_may_follow_events_but_not_strangers(daemon: Daemon, readers) -> None:
    readers(daemon, token="kiosk-token-1")
    staff_token = daemon.staff("S001", 1).session.headers["Authorization"].split()[1]
    readers(daemon, token=staff_token)
    r = daemon.api("nobody").get("/events")
    assert r.status_code == 401
