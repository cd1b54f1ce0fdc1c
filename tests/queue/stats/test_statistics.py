"""Statistics on a small known dataset, checked against figures worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import keys, ratings
from hall.secrets.keyring import Keyring
from hall.workdays import WorkCalendar
from tests.queue.ratings.rating_helpers import rate
from tests.support import PIN, Daemon, hall_config

MON = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC).timestamp()  # 09:00 in Beijing
TUE = MON + 86400
KEY = "statistics-rating-key-0"  # every ticket's rating key in this dataset
# id, day, service, status, window, staff, case type, issued, wait, service time, from
ROWS = [
    ("t1", MON, "general", "finished", 1, "S001", "即办件", 0, 60, 300, None),
    ("t2", MON, "general", "finished", 1, "S001", "补正", 10, 120, 600, None),
    ("t3", MON, "general", "finished", 2, "S002", "承诺件", 20, 300, 120, None),
    ("t4", MON, "general", "no_show", 2, "S002", None, 30, 600, None, None),
    ("t5", MON, "general", "transferred", 1, "S001", None, 40, 30, None, None),
    ("t5b", MON, "vip", "finished", 1, "S001", "即办件", 40, 500, 60, "t5"),
    ("t6", TUE, "vip", "finished", 2, "S002", "即办件", 0, 900, 300, None),
    ("t7", TUE, "general", "finished", 1, "S001", "即办件", 10, 60, 60, None),
]


def load(path: Path) -> None:
    """Write the dataset and its ratings (through the ledger code) into a fresh store."""
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as conn, conn.begin():
        for n, (tid, base, svc, status, win, staff, ctype, issued, wait, service, src) in enumerate(
            ROWS
        ):
            t0 = base + issued
            called = t0 + wait
            tx_row = {
                "id": tid,
                "day": dt.datetime.fromtimestamp(base, dt.UTC).date().isoformat(),
                "service": svc,
                "seq": n + 1,
                "number": f"A{n + 1:03d}",
                "kind": "normal",
                "status": status,
                "issued_at": t0,
                "queue_at": t0,
                "called_at": called,
                "served_at": called if service else None,
                "finished_at": called + service if service else None,
                "window": win,
                "staff_id": staff,
                "case_type": ctype,
                "recalls": 0,
                "transferred_from": src,
                "updated_at": called,
            }
            conn.execute(tickets_table.insert(), tx_row)
        tx = Tx(conn, TUE + 3600)
        # The ratings' context: this hall's config, the built-in working-day tables, and the
        # key file the daemon will find (data/keys/hall.keys): the ledger's rows are MACed.
        ring = Keyring.open(path.parent / "keys" / "hall.keys")
        cfg = HallConfig.model_validate(hall_config())
        ctx = Context.open(cfg, b"k", WorkCalendar.load(), keyring=ring)
        for tid, *_ in ROWS:  # as if issued by a kiosk: each printed ticket has its key
            if tid != "t5b":  # a transferred copy is rated with its first ticket's key
                keys.keep(tx, f"ticket:{tid}", KEY)
        ids = {}
        for tid, level in (("t1", 5), ("t2", 3), ("t3", 1), ("t5b", 4), ("t6", 2)):
            rating = ratings.Rating(tid, "online", level, key=KEY)
            ids[tid] = ratings.record(ctx, tx, rating)["id"]
        ratings.appeal(ctx, tx, ids["t3"], "upheld", "恶意评价,经核实", "manager m")
    engine.dispose()


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


def test_week_figures_match_the_hand_count(hall: Daemon) -> None:
    week = stats(hall, start="2025-06-01", end="2025-06-08", period="week", by="hall")
    assert [r["bucket"] for r in week["rows"]] == ["2025-06-02"]  # weeks start on Monday
    row = week["rows"][-1]
    assert (row["issued"], row["served"], row["no_shows"], row["transfers"]) == (7, 6, 1, 1)
    # Waits of first tickets: 60 120 300 600 30 900 60 -> mean 295.7, nearest-rank 120 / 900.
    assert row["wait"] == {"n": 7, "mean_s": 295.7, "median_s": 120, "p90_s": 900}
    # Service times: 300 600 120 60 300 60 -> mean 240, median 120, p90 600.
    assert row["service_time"] == {"n": 6, "mean_s": 240.0, "median_s": 120, "p90_s": 600}
    assert row["cases_by_type"] == {"即办件": 4, "承诺件": 1, "联办件": 0, "上报件": 0, "补正": 1}
    assert row["completion_rate"] == round(5 / 6, 4)
    # t3's 非常不满意 was set aside by an upheld appeal; t7 was never rated.
    assert row["ratings"] == {
        "very_satisfied": 1,
        "satisfied": 1,
        "basically_satisfied": 1,
        "dissatisfied": 1,
        "very_dissatisfied": 0,
    }
    assert (row["rated"], row["unrated"], row["appealed"], row["satisfaction"]) == (4, 1, 1, 0.75)
    assert row["bad"] == {"opened": 2, "overdue": 1, "by_state": {"appealed": 1, "open": 1}}


def test_per_window_and_staff_by_day(hall: Daemon) -> None:
    rows = stats(hall, start="2025-06-02", end="2025-06-02", period="day", by="window")["rows"]
    w = {r["group"]: r for r in rows}
    assert set(w) == {1, 2}
    assert (w[1]["served"], w[1]["transfers"], w[1]["issued"]) == (3, 1, None)
    assert (w[2]["served"], w[2]["no_shows"], w[2]["wait"]["n"]) == (1, 1, 2)
    assert w[1]["ratings"]["satisfied"] == 1 and w[2]["appealed"] == 1
    staff = stats(hall, start="2025-06-03", end="2025-06-03", period="day", by="staff")["rows"]
    s = {r["group"]: r for r in staff}
    assert s["S002"]["bad"]["opened"] == 1 and s["S001"]["unrated"] == 1
    svc = stats(hall, start="2025-06-01", end="2025-06-30", period="month", by="service")["rows"]
    assert {r["group"]: r["issued"] for r in svc} == {"general": 6, "vip": 1}


def test_a_late_rating_updates_a_cached_day_and_exports_parse_back(hall: Daemon) -> None:
    params = {"start": "2025-06-02", "end": "2025-06-08", "period": "week", "by": "hall"}
    assert stats(hall, **params)["rows"][-1]["unrated"] == 1  # day figures now cached
    rate(hall, "t7", 4, key=KEY)  # online, days later: the cached day must not hide it
    row = stats(hall, **params)["rows"][-1]
    assert (row["unrated"], row["ratings"]["satisfied"], row["satisfaction"]) == (0, 2, 0.8)
    manager = hall.api("manager-token-1")
    r = manager.get("/statistics/export", params={**params, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    # The table, a blank line, then the ratings ledger's head (tests/queue/security/).
    assert table[-2:][0] == [] and table[-1][0] == "台账校验码 ledger head"
    header, data = table[0], dict(zip(table[0], table[-3], strict=True))
    assert header[:2] == ["周期 period", "分组 group"]
    assert (data["办结 served"], data["满意率 satisfaction"], data["未评价 unrated"]) == (
        "6",
        "0.8",
        "0",
    )
    x = manager.get("/statistics/export", params={**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = list(sheet.values)
    assert list(values[0]) == header
    got = dict(zip(values[0], values[-1], strict=True))
    assert (got["办结 served"], got["满意率 satisfaction"], got["即办件"]) == (6, 0.8, 4)
    bad = manager.get("/statistics", params={**params, "end": "2024-01-01"})
    assert bad.status_code == 422
    assert hall.api("kiosk-token-1").get("/statistics", params=params).status_code == 403


def test_attendance_is_in_the_period_statistics_and_export(make_daemon) -> None:
    """考勤 per period and staff member, in the answer and in both export files."""
    cfg = hall_config()
    cfg["hall"]["hours"]["closed_dates"] = []
    d = make_daemon(cfg, name="att-stats")
    r = d.api(None).post("/attendance/checkin", {"staff_id": "S001", "pin": PIN, "window": 1})
    assert r.status_code == 200, r.text
    manager = d.api("manager-token-1")
    day = d.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    stats = manager.get("/statistics", params={"start": day, "end": day, "by": "staff"}).json()
    rows = {r["staff_id"]: r for r in stats["attendance"]}
    # Staff without a record appear only on working days; S001 checked in today.
    assert sum(rows["S001"]["days"].values()) == 1  # one day, whatever its status
    params = {"start": day, "end": day, "by": "staff", "format": "xlsx"}
    xlsx = manager.get("/statistics/export", params=params).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["考勤"]
    values = list(sheet.values)
    assert values[0][:2] == ("考勤时段 bucket", "工号 staff")
    assert any(row[1] == "S001" for row in values[1:])
