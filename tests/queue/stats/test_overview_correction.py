"""The manager's overview with self-service cases waiting for 补正 (issue 11)."""

from __future__ import annotations

import datetime as dt

from tests.kiosk.submission_helpers import wire
from tests.support import Daemon


def test_overview_counts_a_case_waiting_for_correction(daemon: Daemon) -> None:
    """A 补正 case has no promised date: the overview must still answer, with right counts."""
    kiosk = daemon.api("kiosk-token-1")
    waiting = kiosk.post("/submissions", wire(1, missing=["公司章程"])).json()
    assert waiting["status"] == "needs_correction" and waiting["promised_date"] is None
    manager = daemon.api("manager-token-1")
    r = manager.get("/statistics/overview")  # the only case of the day: its SUM was NULL
    assert r.status_code == 200, r.text
    assert r.json()["today"]["submissions"]["overdue"] == 0
    # Waiting on the citizen: not overdue, even with a promised date in the past.
    late_fix = kiosk.post("/submissions", wire(2, promised="2020-01-06", missing=["住所证明"]))
    assert late_fix.json()["status"] == "needs_correction"
    late = kiosk.post("/submissions", wire(3, promised="2020-01-06")).json()
    assert late["status"] == "received"
    r = manager.get("/statistics/overview")
    assert r.status_code == 200, r.text
    subs = r.json()["today"]["submissions"]
    assert subs == {
        "received": 3,
        "accepted": 0,
        "finished": 0,
        "overdue": 1,
        "completion_rate": None,
    }
    assert manager.get("/submissions").json()["overdue"] == 1
    today = r.json()["day"]
    for path in ("/statistics", "/statistics/export"):
        r = manager.get(path, params={"start": today, "end": today})
        assert r.status_code == 200, (path, r.text)
    month_start = dt.date.fromisoformat(today).replace(day=1).isoformat()
    r = manager.get("/statistics", params={"start": month_start, "end": today, "period": "month"})
    assert r.json()["rows"][-1]["submissions"]["overdue"] == 1
