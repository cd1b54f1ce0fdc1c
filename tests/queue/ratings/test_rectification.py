"""差评整改: deadlines in working days across a holiday, step order, 回访 closes, overdue flags."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.config import RectificationSection
from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from hall.queue.ratings import rectification
from hall.workdays import WorkCalendar
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import Daemon

CAL = WorkCalendar.load()
CFG = RectificationSection()
D = dt.date.fromisoformat


def test_deadlines_skip_national_day_and_count_the_make_up_saturday() -> None:
    # 2025: 10-01..10-08 off, Saturday 10-11 a make-up working day.
    due = rectification.deadlines(CAL, CFG, D("2025-09-30"))
    assert due == {
        "contact_due": "2025-10-10",
        "fix_due": "2025-10-14",
        "callback_due": "2025-10-21",
    }
    complex_ = rectification.deadlines(CAL, CFG, D("2025-09-30"), "complex")
    assert complex_["fix_due"] == "2025-10-28"
    fixed_early = rectification.deadlines(CAL, CFG, D("2025-09-30"), "simple", D("2025-10-09"))
    assert fixed_early["callback_due"] == "2025-10-15"  # 10-11 is a working Saturday
    custom = RectificationSection(contact_days=1, simple_fix_days=3)
    assert rectification.deadlines(CAL, custom, D("2025-09-30"))["contact_due"] == "2025-10-09"


@pytest.fixture
def tx(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    with engine.connect() as conn, conn.begin():
        yield Tx(conn, dt.datetime(2025, 9, 30, 10, tzinfo=dt.UTC).timestamp())
    engine.dispose()


def test_steps_in_order_overdue_flags_and_only_callback_closes(tx: Tx) -> None:
    rating = {
        "id": 7,
        "number": "A001",
        "service": "general",
        "window": 2,
        "staff_id": "S002",
        "level": 1,
        "day": "2025-09-30",
    }
    case = rectification.open_case(tx, rating, CFG, CAL, forward=False)
    assert (case["state"], case["overdue"]) == ("open", False)
    late = rectification.case_view(rectification.get(tx.conn, case["id"]), D("2025-10-13"))
    assert late["steps"]["verify"]["overdue"] and not late["steps"]["fix"]["overdue"]

    def act(step, day, **data):
        return rectification.act(tx, case["id"], step, "manager m", data, D(day), CFG, CAL, False)

    with pytest.raises(Exception, match="callback needs it fixed"):
        act("callback", "2025-10-09", answer="satisfied")
    v = act("verify", "2025-10-13", complexity="complex", note="属实")
    assert v["steps"]["verify"] == {"due": "2025-10-10", "done": "2025-10-13", "overdue": True}
    assert v["steps"]["fix"]["due"] == "2025-10-28" and v["state"] == "verified"
    f = act("fix", "2025-10-20", action="fixed")
    assert f["state"] == "fixed" and f["steps"]["callback"]["due"] == "2025-10-27"
    assert not f["steps"]["fix"]["overdue"]
    with pytest.raises(Exception, match="callback needs an answer"):
        act("callback", "2025-10-21")
    c = act("callback", "2025-10-21", answer="satisfied", note="群众表示满意")
    assert (c["state"], c["callback_answer"]) == ("closed", "satisfied")
    history = rectification.detail(tx.conn, case["id"], D("2025-10-21"))["history"]
    assert [h["step"] for h in history] == ["opened", "verify", "fix", "callback"]


def test_bad_rating_opens_a_case_managers_work_it(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    tickets = serve(daemon, staff, 2, n=3)
    rate(daemon, tickets[0]["id"], 5)
    bad = rate(daemon, tickets[1]["id"], 2)
    worse = rate(daemon, tickets[2]["id"], 1)
    manager = daemon.api("manager-token-1")
    cases = manager.get("/rectifications").json()
    assert [c["rating_id"] for c in cases] == [worse["id"], bad["id"]]
    assert all(c["state"] == "open" and not c["overdue"] for c in cases)
    cid = cases[1]["id"]
    assert manager.post(f"/rectifications/{cid}/fix", {}).status_code == 409
    assert staff.post(f"/rectifications/{cid}/verify", {}).status_code == 403
    assert manager.post(f"/rectifications/{cid}/verify", {"note": "属实"}).status_code == 200
    assert manager.post(f"/rectifications/{cid}/fix", {"action": "explained"}).status_code == 200
    assert manager.post(f"/rectifications/{cid}/callback", {}).status_code == 422
    done = manager.post(f"/rectifications/{cid}/callback", {"answer": "basically_satisfied"})
    assert done.status_code == 200 and done.json()["state"] == "closed"
    assert [c["id"] for c in manager.get("/rectifications", params={"state": "open"}).json()] == [
        cases[0]["id"]
    ]
