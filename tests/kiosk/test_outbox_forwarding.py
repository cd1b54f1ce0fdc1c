"""The terminal outbox's forwarding: final answers, back-off, upload timeouts, the alert.

The outbox is driven pass by pass (``pump``) on the test's own clock: no thread,
no waiting out a back-off. The daemon is real (HTTP on loopback); a small local
server stands in front of it where a test needs a 5xx, a 413 or a slow answer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient, DaemonError, DaemonUnavailable, retry_after
from hall.kiosk.forwarding import FINAL_REFUSALS, Backoff, Verdict, classify, upload_timeout
from hall.kiosk.outbox import TerminalOutbox
from tests.kiosk.submission_helpers import draft
from tests.support import ROOT, Daemon, clock, free_port
from tests.support.http import LocalServer, answer

DEVICE = "outbox@kiosk-9"


class Clock:
    """The outbox's clock in these tests: starts at the tests' clock, moves when told."""

    def __init__(self) -> None:
        self.t = clock()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Front(LocalServer):
    """A small HTTP server in front of the daemon: scripted answers to submissions, else passed on."""

    def __init__(self, target: str) -> None:
        super().__init__(free_port())
        self.target = target
        self.base = f"http://127.0.0.1:{self.port}"
        self.script: list[tuple[int, dict[str, str]]] = []  # next answers to POST /submissions
        self.refuse: dict[str, int] = {}  # Idempotency-Key: status answered every time
        self.hold_s = 0.0  # the answer to a submission comes this late
        self.submissions = 0  # POST /submissions received
        self.lock = threading.Lock()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        key = h.headers.get("Idempotency-Key")
        if h.command == "POST" and h.path == "/api/v1/submissions":
            with self.lock:
                self.submissions += 1
                step = self.script.pop(0) if self.script else None
                refused = self.refuse.get(key or "")
            if self.hold_s:
                threading.Event().wait(self.hold_s)  # a slow daemon (the party under test waits)
            if step is not None:
                return answer(h, step[0], step[1], b"<html>busy</html>")
            if refused is not None:
                error = {
                    "code": "payload_too_large",
                    "message": "请求过大",
                    "message_en": "Too large",
                }
                return answer(h, refused, {}, json.dumps({"error": error}).encode())
        names = ("Authorization", "Idempotency-Key", "Content-Type")
        r = requests.request(
            h.command,
            self.target + h.path,
            data=body or None,
            headers={n: h.headers[n] for n in names if h.headers.get(n)},
            timeout=30,
        )
        answer(h, r.status_code, {"Content-Type": "application/json"}, r.content)


@pytest.fixture
def front(daemon: Daemon) -> Iterator[Front]:
    server = Front(daemon.base).start()
    yield server
    server.stop()


@pytest.fixture
def make_box(tmp_path: Path) -> Iterator[Callable[..., TerminalOutbox]]:
    made: list[TerminalOutbox] = []

    def make(
        base: str,
        token: str = "kiosk-token-1",
        folder: Path | None = None,
        timeout: float = 3.0,
        **settings: float,
    ) -> TerminalOutbox:
        options = {"retry_initial_s": 1.0, "retry_max_s": 60.0, "retry_jitter": 0.0, **settings}
        box = TerminalOutbox(
            folder or tmp_path / "terminal",
            "自助机9",
            "09",
            DaemonClient(base, token, timeout=timeout),
            clock=Clock(),
            settings=OutboxSection(**options),
            device_id=DEVICE,
        )
        made.append(box)
        return box

    yield make
    for box in made:
        box.stop()


def outbox_device(daemon: Daemon, token: str = "manager-token-1") -> dict:
    devices = daemon.api(token).get("/devices").json()
    return next(d for d in devices if d["id"] == DEVICE)


def receipts_at(daemon: Daemon) -> list[str]:
    cases = daemon.api("manager-token-1").get("/submissions").json()["submissions"]
    return sorted(c["receipt"] for c in cases)


# -- the rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "verdict"),
    [
        (409, "idempotency_conflict", Verdict.FINAL),
        (409, "receipt_taken", Verdict.FINAL),
        (422, "invalid_request", Verdict.FINAL),
        (422, "unknown_matter", Verdict.FINAL),
        (422, "bad_id_number", Verdict.FINAL),
        (422, "bad_material", Verdict.FINAL),
        (422, "field_required", Verdict.FINAL),
        (401, "unauthenticated", Verdict.SYSTEMIC),
        (403, "forbidden", Verdict.SYSTEMIC),
        (408, "http_408", Verdict.SYSTEMIC),
        (429, "too_many_requests", Verdict.SYSTEMIC),
        (422, "a_code_from_a_newer_daemon", Verdict.CASE),
        (409, "unknown_matter", Verdict.CASE),  # a final code only with its own status
        (413, "payload_too_large", Verdict.CASE),
        (404, "not_found", Verdict.CASE),
    ],
)
def test_only_named_409_and_422_codes_are_final(status: int, code: str, verdict: Verdict) -> None:
    assert classify(DaemonError(status, code, "拒绝", "refused")) is verdict
    assert classify(DaemonUnavailable("ConnectionError")) is Verdict.SYSTEMIC


def test_the_final_codes_are_the_daemons_own() -> None:
    daemon_code = "".join(
        p.read_text(encoding="utf-8")
        for p in [*(ROOT / "hall" / "queue").rglob("*.py"), ROOT / "hall" / "idnumber.py"]
    )
    for codes in FINAL_REFUSALS.values():
        for code in codes:
            assert f'"{code}"' in daemon_code, code


def test_backoff_doubles_to_its_cap_jitters_down_and_honours_retry_after() -> None:
    plain = Backoff(1.0, 60.0)
    assert [plain.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert plain.delay(1, retry_after=30) == 30  # the daemon's Retry-After wins when longer
    assert plain.delay(7, retry_after=5) == 60
    assert plain.delay(1, retry_after=10**9) == 3600  # but not for ever
    jittery = Backoff(1.0, 60.0, jitter=0.2, rng=random.Random(7))
    delays = [jittery.delay(7) for _ in range(50)]
    assert all(48 <= d <= 60 for d in delays) and len(set(delays)) > 1


def test_retry_after_in_seconds_or_as_a_date_against_the_answers_date() -> None:
    assert retry_after({"Retry-After": "30"}) == 30
    sent = dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.UTC)
    headers = {
        "Date": email.utils.format_datetime(sent, usegmt=True),
        "Retry-After": email.utils.format_datetime(sent + dt.timedelta(seconds=90), usegmt=True),
    }
    assert retry_after(headers) == 90
    assert retry_after({"Retry-After": "soon"}) is None
    assert retry_after({}) is None


def test_the_upload_timeout_grows_with_the_size() -> None:
    settings = OutboxSection(connect_timeout_s=3, read_timeout_s=10, upload_min_kb_s=50)
    assert upload_timeout(0, settings) == (3, 10)
    assert upload_timeout(30_000_000, settings) == (3, 10 + 600)  # 30 MB at 50 KB/s


# -- against the daemon ------------------------------------------------------------------


def test_a_5xx_is_retried_after_its_back_off_or_its_retry_after(
    daemon: Daemon, front: Front, make_box
) -> None:
    box = make_box(front.base)
    stored = box.store(draft(1))
    front.script = [(503, {"Retry-After": "30"}), (500, {})]
    box.pump()
    assert front.submissions == 1
    [case] = box.cases("pending")
    assert case["attempts"] == 1 and case["last_error"] == "unavailable: HTTP 503"
    box.clock.advance(29)
    box.pump()
    assert front.submissions == 1  # Retry-After: 30 is honoured
    box.clock.advance(1)
    box.pump()
    assert front.submissions == 2 and box.cases("pending")  # a 500 now
    box.clock.advance(1.5)  # second failure in a row: 2 s
    box.pump()
    assert front.submissions == 2
    box.clock.advance(0.5)
    box.pump()
    assert [c["receipt"] for c in box.cases("forwarded")] == [stored.receipt]
    assert receipts_at(daemon) == [stored.receipt]
    assert outbox_device(daemon)["status"] == "ok"  # a short outage is no alert


def test_a_final_refusal_is_kept_and_reaches_staff_the_cases_behind_it_go_on(
    daemon: Daemon, make_box
) -> None:
    box = make_box(daemon.base)
    refused = box.store(draft(1, matter="NOPE-001"))  # not in the daemon's 事项清单
    behind = box.store(draft(2))
    box.pump()
    [case] = box.cases("rejected")
    assert case["receipt"] == refused.receipt
    assert case["last_error"].startswith("unknown_matter: HTTP 422")
    assert [c["receipt"] for c in box.cases("forwarded")] == [behind.receipt]
    assert (box.images / refused.id / "00.jpg.sealed").exists()  # kept on the terminal for staff
    assert box.health().status == "rejected"
    staff = daemon.staff("S001", 1)
    device = next(d for d in staff.get("/devices").json() if d["id"] == DEVICE)
    assert device["status"] == "error" and device["kind"] == "outbox"
    assert refused.receipt in device["detail"] and "unknown_matter" in device["detail"]
    assert "被拒收" in device["detail"]
    box.clock.advance(3600)
    box.pump()
    assert box.cases("rejected")[0]["attempts"] == 1  # final: never sent again


def test_a_case_the_daemon_cannot_take_waits_alone_and_raises_the_alert(
    daemon: Daemon, front: Front, make_box
) -> None:
    box = make_box(front.base, alert_after_s=300)
    big, small = box.store(draft(1)), box.store(draft(2))
    front.refuse[big.id] = 413  # e.g. over the daemon's upload cap: not a verdict on the case
    box.pump()
    assert [c["receipt"] for c in box.cases("pending")] == [big.receipt]
    assert [c["receipt"] for c in box.cases("forwarded")] == [small.receipt]
    assert box.health().status == "ok" and outbox_device(daemon)["status"] == "ok"
    for _ in range(6):
        box.clock.advance(60)
        box.pump()
    assert box.cases("pending")[0]["attempts"] >= 3
    assert box.health().status == "stuck"
    device = outbox_device(daemon)
    assert device["status"] == "error" and "payload_too_large" in device["detail"]
    assert "未能转发" in device["detail"]
    del front.refuse[big.id]  # the cap was raised
    box.clock.advance(60)
    box.pump()
    assert not box.cases("pending") and receipts_at(daemon) == sorted([big.receipt, small.receipt])
    assert box.health().status == "ok" and outbox_device(daemon)["status"] == "ok"


def test_the_wait_for_an_answer_grows_with_the_case(daemon: Daemon, front: Front, make_box) -> None:
    front.hold_s = 0.3  # the daemon takes this long to check and store a case
    # The client's own timeout (0.05 s) is for small calls; an upload gets its own.
    fast = make_box(front.base, timeout=0.05, read_timeout_s=0.05, upload_min_kb_s=10**6)
    short = fast.store(draft(1))
    fast.pump()
    assert fast.cases("pending")[0]["last_error"] == "unavailable: ReadTimeout"
    fast.stop()
    slow_link = make_box(
        front.base, folder=fast.folder, timeout=0.05, read_timeout_s=0.05, upload_min_kb_s=10
    )
    slow_link.pump()  # about 30 KB at 10 KB/s: 3 s more to wait
    assert [c["receipt"] for c in slow_link.cases("forwarded")] == [short.receipt]


def test_no_case_is_lost_across_a_restart_while_the_daemon_is_down(
    daemon: Daemon, make_box
) -> None:
    down = make_box(f"http://127.0.0.1:{free_port()}", alert_after_s=300)
    receipts = [down.store(draft(i)).receipt for i in range(3)]
    down.pump()
    assert len(down.cases("pending")) == 3 and down.health().status == "ok"
    down.clock.advance(300)
    down.pump()
    assert down.health().status == "stuck"  # down for 5 minutes: the kiosk says so
    assert down.health().error.startswith("unavailable: ConnectionError")
    down.stop()
    again = make_box(daemon.base, folder=down.folder)
    again.pump()
    assert sorted(c["receipt"] for c in again.cases("forwarded")) == sorted(receipts)
    assert receipts_at(daemon) == sorted(receipts)
    assert outbox_device(daemon)["status"] == "ok"
