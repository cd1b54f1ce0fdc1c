"""The 投诉 register: receipts, reply deadlines in working days, actions, overdue, follow-up."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hall.queue.core.domain import QueueError
from hall.queue.core.tables.supervision import complaint_events_table, complaints_table
from hall.queue.supervision import complaints
from tests.queue.supervision.complaint_helpers import Register, open_register

CONTACT = {"name": "张三", "phone": "13912345678"}


@pytest.fixture
def reg(tmp_path) -> Register:
    r = open_register(tmp_path)
    yield r
    r.engine.dispose()


def test_receipts_are_numbered_per_day_and_due_in_three_working_days(reg: Register) -> None:
    # 2026-06-02 is a Tuesday; the test hall is closed 06-02 and 06-03 (closed_dates,
    # tests/support/config.py), so the working days after it are Thu 04, Fri 05, Mon 08.
    first = reg.lodge("2026-06-02", contact=CONTACT)
    second = reg.lodge("2026-06-02", channel="letter")
    assert (first.id, second.id) == ("TS202606020001", "TS202606020002")
    assert first.due_on == "2026-06-08" and first.status == "open"
    # Thursday 06-18: Fri 19 (端午节), Sat 20, Sun 21 (端午节) off; Mon 22, Tue 23, Wed 24.
    assert reg.lodge("2026-06-18").due_on == "2026-06-24"
    # Wednesday 09-30: 10-01..10-07 National Day; Thu 08, Fri 09, Sat 10 (make-up workday).
    autumn = reg.lodge("2026-09-30")
    assert (autumn.id, autumn.due_on) == ("TS202609300001", "2026-10-10")


def test_reply_days_come_from_the_config(tmp_path) -> None:
    reg = open_register(tmp_path, reply_days=1)
    # Thursday 06-18 + 1 working day: 19 and 21 are 端午节, 20 a Saturday -> Monday 06-22.
    assert reg.lodge("2026-06-18").due_on == "2026-06-22"
    reg.engine.dispose()


def test_personal_data_is_sealed_and_no_event_carries_it(reg: Register) -> None:
    row = reg.lodge("2026-06-02", contact=CONTACT, summary="王科长推诿扯皮", subject_staff="S002")
    reg.act("2026-06-03", row.id, "reply", text="已核实并批评教育", outcome="substantiated")
    with reg.engine.connect() as conn:
        stored = conn.execute(select(complaints_table)).one()
        events = conn.execute(select(complaint_events_table)).fetchall()
    raw = " ".join(str(v) for v in stored) + " ".join(str(v) for e in events for v in e)
    for secret in ("张三", "13912345678", "王科长", "批评教育"):
        assert secret not in raw
    assert [e.action for e in events] == ["lodge", "reply"]
    assert json.loads(events[1].detail) == {"outcome": "substantiated", "late": False}
    view = reg.run(
        "2026-06-03", lambda tx: complaints.full_view(reg.ctx, tx, stored, _d("2026-06-03"))
    )
    assert view["contact"] == CONTACT and view["summary"] == "王科长推诿扯皮"
    assert view["reply"] == "已核实并批评教育"
    assert [(e["action"], e["actor"]) for e in view["events"]] == [
        ("lodge", "S001"),
        ("reply", "manager:m1"),
    ]


def test_actions_follow_the_status(reg: Register) -> None:
    cid = reg.lodge("2026-06-02").id
    with pytest.raises(QueueError) as exc:
        reg.act("2026-06-02", cid, "close")
    assert exc.value.status == 409 and exc.value.code == "complaint_state"
    with pytest.raises(QueueError):
        reg.act("2026-06-02", cid, "satisfaction", value="satisfied")
    assert reg.act("2026-06-02", cid, "assign", to="S003").status == "assigned"
    replied = reg.act("2026-06-04", cid, "reply", text="答复", outcome="unsubstantiated")
    assert (replied.status, replied.replied_on) == ("replied", "2026-06-04")
    with pytest.raises(QueueError):
        reg.act("2026-06-04", cid, "assign", to="S004")
    assert reg.act("2026-06-05", cid, "close").status == "closed"
    rated = reg.act("2026-06-08", cid, "satisfaction", value="basic", by="call_back")
    assert (rated.status, rated.satisfaction) == ("closed", "basic")


def test_overdue_is_unreplied_after_the_due_day(reg: Register) -> None:
    late = reg.lodge("2026-06-02")  # due 06-08 (as in the first test)
    answered = reg.lodge("2026-06-02")
    reg.act("2026-06-03", answered.id, "reply", text="答复", outcome="unsubstantiated")
    fresh = reg.lodge("2026-06-04")  # due 06-09 (Fri 05, Mon 08, Tue 09)

    def listed(day: str, **kw) -> list[tuple[str, bool]]:
        found = reg.run(
            day, lambda tx: complaints.listing(tx, _d(day), kw.get("status"), kw.get("overdue"), 50)
        )
        return [(c["id"], c["overdue"]) for c in found["complaints"]]

    assert not any(o for _, o in listed("2026-06-08"))  # the due day itself is still in time
    on_9th = listed("2026-06-09")
    assert on_9th[0] == (late.id, True)  # overdue first
    assert sorted(on_9th[1:]) == sorted([(answered.id, False), (fresh.id, False)])
    assert listed("2026-06-09", overdue=True) == [(late.id, True)]
    assert {c for c, _ in listed("2026-06-10", overdue=True)} == {late.id, fresh.id}
    assert listed("2026-06-10", status="replied") == [(answered.id, False)]


def test_follow_needs_the_key_and_shows_no_staff(reg: Register) -> None:
    cid = reg.lodge("2026-06-02", follow_key="k" * 22, subject_staff="S002").id
    reg.act("2026-06-02", cid, "assign", to="S003")

    def follow(key: str, day: str = "2026-06-03") -> dict:
        return reg.run(day, lambda tx: complaints.follow(reg.ctx, tx, cid, key, _d(day)))

    for wrong in ("j" * 22, "k" * 21):
        with pytest.raises(QueueError) as exc:
            follow(wrong)
        assert exc.value.status == 404
    with pytest.raises(QueueError) as exc:
        reg.run(
            "2026-06-03",
            lambda tx: complaints.follow(reg.ctx, tx, "TS202606029999", "k" * 22, _d("2026-06-03")),
        )
    assert exc.value.status == 404
    before = follow("k" * 22)
    assert before["status"] == "assigned" and before["reply"] is None and not before["can_rate"]
    assert "S00" not in json.dumps(before)  # neither the subject nor the assignee
    reg.act("2026-06-04", cid, "reply", text="已答复您", outcome="substantiated")
    after = follow("k" * 22, "2026-06-04")
    assert after["reply"] == "已答复您" and after["can_rate"] and after["due_on"] == "2026-06-08"
    assert "S00" not in json.dumps(after)


def _d(day: str):
    import datetime as dt

    return dt.date.fromisoformat(day)
