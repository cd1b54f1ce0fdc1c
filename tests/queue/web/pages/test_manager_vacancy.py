"""The manager page's 空岗 panel in headless Chromium: alerts as they come and go, pauses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, hall_config, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#{} tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def test_the_panel_shows_empty_windows_and_follows_their_alerts(
    make_daemon: Callable[..., Daemon], browser
) -> None:
    cfg = hall_config()
    cfg["vacancy"] = {"alert_after_min": 0, "check_every_s": 0.2}  # at once, for the page
    d = make_daemon(cfg)
    manager = d.api("manager-token-1")
    s2 = d.staff("S002", 2)
    assert s2.post("/windows/2/pause", {"reason": "toilet", "note": "马上回来"}).status_code == 200
    d.api("kiosk-token-1").post("/tickets", {"service": "general"})
    windows = lambda: {a["window"] for a in manager.get("/vacancy").json()["alerts"]}  # noqa: E731
    assert wait_until(lambda: windows() == {1, 2, 4}, 10), windows()

    login(browser, d)
    alerts = browser.evaluate(ROWS.format("vacancy-alerts"))
    assert [(a[0], a[1], a[2], a[4]) for a in alerts] == [
        ("1号窗口", "未开窗 closed", "—", "1"),
        ("2号窗口", "暂停 paused", "如厕 toilet", "1"),
        ("4号窗口", "未开窗 closed", "—", "1"),
    ]
    assert text(browser, "vacancy-count") == "3"
    (pause,) = browser.evaluate(ROWS.format("vacancy-pauses"))
    assert pause[:4] == ["2号窗口", "员工2", "如厕 toilet", "马上回来"]
    assert pause[5] == "暂停中 still paused"

    # The clerk comes back: the alert ends and the page follows the event without a reload.
    assert s2.post("/windows/2/resume").status_code == 200
    shown = lambda: [a[0] for a in browser.evaluate(ROWS.format("vacancy-alerts"))]  # noqa: E731
    assert wait_until(lambda: shown() == ["1号窗口", "4号窗口"], 10), shown()
    assert wait_until(
        lambda: browser.evaluate(ROWS.format("vacancy-pauses"))[0][5] != "暂停中 still paused", 10
    )
    d.staff("S001", 1)
    d.staff("S004", 4)
    assert wait_until(lambda: shown() == [], 10), shown()
    assert browser.evaluate("document.getElementById('vacancy-alerts-empty').hidden") is False
    assert text(browser, "vacancy-count") == "0"
