"""Issue 13, terminal outbox (the gaps) and least data on ``GET /windows``.

- ``/windows`` shows who sits at a window (``staff_id``) and the id of the
  ticket served there (``ticket_id``) to managers for every window, to a staff
  session for its own window only, to displays and kiosks never.
- A wrong bearer token is refused, and the refusal reaches the daemon's
  managers: counted per client address with a hash prefix of the token (never
  the token), listed on the manager page.
- A case the daemon refused for good is reported by the kiosk (receipt and
  reason code, no personal data); a manager acknowledges it, the kiosk learns
  of it on its next report, removes the case's personal data and images and
  stops alerting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from tests.kiosk.submission_helpers import draft
from tests.support import Daemon, clock

MANAGER = "manager-token-1"
KIOSK = "kiosk-token-1"
DISPLAY = "display-token-1"
DEVICE = "outbox@kiosk-9"


def by_number(found: list[dict]) -> dict[int, dict]:
    return {w["number"]: w for w in found}


# -- GET /windows: least data ---------------------------------------------------------


def test_windows_show_staff_and_ticket_ids_only_to_whom_they_belong(daemon: Daemon) -> None:
    kiosk = daemon.api(KIOSK)
    issued = [kiosk.post("/tickets", {"service": "general"}).json() for _ in range(2)]
    staff1, staff2 = daemon.staff("S001", 1), daemon.staff("S002", 2)
    assert staff1.post("/windows/1/call").json()["id"] == issued[0]["id"]
    assert staff2.post("/windows/2/call").json()["id"] == issued[1]["id"]

    every = by_number(daemon.api(MANAGER).get("/windows").json())
    assert (every[1]["staff_id"], every[1]["ticket_id"]) == ("S001", issued[0]["id"])
    assert (every[2]["staff_id"], every[2]["ticket_id"]) == ("S002", issued[1]["id"])

    own = by_number(staff1.get("/windows").json())
    assert (own[1]["staff_id"], own[1]["ticket_id"]) == ("S001", issued[0]["id"])
    assert "staff_id" not in own[2] and "ticket_id" not in own[2]
    assert own[2]["ticket_number"] == issued[1]["number"]  # the number is on the LED anyway
    assert issued[1]["id"] not in staff1.get("/windows").text

    for token in (DISPLAY, KIOSK):
        text = daemon.api(token).get("/windows").text
        shown = by_number(json.loads(text))
        assert all("staff_id" not in w and "ticket_id" not in w for w in shown.values())
        assert "S001" not in text and issued[0]["id"] not in text
        # What the lobby board needs is still there.
        assert shown[1]["state"] == every[1]["state"] and shown[1]["area"] == every[1]["area"]
        assert shown[1]["ticket_number"] == issued[0]["number"]
