"""complaint_counts: received, replied on time, overdue, substantiated per subject, satisfaction."""

from __future__ import annotations

import datetime as dt

from hall.queue.supervision.complaint_counts import complaint_counts
from tests.queue.supervision.complaint_helpers import open_register

D = dt.date.fromisoformat


def test_a_month_counted_by_hand(tmp_path) -> None:
    reg = open_register(tmp_path)
    # Due days (the test hall is closed 06-02 and 06-03; weekends off):
    # lodged Thu 06-04 -> Fri 05, Mon 08, Tue 09 = 06-09; lodged Fri 06-05 -> 08, 09, 10 = 06-10.
    a = reg.lodge("2026-06-04", subject_staff="S001", subject_window=1, subject_department="scjg")
    b = reg.lodge("2026-06-04", subject_staff="S001", subject_window=1)
    c = reg.lodge("2026-06-05", subject_staff="S002", subject_window=2)
    d = reg.lodge("2026-06-05", channel="letter")
    reg.lodge("2026-07-01", subject_staff="S001")  # another month
    reg.act("2026-06-05", a.id, "reply", text="t", outcome="substantiated")  # in time
    reg.act("2026-06-05", a.id, "close")
    reg.act("2026-06-08", a.id, "satisfaction", value="satisfied")
    reg.act("2026-06-10", b.id, "reply", text="t", outcome="unsubstantiated")  # a day late
    reg.act("2026-06-08", d.id, "reply", text="t", outcome="substantiated")  # in time
    reg.act("2026-06-09", d.id, "satisfaction", value="unsatisfied")
    # c is never answered: overdue once the period's end is after 06-10.
    with reg.engine.connect() as conn:
        june = complaint_counts(conn, D("2026-06-01"), D("2026-06-30"))
        early = complaint_counts(conn, D("2026-06-01"), D("2026-06-05"))
        one_day = complaint_counts(conn, D("2026-06-04"), D("2026-06-04"))
    reg.engine.dispose()
    assert june["received"] == 4
    assert june["by_channel"] == {
        "phone": 3,
        "letter": 1,
        "box": 0,
        "web": 0,
        "in_person": 0,
        "kiosk": 0,
    }
    assert (june["replied"], june["replied_on_time"], june["replied_late"]) == (3, 2, 1)
    assert june["overdue"] == 2  # b (late) and c (never answered)
    assert (june["closed"], june["closed_rate"]) == (1, 0.25)
    assert (june["substantiated"], june["unsubstantiated"]) == (2, 1)
    assert june["by_staff"] == {
        "S001": {"received": 2, "substantiated": 1},
        "S002": {"received": 1, "substantiated": 0},
    }
    assert june["by_window"] == {
        "1": {"received": 2, "substantiated": 1},
        "2": {"received": 1, "substantiated": 0},
    }
    assert june["by_department"] == {"scjg": {"received": 1, "substantiated": 1}}
    assert june["satisfaction"] == {"satisfied": 1, "basic": 0, "unsatisfied": 1, "unknown": 1}
    assert early["received"] == 4 and early["overdue"] == 1  # c is still within its days
    assert one_day["received"] == 2 and set(one_day["by_staff"]) == {"S001"}
    assert c.id not in str(june)  # figures, not complaints


def test_an_empty_period(tmp_path) -> None:
    reg = open_register(tmp_path)
    with reg.engine.connect() as conn:
        empty = complaint_counts(conn, D("2026-06-01"), D("2026-06-30"))
    reg.engine.dispose()
    assert empty["received"] == 0 and empty["closed_rate"] is None and empty["by_staff"] == {}
