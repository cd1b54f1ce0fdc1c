"""考核 over a generated month: three clerks' scores worked out by hand, over the API.

A 40-clerk hall (S01..S40, one window each) gets May 2026 of seeded activity for
37 clerks and scripted activity for S07, S12 and S13, written into the store before
the daemon starts; the tests' clock stands at 2026-06-02, so May is over.

May 2026 by hand (hall/data/holidays/2026.yaml): 05-01 (Fri) .. 05-05 (Tue) are the
劳动节 days off, 05-09 (Sat) is a make-up working day. Working days: 05-06, 07, 08,
09, 11..15, 18..22, 25..29 = 3 + 1 + 5 + 5 + 5 + 5 = 24. Default scheme: late,
early, 离岗 over its limit, 空岗, complaint, 差评 2; absent 5; overdue case 5; red 5;
yellow 2; commendation +3; grades 95 / 85 / 70; a pause of reason ``other`` may last
10 minutes (vacancy.alert_after_min), ``lunch_relief`` 30.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.queue.supervision.assess_helpers import Activity, background, hall_of
from tests.support import Daemon, new_daemon

MAY = [dt.date(2026, 5, d) for d in (6, 7, 8, 9, *range(11, 16), *range(18, 23), *range(25, 30))]
CHECKED = (7, 12, 13)


def d(day: int) -> dt.date:
    """A day of May 2026."""
    return dt.date(2026, 5, day)


def script(act: Activity) -> None:
    """The three checked clerks' month (each line's points in the comment)."""
    # S07 at window 7: punctual (08:50-17:05) except on the days named below.
    special = {6, 9, 12, 13, 14, 15, 18}
    for day in MAY:
        if day.day not in special:
            act.day("S07", 7, day, "08:50", "17:05")
    act.day("S07", 7, d(6), "09:20", "17:05")  # 20 min late (> 15): late -2
    act.day("S07", 7, d(12), "09:16", "16:40")  # 16 min late, 20 min early: -2 -2
    # 05-09 (the make-up Saturday), 05-13, 05-18: no record, absent: -5 -5 -5.
    act.leave("S07", d(14), d(15), "approved")  # 05-14, 05-15: approved leave, 0
    act.leave("S07", d(18), d(18), "refused")  # refused: 05-18 stays absent
    act.day("S07", 7, d(4), "10:00", "11:00")  # 05-04 is a holiday: not judged
    act.pause("S07", 7, d(20), "10:00", 25)  # 离岗 25 min > 10: -2
    act.pause("S07", 7, d(21), "10:00", 8)  # 8 min: 0
    act.pause("S07", 7, d(21), "12:00", 25, "lunch_relief")  # 25 <= 30: 0
    act.bad_rating("S07", 7, d(22), "verified")  # confirmed by 核实: -2
    act.bad_rating("S07", 7, d(22), "open")  # not confirmed yet: 0
    act.bad_rating("S07", 7, d(25), "appealed")  # 复核 upheld: 0
    act.complaint("S07", 7, d(25), "substantiated")  # 属实: -2
    act.complaint("S07", 7, d(26), "unsubstantiated")  # 0
    act.case("S07", 7, d(11), d(20), d(26), "S07")  # finished 6 days late by S07: -5
    act.case("S07", 7, d(28), dt.date(2026, 6, 10))  # open, due in June: 0
    act.card("red", "staff", "S07", d(27))  # 红牌: -5
    act.card("yellow", "staff", "S07", d(27), withdrawn=True)  # withdrawn: 0
    act.card("commendation", "staff", "S07", d(28))  # 表扬: +3
    # S07: 100 - 2 - 4 - 15 - 2 - 2 - 2 - 5 - 5 + 3 = 66, 不称职.
    # Window 7 (S07's lines that carry the window; absences and S07's cards do not):
    # 100 - 2 (late 05-06) - 4 (05-12) - 2 (pause) - 2 (差评) - 2 (complaint) - 5 (case) = 83.

    # S12 at window 12: punctual every working day.
    for day in MAY:
        act.day("S12", 12, day, "08:55", "17:00")
    for state in ("verified", "fixed", "closed"):
        act.bad_rating("S12", 12, d(7), state)  # three confirmed 差评: -6, 多次差评 flag
    act.bad_rating("S12", 12, d(8), "closed", appeal_upheld=True)  # upheld 复核: 0
    act.case("S12", 12, d(11), d(20))  # opened by S12, still open past 05-20: -5
    act.case("S12", 12, d(12), d(21), d(25), "S13")  # finished late by S13: 0 for S12
    act.pause("S12", 12, d(19), "14:00", 12)  # 离岗 12 min > 10: -2
    act.vacancy(12, d(19), "14:00")  # 空岗 while S12's pause ran: -2
    # S12: 100 - 6 - 5 - 2 - 2 = 85, exactly 称职.

    # S13 at window 13: punctual except 05-07 (09:15:00 sharp: 15 min is not late) and
    # 05-29 (left at 16:44: 16 min early, -2).
    for day in MAY:
        cin = "09:15" if day == d(7) else "08:58"
        cout = "16:44" if day == d(29) else "17:02"
        act.day("S13", 13, day, cin, cout)
    # The case S12 opened and S13 finished late (above): -5 for S13.
    act.card("commendation", "staff", "S13", d(29))  # +3
    act.card("commendation", "staff", "S13", dt.date(2026, 4, 30))  # April: not counted
    act.complaint("S14", 13, d(20), "substantiated")  # about S14: 0 for S13
    act.vacancy(13, d(21), "09:00", "closed")  # closed overnight: window 13 only
    # S13: 100 - 5 - 2 + 3 = 96, 优秀.


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    daemon = new_daemon(tmp_path_factory.mktemp("assess"), hall_of(40))
    act = Activity(daemon.data_dir)
    others = [n for n in range(1, 41) if n not in CHECKED]
    background(act, random.Random(16), others, MAY)
    script(act)
    act.write()
    daemon.start()
    yield daemon
    daemon.close_clients()
    daemon.stop()


def _row(hall: Daemon, kind: str, target: str) -> dict:
    r = hall.api("manager-token-1").get("/assessment", params={"period": "2026-05", "kind": kind})
    assert r.status_code == 200, r.text
    rows = {row["target"]: row for row in r.json()["rows"]}
    assert len(rows) == 40
    return rows[target]


def _kinds(row: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in row["lines"]:
        out.setdefault(line["kind"], []).append(line["day"])
    return out


def test_s07_scores_66_poor(hall: Daemon) -> None:
    row = _row(hall, "staff", "S07")
    assert (row["score"], row["grade_zh"], row["added"], row["deducted"]) == (66, "不称职", 3, 37)
    assert _kinds(row) == {
        "late": ["2026-05-06", "2026-05-12"],
        "early": ["2026-05-12"],
        "absent": ["2026-05-09", "2026-05-13", "2026-05-18"],
        "pause_over": ["2026-05-20"],
        "bad_rating": ["2026-05-22"],
        "complaint": ["2026-05-25"],
        "overdue_case": ["2026-05-26"],
        "red_card": ["2026-05-27"],
        "commendation": ["2026-05-28"],
    }
    assert row["flags"] == []
    late = next(ln for ln in row["lines"] if ln["kind"] == "late")
    assert (late["source"], late["points"], late["window"]) == ("attendance", -2, 7)
    assert late["id"] is not None
    absent = next(ln for ln in row["lines"] if ln["kind"] == "absent")
    assert (absent["id"], absent["points"]) == (None, -5)


def test_s12_scores_85_with_the_repeat_bad_ratings_flag(hall: Daemon) -> None:
    row = _row(hall, "staff", "S12")
    assert (row["score"], row["grade_zh"]) == (85, "称职")
    assert row["counts"] == {"bad_rating": 3, "overdue_case": 1, "pause_over": 1, "vacancy": 1}
    assert [f["code"] for f in row["flags"]] == ["repeat_bad_ratings"]
    assert row["flags"][0]["count"] == 3 and "多次差评" in row["flags"][0]["zh"]


def test_s13_scores_96_excellent(hall: Daemon) -> None:
    row = _row(hall, "staff", "S13")
    assert (row["score"], row["grade"]) == (96, "excellent")
    assert _kinds(row) == {
        "early": ["2026-05-29"],
        "overdue_case": ["2026-05-25"],
        "commendation": ["2026-05-29"],
    }


def test_window_7_and_the_ranking(hall: Daemon) -> None:
    window = _row(hall, "window", "7")
    assert (window["score"], window["grade_zh"]) == (83, "基本称职")
    # Window 12: S12's three 差评 -6, the open case -5, the case opened there and finished
    # late by S13 -5, the pause -2, the 空岗 alert -2: 100 - 20 = 80.
    assert _row(hall, "window", "12")["score"] == 80
    # Window 13: S13's early day -2, the complaint about S14 there -2, the alert of the
    # window closed overnight -2 (S13's commendation is the clerk's): 94, 称职.
    window = _row(hall, "window", "13")
    assert (window["score"], window["grade_zh"]) == (94, "称职")
    assert window["counts"] == {"early": 1, "complaint": 1, "vacancy": 1}
    rows = hall.api("manager-token-1").get("/assessment", params={"period": "2026-05"}).json()
    ranked = rows["rows"]
    assert [r["rank"] for r in ranked][0] == 1
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert after["rank"] == (
            before["rank"] if after["score"] == before["score"] else ranked.index(after) + 1
        )


def test_a_clerk_sees_only_their_own_breakdown(hall: Daemon) -> None:
    clerk = hall.staff("S13", 13)
    mine = clerk.get("/assessment/me", params={"period": "2026-05"}).json()
    assert [r["target"] for r in mine["rows"]] == ["S13"] and mine["rows"][0]["score"] == 96
    assert clerk.get("/assessment", params={"period": "2026-05"}).status_code == 403
    r = clerk.get("/assessment/me", params={"period": "2026-13"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_period"
    assert clerk.post("/staff/logout").status_code == 200


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026Q1", "2026-01-01", "2026-03-31"),
        ("2026Q4", "2026-10-01", "2026-12-31"),
        ("2028-02", "2028-02-01", "2028-02-29"),  # a leap year
    ],
)
def test_periods(period: str, first: str, last: str) -> None:
    from hall.queue.supervision.assessment import parse_period

    assert tuple(d.isoformat() for d in parse_period(period)) == (first, last)
