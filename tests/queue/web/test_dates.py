"""Every date, month and time parameter of the API: 422 with words a page can show (issue 11)."""

from __future__ import annotations

import pytest

from tests.kiosk.submission_helpers import wire
from tests.support import Daemon, module_daemon


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    yield from module_daemon(tmp_path_factory, "dates")


def refused(r, name: str, form_zh: str) -> dict:
    """A 422 in the usual error shape naming the parameter and the expected form."""
    assert r.status_code == 422, (r.status_code, r.text)
    err = r.json()["error"]
    assert err["code"] in ("invalid_request", "bad_range"), err
    assert name in err["message"] and name in err["message_en"], err
    assert form_zh in err["message"], err
    return err


BAD_DAYS = ["0", "20260502", "2026-5-2", "2026-02-30", "0000-01-01", "1969-12-31", "9999-01-01"]


@pytest.mark.parametrize("value", BAD_DAYS)
def test_bad_days_in_queries_are_refused(hall: Daemon, value: str) -> None:
    manager = hall.api("manager-token-1")
    form = "年份" if value[:4] in ("0000", "1969", "9999") else "日"
    refused(manager.get("/attendance/daily", params={"date": value}), "date", form)
    r = manager.get("/statistics", params={"start": value, "end": "2026-05-02"})
    refused(r, "start", form)
    r = manager.get("/statistics/export", params={"start": "2026-05-01", "end": value})
    refused(r, "end", form)


@pytest.mark.parametrize("value", ["0000-01", "2026-00", "2026-13", "2026-1", "0", "1999-12"])
def test_bad_months_are_refused(hall: Daemon, value: str) -> None:
    r = hall.api("manager-token-1").get("/attendance/monthly", params={"month": value})
    refused(r, "month", "年份" if value in ("0000-01", "1999-12") else "月份")


def test_a_range_that_ends_before_it_starts_is_refused(hall: Daemon) -> None:
    manager = hall.api("manager-token-1")
    for path in ("/statistics", "/statistics/export"):
        r = manager.get(path, params={"start": "2026-05-02", "end": "2026-05-01"})
        err = refused(r, "end", "早于")
        assert "start" in err["message"] and err["code"] == "bad_range"
    ok = manager.get("/statistics", params={"start": "2026-05-01", "end": "2026-05-01"})
    assert ok.status_code == 200


def test_bad_dates_in_bodies_are_refused(hall: Daemon) -> None:
    manager = hall.api("manager-token-1")
    r = manager.post("/attendance/leave", {"staff_id": "S001", "date": 0})
    refused(r, "date", "YYYY-MM-DD")
    at = {"staff_id": "S001", "kind": "checkin"}
    refused(manager.post("/attendance/records", {**at, "at": 0}), "at", "时区")
    r = manager.post("/attendance/records", {**at, "at": "2026-05-02T09:00:00"})
    refused(r, "at", "时区")
    now = hall.now()
    slot = {"service": "general", "slot_start": now.isoformat()}
    r = manager.post("/appointments", {**slot, "slot_end": "0"})
    refused(r, "slot_end", "时区")
    kiosk = hall.api("kiosk-token-1")
    refused(kiosk.post("/submissions", wire(40, promised="0000-01-05")), "promised_date", "年份")
    refused(kiosk.post("/submissions", {**wire(41), "submitted_at": 0}), "submitted_at", "时区")
    # Good values still pass.
    assert manager.post("/attendance/leave", {"staff_id": "S001", "date": "2026-05-04"}).ok
    assert kiosk.post("/submissions", wire(42, promised="2026-06-01")).status_code == 201
