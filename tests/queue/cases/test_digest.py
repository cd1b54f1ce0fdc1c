"""黄牌/红牌 listings and the daily digest, on the 2026 calendar (dates counted by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hall.queue.cases import digest
from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from hall.workdays import WorkCalendar
from tests.queue.cases.case_rows import case_row, insert_cases
from tests.queue.stats.test_case_figures import DATASET

CALENDAR = WorkCalendar.load()  # the shipped 2026 tables, no closed days of a hall
TUESDAY = dt.date(2026, 6, 2)


@pytest.fixture
def engine(tmp_path: Path):
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    insert_cases(engine, DATASET)
    yield engine
    engine.dispose()


def test_warned_cases_red_first_with_days_left(engine) -> None:
    with engine.connect() as conn:
        found = digest.warned(conn, CALENDAR, TUESDAY)
        only_bdc = digest.warned(conn, CALENDAR, TUESDAY, ["bdc"])
        nobody = digest.warned(conn, CALENDAR, TUESDAY, [])
    # c3: promised Monday 06-01, Tuesday is one working day over. c7: 06-03 and 06-04 left.
    # c9 (suspended, stale date) and c6 (补正) are stopped: not listed.
    assert found == [
        {
            "receipt": "c3",
            "matter": "BDC-ZY-001",
            "department": "bdc",
            "promised_date": "2026-06-01",
            "warning": "red",
            "days_left": -1,
        },
        {
            "receipt": "c7",
            "matter": "SJ-SP-001",
            "department": "scjg",
            "promised_date": "2026-06-04",
            "warning": "yellow",
            "days_left": 2,
        },
    ]
    assert [c["receipt"] for c in only_bdc] == ["c3"] and nobody == []
    assert not any("applicant" in c or "id_number" in c for c in found)


def test_red_over_a_weekend_and_yellow_before_its_day(engine) -> None:
    with engine.connect() as conn:
        # Thursday 06-11: c8 (promised Fri 06-12, yellow from Wed 06-10) is yellow.
        thursday = digest.warned(conn, CALENDAR, dt.date(2026, 6, 11), ["scjg"])
        # Tuesday 06-09: c8 is not yellow yet (yellow_on 06-10).
        before = digest.warned(conn, CALENDAR, dt.date(2026, 6, 9), ["scjg"])
        # Saturday 06-13, the day after c8's promised Friday: red, 0 working days over yet.
        saturday = digest.warned(conn, CALENDAR, dt.date(2026, 6, 13), ["scjg"])
    c8 = lambda cases: next(c for c in cases if c["receipt"] == "c8")  # noqa: E731
    assert (c8(thursday)["warning"], c8(thursday)["days_left"]) == ("yellow", 1)  # Fri 06-12
    assert "c8" not in [c["receipt"] for c in before]
    assert (c8(saturday)["warning"], c8(saturday)["days_left"]) == ("red", 0)


@pytest.mark.parametrize(
    ("day", "previous"),
    [
        ("2026-06-02", "2026-06-01"),  # Tuesday: Monday
        ("2026-06-08", "2026-06-05"),  # Monday: the Friday before
        ("2026-10-08", "2026-09-30"),  # after National Day (10-01..10-07): Wednesday 09-30
        ("2026-10-12", "2026-10-10"),  # Monday after the make-up Saturday 10-10
        ("2026-09-21", "2026-09-20"),  # Monday after the make-up Sunday 09-20
    ],
)
def test_yesterday_is_the_previous_working_day(day: str, previous: str) -> None:
    found = digest.previous_working_day(CALENDAR, dt.date.fromisoformat(day))
    assert found == dt.date.fromisoformat(previous)


def test_the_digest_per_department(engine) -> None:
    names = {
        "bdc": {"zh": "不动产登记中心", "en": "Real Estate"},
        "rsj": {"zh": "人社局", "en": "HR"},
    }
    with engine.connect() as conn:
        found = digest.digest(Tx(conn, 0.0), TUESDAY, calendar=CALENDAR, names=names)
        mine = digest.digest(Tx(conn, 0.0), TUESDAY, calendar=CALENDAR, departments=["scjg"])
    assert (found["day"], found["since"]) == ("2026-06-02", "2026-06-01")
    parts = {p["department"]: p for p in found["departments"]}
    # rsj is configured with nothing to report; scjg has cases but no name given.
    assert sorted(parts) == ["bdc", "rsj", "scjg"]
    assert parts["scjg"]["name"] is None and parts["bdc"]["name"] == names["bdc"]
    # Finished on Monday 06-01: c1 (bdc, on time) and c5 (scjg, ready, on time); c4 was
    # refused that day (退件 is not 办结); c2 finished the Friday before.
    assert (parts["bdc"]["finished"], parts["bdc"]["on_time"]) == (1, 1)
    assert (parts["scjg"]["finished"], parts["scjg"]["on_time"]) == (1, 1)
    assert (parts["rsj"]["finished"], parts["rsj"]["yellow"], parts["rsj"]["red"]) == (0, [], [])
    assert [c["receipt"] for c in parts["bdc"]["red"]] == ["c3"] and parts["bdc"]["yellow"] == []
    assert [c["receipt"] for c in parts["scjg"]["yellow"]] == ["c7"]
    assert [p["department"] for p in mine["departments"]] == ["scjg"]
    assert mine["departments"][0] == {**parts["scjg"], "name": None}


def test_late_finishes_count_apart_from_on_time_ones(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'late.sqlite3'}")
    done = {"status": "finished", "clock_state": "finished", "finished_on": "2026-09-30"}
    insert_cases(
        engine,
        [
            case_row("a", **done, on_time=1, used_days=5),
            case_row("b", **done, on_time=0, used_days=12),
            case_row("c", **{**done, "status": "delivered"}, on_time=0, used_days=11),
        ],
    )
    with engine.connect() as conn:  # the Thursday after National Day reports Wednesday 09-30
        found = digest.digest(Tx(conn, 0.0), dt.date(2026, 10, 8), calendar=CALENDAR)
    engine.dispose()
    (bdc,) = found["departments"]
    assert (found["since"], bdc["finished"], bdc["on_time"]) == ("2026-09-30", 3, 1)
