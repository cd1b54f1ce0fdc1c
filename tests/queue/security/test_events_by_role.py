"""Events filtered by role (issue 13): each subscriber sees only what its role may see.

A clerk must not see a 差评 comment, with the case's number, while the citizen
is still in the hall; the lobby display shows calls and counts, nothing more.
One daemon for the module: the four roles follow it while one morning happens
(a clerk signs in, a number is taken and called, a kiosk asks for help and
reports its printer, a citizen submits a case and rates it 差评 with a comment),
then each stream is read up to a marker every role may see.
"""

from __future__ import annotations

import json
import secrets

import pytest

from hall.queue.core.writer import Event
from hall.queue.web.api.events import PUBLIC_TICKET, PUBLIC_WINDOW, visible
from tests.kiosk.submission_helpers import wire
from tests.sse import SseEvent, SseReader
from tests.support import Daemon, module_daemon

COMMENT = "窗口人员态度差，让我跑了三趟"
ROLES = ("display", "kiosk", "staff", "manager")
PUBLIC_TYPES = {"window.changed", "queue.reset", "reset"}


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    yield from module_daemon(tmp_path_factory, "events-by-role")


def _read_until_marker(stream: SseReader, marker: str) -> list[SseEvent]:
    got = []
    while True:
        ev = stream.next(timeout=10)
        got.append(ev)
        if ev.type == "ticket.issued" and ev.data["ticket"]["number"] == marker:
            return got


@pytest.fixture(scope="module")
def seen(daemon: Daemon) -> dict[str, list[SseEvent]]:
    """What each role's live stream received, and (``<role>/replay``) its replay from 0."""
    clerk = daemon.staff("S001", 1)
    clerk_token = clerk.session.headers["Authorization"].split()[1]
    tokens = {
        "display": "display-token-1",
        "kiosk": "kiosk-token-1",
        "staff": clerk_token,
        "manager": "manager-token-1",
    }
    streams = {role: SseReader(daemon.base, token) for role, token in tokens.items()}
    try:
        kiosk = daemon.api("kiosk-token-1")
        other = daemon.staff("S002", 2)  # attendance.recorded, window.changed with a staff id
        assert kiosk.post("/tickets", {"service": "general"}).status_code == 201
        assert clerk.post("/windows/1/call").status_code == 200
        asked = kiosk.post("/help", {"where": "1号自助机"})
        assert asked.status_code == 200
        # 帮办代办: S002 takes it; help.taken names window 2, never the staff id.
        assert other.post(f"/help/{asked.json()['id']}/ack").status_code == 200
        report = {"id": "printer@k1", "kind": "printer", "status": "paper_out", "detail": "缺纸"}
        assert kiosk.post("/devices/report", report).status_code == 200
        case = wire(7)
        case["rating_key"] = secrets.token_urlsafe(16)  # as the terminal prints it
        assert kiosk.post("/submissions", case).status_code == 201
        rating = {"submission_id": case["id"], "key": case["rating_key"], "level": 1}
        r = kiosk.post("/evaluations/kiosk", {**rating, "comment": COMMENT})
        assert r.status_code == 201, r.text
        marker = kiosk.post("/tickets", {"service": "vip"}).json()["number"]
        out = {role: _read_until_marker(s, marker) for role, s in streams.items()}
    finally:
        for s in streams.values():
            s.close()
    for role, token in tokens.items():
        replayed = SseReader(daemon.base, token, last_id=0)
        try:
            out[f"{role}/replay"] = _read_until_marker(replayed, marker)
        finally:
            replayed.close()
    return out


def _raw(events: list[SseEvent]) -> str:
    return json.dumps([[e.type, e.data] for e in events], ensure_ascii=False)


@pytest.mark.parametrize("how", ["", "/replay"])
def test_the_manager_sees_everything(seen, how) -> None:
    events = seen["manager" + how]
    types = {e.type for e in events}
    assert {"evaluation.recorded", "submission.received", "attendance.recorded"} <= types
    assert {"help.requested", "device.changed", "ticket.called"} <= types
    rated = next(e for e in events if e.type == "evaluation.recorded").data["evaluation"]
    assert rated["comment"] == COMMENT
    staffed = [e.data["window"] for e in events if e.type == "window.changed"]
    assert any(w.get("staff_id") == "S002" for w in staffed)
    assert "session.ended" not in types  # internal: nobody is sent it


@pytest.mark.parametrize("role", ["display", "kiosk"])
@pytest.mark.parametrize("how", ["", "/replay"])
def test_display_and_kiosk_see_calls_and_counts_only(seen, role, how) -> None:
    events = seen[role + how]
    types = {e.type for e in events}
    assert types <= PUBLIC_TYPES | {t for t in types if t.startswith("ticket.")}
    assert {"ticket.issued", "ticket.called", "window.changed"} <= types
    for e in events:
        if e.type.startswith("ticket."):
            assert set(e.data["ticket"]) <= set(PUBLIC_TICKET), e.data
            assert set(e.data) <= {"ticket", "waiting", "window", "to"}
        if e.type == "window.changed":
            assert set(e.data["window"]) <= set(PUBLIC_WINDOW), e.data
    called = next(e for e in events if e.type == "ticket.called").data
    assert called["ticket"]["number"] == "A001" and called["window"] == 1
    assert called["waiting"]["general"] == 0
    raw = _raw(events)
    for secret in (COMMENT, "S001", "S002", "printer@k1", "1号自助机"):
        assert secret not in raw


@pytest.mark.parametrize("how", ["", "/replay"])
def test_staff_see_the_queue_but_no_ratings_submissions_or_staff_ids(seen, how) -> None:
    events = seen["staff" + how]
    types = {e.type for e in events}
    assert {"ticket.issued", "ticket.called", "window.changed"} <= types
    assert {"help.requested", "help.taken", "device.changed"} <= types  # no personal data
    taken = next(e for e in events if e.type == "help.taken").data["help"]
    assert taken["window"] == 2 and taken["taken"]
    forbidden = {"evaluation.recorded", "submission.received", "rectification.changed"}
    assert not types & (forbidden | {"attendance.recorded", "face.consent_withdrawn"})
    for e in events:
        if e.type == "window.changed":
            assert "staff_id" not in e.data["window"]
    raw = _raw(events)
    assert COMMENT not in raw and "S002" not in raw


def test_the_filter_is_one_table_and_refuses_unknown_roles_and_types() -> None:
    ev = Event("evaluation.recorded", {"evaluation": {"comment": COMMENT}}, 0.0, 5)
    assert [visible(role, ev) is not None for role in ROLES] == [False, False, False, True]
    novel = Event("something.new", {"x": 1}, 0.0, 6)  # a type nobody listed: managers only
    assert [visible(role, novel) is not None for role in ROLES] == [False, False, False, True]
    call = Event("ticket.called", {"ticket": {"number": "A001", "id": "f" * 32}}, 0.0, 7)
    assert visible("stranger", call) is None
    assert "id" not in visible("display", call).data["ticket"]
    ended = Event("session.ended", {"sessions": ["ab"]}, 0.0, 8)
    assert all(visible(role, ended) is None for role in ROLES)
