"""通报 routes over a real daemon: the month's report from hand-counted data, roles, periods."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.queue.cases.case_rows import store_with_cases
from tests.queue.stats.test_case_figures import DATASET
from tests.queue.supervision.report_helpers import load, load_supervision, report_config
from tests.support import Daemon

MANAGER = "manager-token-1"


@pytest.fixture
def hall(make_daemon, tmp_path) -> Daemon:
    data = tmp_path / "d" / "data"
    data.mkdir(parents=True)
    load(data / "hall.sqlite3")
    load_supervision(data / "hall.sqlite3")
    store_with_cases(data, DATASET)  # the register's cases c1-c9, received in May
    return make_daemon(report_config(), name="d")


def test_the_month_report_counts_what_happened(hall: Daemon) -> None:
    r = hall.api(MANAGER).get("/reports/2026-05.json")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["period"] == {
        "code": "2026-05",
        "kind": "month",
        "start": "2026-05-01",
        "end": "2026-05-31",
        "zh": "2026年5月",
        "en": "May 2026",
    }
    # The daemon's today is 2026-06-02 (tests/support/config.py): May is over.
    assert (report["complete"], report["as_of"]) == (True, "2026-05-31")
    s = report["service"]
    # tests/queue/supervision/report_helpers.py: t1-t11 taken, t10 a no-show, t11 sent on
    # as t11b; served t1-t9 and t11b.
    assert (s["issued"], s["served"], s["no_shows"], s["transfers"]) == (11, 10, 1, 1)
    o = report["outside_hours"]
    assert (o["lunch"], o["weekend_holiday"], o["after_close"], o["before_open"]) == (2, 2, 2, 1)
    assert report["lunch_hours"] == ["12:00", "13:30"]
    # Weeks of May (a month's chart): Mondays 04-27, 05-04, 05-11 with 1, 3 and 6 served.
    assert [(t["bucket"], t["served"]) for t in report["trend"]] == [
        ("2026-04-27", 1),
        ("2026-05-04", 3),
        ("2026-05-11", 6),
    ]
    assert [(w["window"], w["served"]) for w in report["windows"]] == [(1, 7), (2, 3)]
    # Approved leave: S001 3 days with S002 covering, S002 half a day; the refusal is not.
    assert report["leave"] == {"available": True, "approved": 2, "days": 3.5, "with_cover": 1}
    # L1 on 05-06 (twice) and 05-20, L2 on 05-07; L1's June visit is not May's.
    months = {r["id"]: r["months"] for r in report["leaders"]["leaders"]}
    assert months == {
        "L1": [{"month": "2026-05", "visits": 2, "required": 2, "met": True}],
        "L2": [{"month": "2026-05", "visits": 1, "required": 3, "met": False}],
    }
    # The 考核 scores are the assessment's own (GET /assessment), ranked the same.
    for kind in ("window", "staff"):
        own = hall.api(MANAGER).get("/assessment", params={"period": "2026-05", "kind": kind})
        expected = [(r["target"], r["score"], r["rank"], r["grade"]) for r in own.json()["rows"]]
        got = report["assessment"][kind]["rows"]
        assert [(r["target"], r["score"], r["rank"], r["grade"]) for r in got] == expected
        assert sum(report["assessment"][kind]["grades"].values()) == len(expected) > 0
        if kind == "window":  # each window's row carries its score
            score = {r["target"]: r["score"] for r in own.json()["rows"]}
            assert [w["score"] for w in report["windows"]] == [score["1"], score["2"]]
    # The register's May (tests/queue/stats/test_case_figures.py, counted there by hand):
    # 9 received, 3 办结, 1 refused: 3 / 8; as of 06-02 one yellow and one red.
    cases = report["cases"]["hall"]
    assert (cases["received"], cases["finished"], cases["completion_rate"]) == (9, 3, 0.375)
    assert (cases["on_time_rate"], cases["yellow"], cases["red"]) == (0.6667, 1, 1)
    assert [d["group"] for d in report["cases"]["department"]] == ["bdc", "scjg"]
    # Complaints (report_helpers.COMPLAINTS): three in May, one replied late, one on time,
    # one still inside its reply days on 05-31; two closed.
    c = report["complaints"]
    assert (c["received"], c["replied_on_time"], c["overdue"], c["closed"]) == (3, 1, 1, 2)
    assert (c["substantiated"], c["unsubstantiated"]) == (1, 1)
    # 首问: two answered at once, one referred; help: two asked, one answered in 45 s.
    e = report["enquiries"]
    assert (e["enquiries"], e["enquiries_by_answer"]) == (3, {"answered": 2, "referred": 1})
    assert (e["help_requests"], e["help_acknowledged"], e["help_mean_answer_s"]) == (2, 1, 45.0)
    assert e["help_median_answer_s"] == 45.0


def test_a_running_quarter_is_reported_so_far(hall: Daemon) -> None:
    report = hall.api(MANAGER).get("/reports/2026q2.json").json()
    assert report["period"]["code"] == "2026Q2" and report["period"]["zh"] == "2026年第二季度"
    assert (report["complete"], report["as_of"]) == (False, "2026-06-02")
    assert report["service"]["served"] == 11  # t12 on 06-01 too
    assert [t["bucket"] for t in report["trend"]] == ["2026-05-01", "2026-06-01"]
    # April, May and June so far: L1 signed in on two days of May, one of June.
    l1 = next(r for r in report["leaders"]["leaders"] if r["id"] == "L1")
    assert [(m["month"], m["visits"]) for m in l1["months"]] == [
        ("2026-04", 0),
        ("2026-05", 2),
        ("2026-06", 1),
    ]
    year = hall.api(MANAGER).get("/reports/2026.json").json()
    assert year["assessment"]["available"] is False  # scores are per month or quarter


BAD = [
    ("2026Q5", "YYYYQn", "季度"),
    ("26Q1", "YYYYQn", "季度"),
    ("q4", "YYYYQn", "季度"),
    ("2026-5", "YYYY-MM", "YYYY-MM"),
    ("2026-13", "the month must be 01 to 12", "月份应在01至12之间"),
    ("1999", "the year must be 2000 to 2099", "年份应在2000至2099之间"),
]


def test_a_bad_period_is_a_422_in_both_languages(hall: Daemon) -> None:
    for period, en, zh in BAD:
        r = hall.api(MANAGER).get(f"/reports/{period}.json")
        assert r.status_code == 422, (period, r.text)
        error = r.json()["error"]
        assert error["code"] == "bad_period"
        assert en in error["message_en"] and zh in error["message"], (period, error)
    too_long = hall.api(MANAGER).get("/reports/" + "2026" * 10 + ".json")
    assert too_long.status_code == 422 and "period" in too_long.json()["error"]["message_en"]


def test_only_managers_read_the_report(hall: Daemon) -> None:
    clerk = hall.staff("S001", 1)
    for who in (hall.api("kiosk-token-1"), hall.api("display-token-1"), clerk):
        for suffix in ("json", "html", "xlsx"):
            r = who.get(f"/reports/2026-05.{suffix}")
            assert r.status_code == 403, (suffix, r.text)
    assert hall.api(None).get("/reports/2026-05.json").status_code == 401


def test_the_page_and_the_workbook(hall: Daemon) -> None:
    manager = hall.api(MANAGER)
    page = manager.get("/reports/2026-05.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert "2026年5月工作通报" in page.text and "<svg" in page.text
    book = manager.get("/reports/2026-05.xlsx")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content))
    rows = [r for r in sheets["通报"].values if r and r[0]]
    assert rows[0][0] == "测试大厅 2026年5月工作通报"
    lines = {r[0]: r[1] for r in rows if len(r) > 1}
    assert (
        lines["办结 served"] == "10"
        and lines["延时服务（下班后） after closing (extended service)"] == "2"
    )
    assert lines["批准请假 leave approved"] == "2"
    assert lines["分管领导钱主任 5月签到 leader's sign-in days 2026-05"] == "1/3 未达标 short"
    assert lines["分管领导赵局长（分管副局长） 5月签到 leader's sign-in days 2026-05"] == "2/2"
    assert lines["办结率 completion rate"] == "37.50%"  # the register's 3 of 8
    assert lines["办结率 closed rate"] == "66.67%"  # complaints: 2 of 3 closed
    assert lines["对答复不满意 not satisfied with the answer"] == "1"
    assert lines["平均响应 mean time to answer"] == "0.8分钟 min"  # 45 s
    # The period's statistics by week, as the chart: 3 weeks.
    assert len(list(sheets.worksheets[0].values)) == 1 + 3
