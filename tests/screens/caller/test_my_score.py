"""我的考核 on the caller panel in real Kivy frames against a real daemon.

The test hall of the 办件 tests (tests/screens/caller/cases/support.py): S003 at window 3,
S004 at window 4. The tests' clock starts on Tuesday 2026-06-02, so "this month" is
2026-06 and the last full quarter is 2026Q1 (January to March). A manager issues cards
(红黄牌 and 表扬 count on the day they are given); the lines the screen shows are
compared with what ``GET /assessment/me`` answers the same clerk's session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from hall.screens.caller.my_score import periods, points_text
from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import check_tree
from tests.kivy_harness import by_id, idle, idle_until, screenshot, tap
from tests.screens.caller.cases.support import DEPARTMENTS, case_context, signed_in
from tests.screens.caller.sizing import MODES, sized_caller
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon, hall_config
from tests.support.config import clock

MANAGER = "manager-token-1"


@pytest.fixture
def hall(make_daemon: Callable[..., Daemon]) -> Daemon:
    return make_daemon(hall_config(departments=DEPARTMENTS))


def card(daemon: Daemon, kind: str, staff: str, day: str, reason: str) -> dict:
    body = {"kind": kind, "target_kind": "staff", "target": staff, "day": day, "reason": reason}
    r = daemon.api(MANAGER).post("/cards", body)
    assert r.status_code == 201, r.text
    return r.json()


def seeded(daemon: Daemon) -> None:
    """S003: a 黄牌 on Mon 06-01 and a 表扬 on Tue 06-02; a 红牌 on Tue 03-10 (Q1).

    S004: a 红牌 on 06-01, which S003's screen must never show.
    """
    card(daemon, "yellow", "S003", "2026-06-01", "窗口无人")
    card(daemon, "commendation", "S003", "2026-06-02", "群众来信表扬")
    card(daemon, "red", "S003", "2026-03-10", "态度生硬")
    card(daemon, "red", "S004", "2026-06-01", "擅离岗位")


def mine(daemon: Daemon, root: CallerRoot, period: str) -> dict:
    """What the daemon answers the signed-in clerk's own session."""
    r = daemon.api(root.ctx.client.token).get(f"/assessment/me?period={period}")
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    return row


def shown(root: CallerRoot) -> list[tuple[str, str, str]]:
    box = by_id(root, "my-score-lines")
    return [(w.ids.day.text, w.ids.what.text, w.ids.points.text) for w in reversed(box.children)]


def open_score(root: CallerRoot, staff_id: str) -> None:
    if root.current == "login":
        signed_in(root, staff_id)
    tap(by_id(root, "btn-my-score"))
    assert root.current == "my_score"
    assert idle_until(lambda: not root.my_score.screen.busy, 5), root.my_score.screen.message


def test_periods_are_this_month_and_the_last_full_quarter() -> None:
    assert periods(dt.date(2026, 6, 2)) == {"month": "2026-06", "quarter": "2026Q1"}
    assert periods(dt.date(2026, 1, 31)) == {"month": "2026-01", "quarter": "2025Q4"}
    assert periods(dt.date(2026, 12, 1)) == {"month": "2026-12", "quarter": "2026Q3"}
    assert (points_text(-2.0), points_text(1.5)) == ("-2", "+1.5")


