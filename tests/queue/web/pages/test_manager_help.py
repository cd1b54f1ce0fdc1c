"""The manager page's 帮办代办 panel in headless Chromium: today's calls, who took them, 接手."""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#help-list tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def test_the_panel_lists_todays_calls_and_takes_one(daemon: Daemon, browser) -> None:
    kiosk = daemon.api("kiosk-token-1")
    first = kiosk.post("/help", {"where": "1号自助取号机"}).json()
    kiosk.post("/help", {"where": "2号自助机"})
    assert daemon.staff("S003", 3).post(f"/help/{first['id']}/ack").status_code == 200

    login(browser, daemon)
    rows = browser.evaluate(ROWS)
    assert [r[1] for r in rows] == ["1号自助取号机", "2号自助机"]
    assert rows[0][2] == "员工3（3号窗口）" and rows[0][3].endswith("秒")
    assert rows[1][2:] == ["待处理 waiting", "—", "接手 Take"]
    assert text(browser, "help-waiting") == "1 起待处理 waiting"

    # 接手: the manager takes the second call; the page shows it taken, the daemon records it.
    browser.evaluate(
        "document.querySelector('#help-list tbody tr[data-taken=\"\"] button').click()"
    )
    taken = lambda: browser.evaluate(ROWS)[1][2]  # noqa: E731
    assert wait_until(lambda: taken() == "管理人员 mgr-t", 10), taken()
    assert text(browser, "help-waiting") == ""
    calls = daemon.api("manager-token-1").get("/help").json()["help"]
    assert [c["acknowledged_by"] for c in calls] == ["S003", "manager:mgr-t"]

    # A new call reaches the page on the event stream, without a reload.
    kiosk.post("/help", {"where": "3号自助机"})
    assert wait_until(lambda: len(browser.evaluate(ROWS)) == 3, 10)
    assert browser.evaluate(ROWS)[2][1:3] == ["3号自助机", "待处理 waiting"]
    # A clerk takes it at a caller panel: the page follows help.taken.
    third = daemon.api("manager-token-1").get("/help").json()["help"][2]
    assert daemon.staff("S004", 4).post(f"/help/{third['id']}/ack").status_code == 200
    assert wait_until(lambda: browser.evaluate(ROWS)[2][2] == "员工4（4号窗口）", 10)
    assert browser.evaluate("document.getElementById('help-empty').hidden") is True
