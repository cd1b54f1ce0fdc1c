"""Who each source record counts against, on a real SQLite store (no daemon).

The test hall (tests/support/config.py): S001..S005 at windows 1..5. June 2026 by
hand: 06-01 is a Monday, 06-02 a Tuesday; the hall is closed on 06-02 and 06-03
(``closed_dates``), so 06-01, 06-04 and 06-05 are working days of that week.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.core.tables.attendance import attendance_table
from hall.queue.core.tables.tickets import staff_sessions_table
from hall.queue.supervision import score_attendance, score_sources
from tests.queue.supervision.assess_helpers import Activity, at
from tests.support import hall_config

JUNE_1, JUNE_4, JUNE_5 = dt.date(2026, 6, 1), dt.date(2026, 6, 4), dt.date(2026, 6, 5)


def _ctx(**assessment) -> Context:
    cfg = hall_config(assessment=assessment) if assessment else hall_config()
    return Context.open(HallConfig.model_validate(cfg), b"k" * 32)


@pytest.fixture
def store(tmp_path):
    act = Activity(tmp_path)
    yield act, tmp_path
    act.engine.dispose()


def _lines(tmp_path, read):
    """``read(conn)`` on the store in ``tmp_path``."""
    engine = open_engine(sqlite_url(tmp_path))
    try:
        with engine.connect() as conn:
            return read(conn)
    finally:
        engine.dispose()


def test_a_closed_window_counts_against_the_clerk_who_left_it(store) -> None:
    act, path = store
    act.vacancy(2, JUNE_1, "14:00", "closed")  # S002 signed out at 14:00 sharp
    act.vacancy(3, JUNE_1, "09:00", "closed")  # closed overnight: nobody's
    act.vacancy(4, JUNE_1, "10:05", "paused")  # S004's pause began 10:00
    act.pause("S004", 4, JUNE_1, "10:00", 30)
    act.write()
    engine = open_engine(sqlite_url(path))
    with engine.begin() as conn:
        conn.execute(
            insert(staff_sessions_table).values(
                token_hash="h",
                staff_id="S002",
                window=2,
                created_at=at(JUNE_1, "08:55"),
                expires_at=at(JUNE_1, "20:00"),
                ended_at=at(JUNE_1, "14:00"),
            )
        )
    with engine.connect() as conn:
        found = score_sources.vacancies(conn, JUNE_1, JUNE_1)
    engine.dispose()
    assert sorted((ln.window, ln.staff) for ln in found) == [(2, "S002"), (3, None), (4, "S004")]


def test_the_pause_limit_comes_from_the_vacancy_rules_or_the_assessment(store) -> None:
    act, path = store
    act.pause("S001", 1, JUNE_1, "10:00", 11)  # other: limit 10 min
    act.pause("S001", 1, JUNE_1, "12:00", 29, "lunch_relief")  # lunch relief: 30 min
    act.pause("S002", 2, JUNE_1, "15:00", 31, "lunch_relief")
    act.write()
    now = at(JUNE_4, "10:00")
    by_vacancy = _lines(path, lambda c: score_sources.pauses_over(_ctx(), c, JUNE_1, JUNE_1, now))
    assert sorted(ln.staff for ln in by_vacancy) == ["S001", "S002"]
    ctx = _ctx(pause_limit_min=20)
    own = _lines(path, lambda c: score_sources.pauses_over(ctx, c, JUNE_1, JUNE_1, now))
    assert sorted(ln.staff for ln in own) == ["S001", "S002"]  # the 29 and 31 min pauses
    assert {ln.kind for ln in own} == {"pause_over"}


def test_attendance_leave_records_today_and_days_off(store) -> None:
    act, path = store
    for n in range(1, 6):  # everyone punctual on 06-01 and 06-04 ...
        for day in (JUNE_1, JUNE_4):
            act.day(f"S00{n}", n, day, "08:55", "17:00")
    # ... except S003 on 06-04: a leave record (请假, attendance), no check-in.
    act.rows[attendance_table] = [
        r
        for r in act.rows[attendance_table]
        if not (r["staff_id"] == "S003" and r["day"] == "2026-06-04")
    ]
    act.rows[attendance_table].append(
        {
            "staff_id": "S003",
            "day": "2026-06-04",
            "kind": "leave",
            "ts": at(JUNE_1, "12:00"),
            "method": "manual",
            "window": None,
            "note": "病假",
            "actor": "manager:m1",
        }
    )
    act.day("S001", 1, JUNE_5, "09:20", None)  # 06-05 (today, 09:40): late, no check-out yet
    act.write()
    now = at(JUNE_5, "09:40")  # 40 min after the start: the others are absent today
    ctx, june_30 = _ctx(), dt.date(2026, 6, 30)
    found = _lines(path, lambda c: score_attendance.attendance(ctx, c, JUNE_1, june_30, now))
    # SB (the B岗 clerk) never checked in: absent on 06-01, 06-04 and today; S003's leave
    # record covers 06-04; 06-02 and 06-03 are closed; days after today are not judged.
    assert sorted((ln.day, ln.staff, ln.kind) for ln in found) == [
        ("2026-06-01", "SB", "absent"),
        ("2026-06-04", "SB", "absent"),
        ("2026-06-05", "S001", "late"),
        ("2026-06-05", "S002", "absent"),
        ("2026-06-05", "S003", "absent"),
        ("2026-06-05", "S004", "absent"),
        ("2026-06-05", "S005", "absent"),
        ("2026-06-05", "SB", "absent"),
    ]
    late = next(ln for ln in found if ln.kind == "late")
    assert (late.window, late.ref is not None) == (1, True)
    earlier = at(JUNE_5, "09:25")  # 25 min after the start: no one is absent yet (pending)
    found = _lines(path, lambda c: score_attendance.attendance(ctx, c, JUNE_5, JUNE_5, earlier))
    assert [(ln.staff, ln.kind) for ln in found] == [("S001", "late")]
