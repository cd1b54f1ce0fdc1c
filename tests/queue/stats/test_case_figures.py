"""The register's figures (办结率, 按时办结率, 黄牌/红牌) on a small dataset counted by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hall.queue.core.schema import open_engine
from hall.queue.stats import case_figures
from tests.queue.cases.case_rows import case_row, insert_cases

# Received in May 2026 (c1-c9) and on 04-30 (c10, outside the range); as of 2026-06-02
# (Tuesday). The register stores the clock on the row; the figures only read it.
DATASET = [
    case_row(
        "c1", status="finished", clock_state="finished", promised_date="2026-05-12",
        finished_on="2026-06-01", finished_by="S004", used_days=3, on_time=1,
    ),
    case_row(
        "c2", opened_by="S011", status="delivered", clock_state="finished",
        promised_date="2026-05-20", finished_on="2026-05-29", finished_by="S004",
        used_days=7, on_time=0, extensions=1, extended_days=2,
    ),
    # Accepted, running, promised Monday 06-01: 红牌 on Tuesday 06-02.
    case_row(
        "c3", matter="BDC-ZY-001", opened_by="S005", window=5,
        promised_date="2026-06-01", yellow_on="2026-05-28",
    ),
    # 退件 by the chief: finished_on/used_days/on_time are set, yet it is not 办结.
    case_row(
        "c4", matter="BDC-ZY-001", opened_by="S005", status="rejected",
        clock_state="finished", finished_on="2026-06-01", finished_by="S004",
        used_days=1, on_time=1,
    ),
    case_row(
        "c5", matter="SJ-DJ-001", department="scjg", opened_by="S006", status="ready",
        clock_state="finished", finished_on="2026-06-01", finished_by="S007",
        used_days=1, on_time=1, suspensions=1,
    ),
    # Waiting for 补正: no promised date, never yellow or red.
    case_row(
        "c6", matter="SJ-DJ-001", department="scjg", opened_by="S006", status="returned",
        clock_state="waiting", returns=1,
    ),
    # A kiosk case, 2 working days left on 06-02 (06-03, 06-04): 黄牌 from 06-02.
    case_row(
        "c7", matter="SJ-SP-001", department="scjg", source="kiosk", opened_by="terminal k1",
        window=None, promised_date="2026-06-04", yellow_on="2026-06-02",
    ),
    case_row(
        "c8", matter="SJ-SP-001", department="scjg", opened_by="S007", status="received",
        promised_date="2026-06-12", yellow_on="2026-06-10",
    ),
    # Suspended, with a stale promised date in the past: the stopped clock is not red.
    case_row(
        "c9", matter="SJ-SP-001", department="scjg", opened_by="S006", status="suspended",
        clock_state="suspended", promised_date="2026-05-20", yellow_on="2026-05-18",
        suspensions=1,
    ),
    case_row(
        "c10", received_on="2026-04-30", status="finished", clock_state="finished",
        finished_on="2026-05-06", finished_by="S004", used_days=2, on_time=1,
    ),
]  # fmt: skip
MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
TODAY = dt.date(2026, 6, 2)


@pytest.fixture
def figures(tmp_path: Path) -> dict:
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    insert_cases(engine, DATASET)
    with engine.connect() as conn:
        found = case_figures.compute(conn, *MAY, TODAY)
    engine.dispose()
    return found


def by(rows: list[dict], key: str) -> dict:
    return next(r for r in rows if r["group"] == key)


def test_the_hall_row_matches_the_hand_count(figures) -> None:
    hall = figures["hall"]
    # c1-c9 received in May; 办结: c1 (finished), c2 (delivered), c5 (ready); c4 refused.
    assert (hall["received"], hall["finished"], hall["rejected"], hall["open"]) == (9, 3, 1, 5)
    assert hall["completion_rate"] == 0.375  # 3 / (9 - 1)
    assert hall["on_time"] == 2 and hall["on_time_rate"] == 0.6667  # c1, c5 of 3
    assert hall["avg_used_days"] == 3.67  # (3 + 7 + 1) / 3; c4's day of 退件 not counted
    assert (hall["extensions"], hall["suspensions"], hall["returns"]) == (1, 2, 1)
    assert (hall["yellow"], hall["red"]) == (1, 1)  # c7 yellow, c3 red; c6, c9 stopped


def test_departments_matters_and_clerks(figures) -> None:
    bdc, scjg = by(figures["department"], "bdc"), by(figures["department"], "scjg")
    # bdc: c1-c4; 2 finished of 4 - 1 refused; on time c1 of c1, c2; days (3 + 7) / 2.
    assert (bdc["received"], bdc["finished"], bdc["completion_rate"]) == (4, 2, 0.6667)
    assert (bdc["on_time_rate"], bdc["avg_used_days"], bdc["red"]) == (0.5, 5.0, 1)
    # scjg: c5-c9; only c5 done (ready): 1 / 5, on time, one day.
    assert (scjg["received"], scjg["finished"], scjg["completion_rate"]) == (5, 1, 0.2)
    assert (scjg["on_time_rate"], scjg["avg_used_days"], scjg["yellow"]) == (1.0, 1.0, 1)
    assert (scjg["suspensions"], scjg["returns"]) == (2, 1)
    matters = {r["group"]: (r["received"], r["finished"]) for r in figures["matter"]}
    assert matters == {
        "BDC-BF-001": (2, 2),
        "BDC-ZY-001": (2, 0),
        "SJ-DJ-001": (2, 1),
        "SJ-SP-001": (3, 0),
    }
    assert by(figures["matter"], "BDC-ZY-001")["completion_rate"] == 0.0  # 0 of 2 - 1
    # Finished or refused: who did it; open: who opened it (c7: the kiosk).
    clerks = {r["group"]: (r["received"], r["finished"], r["rejected"]) for r in figures["clerk"]}
    assert clerks == {
        "S004": (3, 2, 1),  # c1, c2 (opened by S011, finished by S004), c4 (refused)
        "S005": (1, 0, 0),  # c3
        "S006": (2, 0, 0),  # c6, c9
        "S007": (2, 1, 0),  # c5 (opened by S006), c8
        "terminal k1": (1, 0, 0),  # c7
    }
    assert by(figures["clerk"], "S004")["completion_rate"] == 1.0  # 2 of 3 - 1


def test_an_empty_range_has_no_rates(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    insert_cases(engine, DATASET)
    with engine.connect() as conn:
        found = case_figures.compute(conn, dt.date(2026, 7, 1), dt.date(2026, 7, 31), TODAY)
    engine.dispose()
    assert found["hall"]["received"] == 0 and found["department"] == []
    assert found["hall"]["completion_rate"] is None and found["hall"]["on_time_rate"] is None
    assert found["hall"]["avg_used_days"] is None


def test_only_finishing_counts_a_promised_case_done(tmp_path: Path) -> None:
    # The complaint: accepted counted as done. Accept, then finish, one case.
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    insert_cases(engine, [case_row("p1", promised_date="2026-05-20", yellow_on="2026-05-18")])
    with engine.connect() as conn:
        before = case_figures.compute(conn, *MAY, dt.date(2026, 5, 7))["hall"]
        conn.exec_driver_sql(
            "UPDATE cases SET status='finished', clock_state='finished', finished_on='2026-05-08',"
            " finished_by='S004', used_days=2, on_time=1, yellow_on=NULL WHERE receipt='p1'"
        )
        after = case_figures.compute(conn, *MAY, dt.date(2026, 5, 8))["hall"]
    engine.dispose()
    assert (before["finished"], before["completion_rate"], before["open"]) == (0, 0.0, 1)
    assert (after["finished"], after["completion_rate"], after["on_time_rate"]) == (1, 1.0, 1.0)
