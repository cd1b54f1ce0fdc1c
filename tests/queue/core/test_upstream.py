"""The daemon's durable outbox to the upstream platform: down, slow, errors, kill -9."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.kiosk.submission_helpers import wire
from tests.support import Daemon, hall_config, wait_until


@pytest.fixture
def hall(make_daemon, upstream):
    cfg = hall_config()
    cfg["upstream"] = {
        "submissions": {
            "url": upstream.url,
            "timeout_s": 0.5,
            "retry_initial_s": 0.1,
            "retry_max_s": 0.4,
        }
    }
    return make_daemon(cfg)


def backlog(daemon: Daemon) -> int:
    devices = daemon.api("manager-token-1").get("/devices").json()
    return next(d for d in devices if d["id"] == "upstream:submissions")["backlog"]


def test_down_slow_errors_then_everything_arrives_once(hall: Daemon, upstream) -> None:
    kiosk = hall.api("kiosk-token-1")
    bodies = [wire(i) for i in range(8)]
    for body in bodies:
        assert kiosk.post("/submissions", body).status_code == 201
    assert wait_until(lambda: backlog(hall) == 8, 5)  # the platform is down: all wait
    upstream.fail_next, upstream.slow_next = 3, 2
    upstream.start()
    assert wait_until(lambda: backlog(hall) == 0, 30)
    assert upstream.accepted_receipts() == {b["receipt"] for b in bodies}
    assert upstream.keys() == {b["id"] for b in bodies}  # one key per case, however many tries
    # What the platform got is the case and its images, intact.
    _key, got = next(d for d in upstream.deliveries if d[1]["receipt"] == bodies[0]["receipt"])
    sent = bodies[0]["materials"][0]
    image = base64.b64decode(got["materials"][0]["jpeg_b64"])
    assert hashlib.sha256(image).hexdigest() == sent["sha256"] == got["materials"][0]["sha256"]
    assert got["applicant"]["name"] == "王小明" and got["matter"] == "SJ-DJ-001"


def test_refused_items_are_parked_not_lost(hall: Daemon, upstream) -> None:
    upstream.refuse = {wire(1)["receipt"]}
    upstream.start()
    kiosk = hall.api("kiosk-token-1")
    for i in range(3):
        kiosk.post("/submissions", wire(i))
    assert wait_until(
        lambda: upstream.accepted_receipts() == {wire(0)["receipt"], wire(2)["receipt"]}, 10
    )
    status = next(
        d
        for d in hall.api("manager-token-1").get("/devices").json()
        if d["id"] == "upstream:submissions"
    )
    assert status["parked"] == 1 and status["backlog"] == 1 and "422" in status["last_refusal"]


@pytest.mark.process  # kill -9: a real subprocess
def test_kill_9_with_a_full_outbox_loses_nothing(hall: Daemon, upstream) -> None:
    kiosk = hall.api("kiosk-token-1")
    bodies = [wire(i) for i in range(6)]
    for body in bodies:
        kiosk.post("/submissions", body)
    hall.kill()
    hall.start()
    upstream.start()
    assert wait_until(lambda: upstream.accepted_receipts() == {b["receipt"] for b in bodies}, 30)
    assert wait_until(lambda: backlog(hall) == 0, 10)
