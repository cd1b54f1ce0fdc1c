"""Service outside regular hours (午休, 双休日/节假日, 延时服务) and quarter/year periods.

The dataset and every ticket's class are in tests/queue/supervision/report_helpers.py;
the counts below are worked out by hand from its comments.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from hall.config import HallConfig
from hall.queue.core.schema import open_engine
from hall.queue.stats import outside_hours
from hall.workdays import WorkCalendar
from tests.queue.supervision.report_helpers import load
from tests.support import Daemon, hall_config

MAY = {"start": "2026-05-01", "end": "2026-05-31"}


@pytest.fixture
def hall(make_daemon, tmp_path) -> Daemon:
    data = tmp_path / "d" / "data"
    data.mkdir(parents=True)
    load(data / "hall.sqlite3")
    return make_daemon(name="d")


def stats(d: Daemon, **params) -> dict:
    r = d.api("manager-token-1").get("/statistics", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_may_counts_each_kind_of_service_outside_hours(hall: Daemon) -> None:
    rows = stats(hall, **MAY, period="month", by="hall")["outside_hours"]
    assert len(rows) == 1
    row = rows[0]
    assert row["bucket"] == "2026-05-01" and row["group"] == ""
    # Served: t1-t9 and t11b (t10 no-show, t11 sent on, t12 in June).
    # Holiday t1 + Sunday t4; lunch t3 (make-up Saturday) + t6; after 17:00 t8 + t9; 08:40 t5.
    assert row["served"] == 10
    assert (row["weekend_holiday"], row["lunch"], row["after_close"], row["before_open"]) == (
        2,
        2,
        2,
        1,
    )
    assert (row["outside_total"], row["regular"]) == (7, 3)  # regular: t2, t7 (13:45), t11b
    # First tickets t1-t11: normal t1 t2 t5 t7 t8 t10 t11, appointments t3 t9, priority t4 t6.
    assert row["issued"] == {"normal": 7, "priority": 2, "appointment": 2}
    assert row["served_by_kind"] == {"normal": 6, "priority": 2, "appointment": 2}


def test_weeks_and_windows(hall: Daemon) -> None:
    weeks = {r["bucket"]: r for r in stats(hall, **MAY, period="week")["outside_hours"]}
    # Mondays 04-27 (t1), 05-04 (t2 t3 t4), 05-11 (t5 t6 t7 t8 t9 t11b).
    assert sorted(weeks) == ["2026-04-27", "2026-05-04", "2026-05-11"]
    assert (weeks["2026-04-27"]["served"], weeks["2026-04-27"]["weekend_holiday"]) == (1, 1)
    w2 = weeks["2026-05-04"]
    assert (w2["served"], w2["lunch"], w2["weekend_holiday"], w2["regular"]) == (3, 1, 1, 1)
    w3 = weeks["2026-05-11"]
    assert (w3["before_open"], w3["lunch"], w3["after_close"], w3["regular"]) == (1, 1, 2, 2)
    windows = {
        r["group"]: r for r in stats(hall, **MAY, period="month", by="window")["outside_hours"]
    }
    # Window 1: t1 t2 t4 t6 t7 t9 t11b; window 2: t3 t5 t8.
    one, two = windows[1], windows[2]
    assert (one["served"], one["weekend_holiday"], one["lunch"], one["after_close"]) == (7, 2, 1, 1)
    assert (two["served"], two["lunch"], two["before_open"], two["after_close"]) == (3, 1, 1, 1)
    assert one["issued"] is None  # as for the figures: issued per hall and service only


def test_quarter_and_year_buckets(hall: Daemon) -> None:
    q = stats(hall, start="2026-04-01", end="2026-06-01", period="quarter", by="hall")
    assert [r["bucket"] for r in q["rows"]] == ["2026-04-01"]
    assert q["rows"][0]["served"] == 11  # May's 10 and t12 on 06-01
    assert [(r["bucket"], r["served"]) for r in q["outside_hours"]] == [("2026-04-01", 11)]
    y = stats(hall, start="2026-01-01", end="2026-06-01", period="year", by="hall")
    assert [(r["bucket"], r["served"]) for r in y["rows"]] == [("2026-01-01", 11)]
    bad = hall.api("manager-token-1").get("/statistics", params={**MAY, "period": "fortnight"})
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert "quarter" in error["message_en"] and "period" in error["message"]


def test_the_export_has_the_outside_hours_and_report_sheets(hall: Daemon) -> None:
    params = {**MAY, "period": "quarter", "format": "xlsx"}
    r = hall.api("manager-token-1").get("/statistics/export", params=params)
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = list(book["非工作时间 outside hours"].values)
    row = dict(zip(sheet[0], sheet[1], strict=True))
    assert (row["周期 period"], row["午休 lunch"], row["延时服务 after_close"]) == (
        "2026-04-01",
        2,
        2,
    )
    assert (row["预约取号 appointments_issued"], row["优先办结 priority_served"]) == (2, 2)
    report = {r[0]: r[1] for r in book["通报"].values if r and r[0] and len(r) > 1}
    assert report["统计期 period"] == "2026-05-01 – 2026-05-31"
    assert report["午休时间（12:00–13:30） lunch hours (12:00–13:30)"] == "2"
    assert report["合计 total outside regular hours"] == "7"


def _rows(tmp_path: Path, **hours) -> dict:
    tmp_path.mkdir()
    load(tmp_path / "hall.sqlite3")
    cfg = hall_config()
    cfg["hall"]["hours"].pop("lunch_break")
    cfg |= hours
    config = HallConfig.model_validate(cfg)
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    with engine.connect() as conn:
        first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
        found = outside_hours.period_rows(config, WorkCalendar.load(), conn, first, last, "month")
    engine.dispose()
    return found[0]


def test_a_hall_open_at_lunch_still_counts_its_lunch_hours(tmp_path: Path) -> None:
    # No lunch break: the default 12:00-14:00 also holds t7 at 13:45 (t3, t6, t7).
    assert _rows(tmp_path / "a")["lunch"] == 3
    # reports.lunch 12:00-12:20: t6 (12:15) only; t3 (12:30) is regular service, with
    # t2, t7 and t11b: 10 served - 2 holiday - 1 lunch - 2 after closing - 1 early = 4.
    row = _rows(tmp_path / "b", reports={"lunch": {"start": "12:00", "end": "12:20"}})
    assert (row["lunch"], row["regular"]) == (1, 4)
