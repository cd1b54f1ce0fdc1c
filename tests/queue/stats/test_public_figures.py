"""GET /figures/public: today's and this month's rates and closed 差评 cases, nothing personal."""

from __future__ import annotations

import json

from hall.queue.stats.public import mask_number
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import Daemon


def test_mask_number() -> None:
    assert (mask_number("A012"), mask_number("B1"), mask_number("")) == ("A0**", "B1", "")


def test_public_figures_rates_and_closed_cases_masked(daemon: Daemon) -> None:
    display, manager = daemon.api("display-token-1"), daemon.api("manager-token-1")
    empty = display.get("/figures/public")
    assert empty.status_code == 200, empty.text
    assert empty.json()["today"]["satisfaction"] is None
    staff = daemon.staff("S002", 2)
    tickets = serve(daemon, staff, 2, n=3)
    rate(daemon, tickets[0]["id"], 5)
    rate(daemon, tickets[1]["id"], 4)
    rate(daemon, tickets[2]["id"], 1, comment="张三态度差，电话13800000000")
    case = manager.get("/rectifications").json()[0]
    for step, b in (("verify", {"note": "属实"}), ("fix", {"action": "explained"})):
        assert manager.post(f"/rectifications/{case['id']}/{step}", b).status_code == 200
    b = {"answer": "satisfied", "note": "联系了李四"}
    assert manager.post(f"/rectifications/{case['id']}/callback", b).status_code == 200
    figures = display.get("/figures/public").json()  # the events made the cache stale
    for period in ("today", "this_month"):
        got = figures[period]
        assert (got["satisfaction"], got["rated"]) == (round(2 / 3, 4), 3), got
        assert (got["completion_rate"], got["served"]) == (1.0, 3), got
    [closed] = figures["rectified"]
    number = tickets[2]["number"]
    assert closed["number"] == number[:2] + "*" * (len(number) - 2)
    assert (closed["window"], closed["service"], closed["action_zh"]) == (
        2,
        "general",
        "已解释说明",
    )
    text = json.dumps(figures, ensure_ascii=False)
    for personal in ("张三", "李四", "13800000000", "S002", number, "属实"):
        assert personal not in text
    assert figures["announcements"] == []
