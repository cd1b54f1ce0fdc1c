"""Issue 13, terminal outbox: a refused token never costs a citizen the case they hold a receipt for.

Before, any 4xx marked a case ``rejected`` for good: one attempt with a wrong
token (or a token of another role) and the case was never sent again. Now a
401/403 leaves it pending, raises the kiosk's alert at once, and the case is
forwarded as soon as the token is right, also after a restart of the kiosk.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from tests.kiosk.submission_helpers import draft
from tests.support import Daemon, clock


class Clock:
    """The outbox's clock here: starts at the tests' clock, moves when told."""

    def __init__(self) -> None:
        self.t = clock()

    def __call__(self) -> float:
        return self.t


def outbox(folder: Path, client: DaemonClient, now: Clock) -> TerminalOutbox:
    settings = OutboxSection(retry_initial_s=1, retry_max_s=60, retry_jitter=0, alert_after_s=300)
    return TerminalOutbox(
        folder, "自助机9", "09", client, clock=now, settings=settings, device_id="outbox@kiosk-9"
    )


def submissions_at(daemon: Daemon) -> list[str]:
    cases = daemon.api("manager-token-1").get("/submissions").json()["submissions"]
    return sorted(c["receipt"] for c in cases)


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (None, "unauthenticated: HTTP 401"),
        # An unknown token is neither a configured token nor a session: 401.
        ("not-the-kiosk-token", "unauthenticated: HTTP 401"),
        ("display-token-1", "forbidden: HTTP 403"),  # a real token of another role
    ],
)
def test_a_refused_token_keeps_the_case_pending_until_the_token_is_fixed(
    daemon: Daemon, tmp_path: Path, caplog: pytest.LogCaptureFixture, token: str | None, status: str
) -> None:
    now = Clock()
    client = DaemonClient(daemon.base, token)
    box = outbox(tmp_path / "terminal", client, now)
    stored = box.store(draft(1))
    body = box.record(stored.id)
    box.forward_one(stored.id, body)  # one attempt with the wrong token ...
    [case] = box.cases()
    assert case["state"] == "pending", case  # ... is no verdict on the case
    assert case["last_error"].startswith(status)
    with caplog.at_level(logging.ERROR, logger="hall.kiosk.outbox_send"):
        for _ in range(5):  # and no number of them is
            now.t += 60
            box.pump()
    assert [c["state"] for c in box.cases()] == ["pending"]
    assert box.cases()[0]["attempts"] == 6
    assert submissions_at(daemon) == []
    # The alert is at once (no back-off mends a token), on the kiosk: the daemon refuses
    # this token for the device report too.
    assert box.health().status == "stuck"
    assert any("terminal outbox stuck" in r.getMessage() for r in caplog.records)
    client.token = "kiosk-token-1"  # the token is fixed
    now.t += 60
    box.pump()
    assert [c["state"] for c in box.cases()] == ["forwarded"]
    assert submissions_at(daemon) == [stored.receipt]
    assert box.health().status == "ok"


def test_a_case_stored_under_a_wrong_token_is_sent_after_a_restart_with_the_right_one(
    daemon: Daemon, tmp_path: Path
) -> None:
    folder = tmp_path / "terminal"
    wrong = outbox(folder, DaemonClient(daemon.base, "not-the-kiosk-token"), Clock())
    receipts = [wrong.store(draft(i)).receipt for i in range(3)]
    wrong.pump()
    assert len(wrong.cases("pending")) == 3 and not wrong.cases("rejected")
    wrong.stop()  # the kiosk is restarted with the right token in config.yaml
    fixed = outbox(folder, DaemonClient(daemon.base, "kiosk-token-1"), Clock())
    try:
        fixed.pump()
        assert sorted(c["receipt"] for c in fixed.cases("forwarded")) == sorted(receipts)
        assert submissions_at(daemon) == sorted(receipts)
        devices = daemon.api("manager-token-1").get("/devices").json()
        [device] = [d for d in devices if d["id"] == "outbox@kiosk-9"]
        assert device["status"] == "ok" and device["source"] == "kiosk-t"
    finally:
        fixed.stop()
