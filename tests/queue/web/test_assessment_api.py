"""/api/v1/assessment, /cards and /excellence: who may call them, cards, 优秀窗口.

The test hall (five windows, tests/support/config.py) with no activity but cards:
every window starts at 100 in 2026Q2 (windows carry no absences: those are a
clerk's), so the cards alone set the window ranking here.
"""

from __future__ import annotations

import pytest

from tests.support import Daemon, module_daemon

MANAGER = "manager-token-1"


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Daemon:
    yield from module_daemon(tmp_path_factory, "assess-api")


def card(kind: str, target_kind: str, target: str, day: str = "2026-05-20") -> dict:
    return {
        "kind": kind,
        "target_kind": target_kind,
        "target": target,
        "day": day,
        "reason": "测试",
    }


ROUTES = [
    ("get", "/assessment", {"period": "2026-05"}),
    ("get", "/cards", None),
    ("post", "/cards", card("red", "window", "1")),
    ("post", "/cards/1/withdraw", {}),
    ("get", "/excellence", {"period": "2026Q2"}),
    ("post", "/excellence", {"period": "2026Q2", "windows": [1]}),
]


def _call(api, method: str, path: str, data):
    if method == "get":
        return api.get(path, params=data)
    return api.post(path, data)


def test_other_roles_are_refused(hall: Daemon) -> None:
    clerk = hall.staff("S002", 2)
    for token in ("display-token-1", "kiosk-token-1"):
        api = hall.api(token)
        for method, path, data in ROUTES:
            assert _call(api, method, path, data).status_code == 403, (token, path)
        assert api.get("/assessment/me", params={"period": "2026-05"}).status_code == 403
    for method, path, data in ROUTES:
        r = _call(clerk, method, path, data)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", path
    r = hall.api(MANAGER).get("/assessment/me", params={"period": "2026-05"})
    assert r.status_code == 403 and "本人" in r.json()["error"]["message"]
    assert hall.api(None).get("/assessment", params={"period": "2026-05"}).status_code == 401
    assert hall.api(MANAGER).get("/cards").json() == []  # nothing was issued by them
    assert clerk.post("/staff/logout").status_code == 200


def test_bad_input_is_a_422_in_both_languages(hall: Daemon) -> None:
    manager = hall.api(MANAGER)
    for period in ("2026-00", "2026Q5", "26-05", "2101Q1"):
        r = manager.get("/assessment", params={"period": period})
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_period", period
        assert "考核期" in r.json()["error"]["message"]
    r = manager.post("/cards", card("red", "staff", "NOBODY"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_target"
    assert manager.post("/cards", card("red", "window", "99")).status_code == 422
    assert manager.post("/cards", card("blue", "window", "1")).status_code == 422
    assert (
        manager.post("/cards", {**card("red", "window", "1"), "day": "2026-02-30"}).status_code
        == 422
    )
    assert manager.post("/cards/999999/withdraw", {}).status_code == 404


def test_cards_count_and_excellent_windows_are_confirmed_and_published(hall: Daemon) -> None:
    manager = hall.api(MANAGER)
    red = manager.post("/cards", card("red", "window", "1")).json()
    assert (red["kind_zh"], red["issued_by"], red["withdrawn"]) == ("红牌", "manager:mgr-t", False)
    manager.post("/cards", card("yellow", "window", "2"))
    manager.post("/cards", card("commendation", "window", "3"))
    extra = manager.post("/cards", card("red", "window", "4")).json()
    withdrawn = manager.post(f"/cards/{extra['id']}/withdraw", {}).json()
    assert withdrawn["withdrawn"] and withdrawn["withdrawn_by"] == "manager:mgr-t"
    again = manager.post(f"/cards/{extra['id']}/withdraw", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_withdrawn"
    assert len(manager.get("/cards", params={"period": "2026Q2"}).json()) == 4
    assert manager.get("/cards", params={"period": "2026Q3"}).json() == []

    # Windows in 2026Q2 by hand: 3 = 100 + 3 = 103; 4 (card withdrawn) and 5 = 100;
    # 2 = 100 - 2 = 98; 1 = 100 - 5 = 95 (still 优秀). Ranks 1, 2, 2, 4, 5; the top 3
    # (excellence_top) are windows 3, 4 and 5.
    scores = manager.get("/assessment", params={"period": "2026Q2", "kind": "window"}).json()
    assert [(r["target"], r["score"], r["rank"]) for r in scores["rows"]] == [
        ("3", 103, 1),
        ("4", 100, 2),
        ("5", 100, 2),
        ("2", 98, 4),
        ("1", 95, 5),
    ]
    proposal = manager.get("/excellence", params={"period": "2026Q2"}).json()
    assert [c["window"] for c in proposal["candidates"]] == [3, 4, 5]
    r = manager.post("/excellence", {"period": "2026Q2", "windows": [2]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_a_candidate"
    done = manager.post("/excellence", {"period": "2026Q2", "windows": [3, 5], "publish": True})
    assert done.status_code == 201, done.text
    result = done.json()
    assert sorted(c["window"] for c in result["confirmed"]) == [3, 5]
    assert {c["confirmed_by"] for c in result["confirmed"]} == {"manager:mgr-t"}
    announcement = result["announcement"]
    assert announcement["kind"] == "commendation"
    assert announcement["text_zh"].startswith("2026年第2季度优秀窗口:3号窗口")
    current = hall.api("display-token-1").get("/announcements/current").json()
    assert [a["id"] for a in current] == [announcement["id"]]
    assert current[0]["targets"]["lobby"] and current[0]["targets"]["hall"]
    r = manager.post("/excellence", {"period": "2026Q2", "windows": [5]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_confirmed"
    proposal = manager.get("/excellence", params={"period": "2026Q2"}).json()
    assert [c["confirmed"] for c in proposal["candidates"]] == [True, False, True]