def test_a_clerk_sees_their_own_lines_for_the_month_and_the_last_quarter(hall: Daemon) -> None:
    seeded(hall)
    made = caller_of(hall, 3, clock=clock, **case_context(hall))
    root = next(made)
    try:
        open_score(root, "S003")
        screen = root.my_score.screen
        assert screen.period == "2026-06"
        row = mine(hall, root, "2026-06")
        assert row["target"] == "S003"
        expected = [
            (ln["day"][5:], ln["kind_zh"], points_text(ln["points"])) for ln in row["lines"]
        ]
        assert shown(root) == expected
        kinds = [(ln["kind"], ln["day"]) for ln in row["lines"]]
        assert ("yellow_card", "2026-06-01") in kinds
        assert ("commendation", "2026-06-02") in kinds
        assert ("06-01", "黄牌") in [(d, w) for d, w, _ in shown(root)]
        assert ("06-02", "表扬") in [(d, w) for d, w, _ in shown(root)]
        # S004's 红牌 is not S003's: no 红牌 in June on this screen.
        assert "红牌" not in [w for _, w, _ in shown(root)]
        assert by_id(root, "my-score-score").text == f"{row['score']:g}分"
        assert by_id(root, "my-score-grade").text == f"等次：{row['grade_zh']}"
        assert by_id(root, "my-score-rank").text == f"排名：第{row['rank']}名"
        assert by_id(root, "my-score-title").text == "我的考核  2026年6月"
        screenshot("caller-my-score-month")

        tap(by_id(root, "my-score-quarter"))
        assert idle_until(lambda: not screen.busy, 5)
        assert screen.period == "2026Q1"
        row = mine(hall, root, "2026Q1")
        assert ("red_card", "2026-03-10") in [(ln["kind"], ln["day"]) for ln in row["lines"]]
        assert shown(root) == [
            (ln["day"][5:], ln["kind_zh"], points_text(ln["points"])) for ln in row["lines"]
        ]
        assert by_id(root, "my-score-title").text == "我的考核  2026年第1季度"

        root.switch_language()
        idle(2)
        assert [w for _, w, _ in shown(root)] == [ln["kind_en"] for ln in row["lines"]]
        assert by_id(root, "my-score-grade").text == f"Grade: {row['grade_en']}"
        tap(by_id(root, "my-score-back"))
        assert root.current == "panel"
    finally:
        next(made, None)


def test_two_clerks_each_see_only_their_own(hall: Daemon) -> None:
    seeded(hall)
    made = caller_of(hall, 4, clock=clock, **case_context(hall))
    root = next(made)
    try:
        open_score(root, "S004")
        row = mine(hall, root, "2026-06")
        assert row["target"] == "S004"
        assert all(ln["staff_id"] == "S004" for ln in row["lines"])
        whats = [w for _, w, _ in shown(root)]
        assert "红牌" in whats and "黄牌" not in whats and "表扬" not in whats
        assert len(shown(root)) == len(row["lines"])
    finally:
        next(made, None)


def test_other_roles_get_403_on_my_score(hall: Daemon) -> None:
    for token in (MANAGER, "kiosk-token-1", "display-token-1"):
        r = hall.api(token).get("/assessment/me?period=2026-06")
        assert r.status_code == 403, (token, r.status_code)


@pytest.fixture(params=MODES)
def sized(request: pytest.FixtureRequest, hall: Daemon) -> Iterator[CallerRoot]:
    """Window 3's caller at the test window's size, at 480x800 (its scale), or in large text."""
    with sized_caller(
        request.param, lambda: caller_of(hall, 3, clock=clock, **case_context(hall))
    ) as root:
        yield root


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_score_screen_and_the_panel_row_fit(
    sized: CallerRoot, hall: Daemon, language: str
) -> None:
    root = sized
    seeded(hall)
    if language == "en":
        root.switch_language()
    open_score(root, "S003")
    assert by_id(root, "my-score-lines").children
    scroll = root.my_score.screen.ids.scroll
    for where in ("top", "end"):
        scroll.scroll_y = 1 if where == "top" else 0
        idle(3)
        found, _targets = check_tree(root, "my_score", f"{language}-{where}")
        assert not found, "\n".join(map(str, found))
        screenshot(f"caller-my-score-{language}-{where}")
    tap(by_id(root, "my-score-back"))
    assert root.current == "panel"
    idle(3)
    found, _targets = check_tree(root, "panel", language)
    assert not found, "\n".join(map(str, found))
