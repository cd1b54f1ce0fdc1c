"""The manager page's 办件督办 panel in headless Chromium: 黄牌/红牌 per department, 回访."""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.api.test_case_figures import hall  # noqa: F401 - the fixture
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#{} tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def test_the_panel_shows_warnings_per_department_and_records_callbacks(
    hall: Daemon,  # noqa: F811 - the fixture imported above
    browser,
) -> None:
    login(browser, hall)
    # The store of tests/queue/stats/test_case_figures.py as of 06-02: bdc's c3 is red,
    # scjg's c7 yellow; Monday 06-01 saw c1 (bdc) and c5 (scjg) finished, both on time.
    assert browser.evaluate(ROWS.format("digest-departments")) == [
        ["不动产登记中心", "0", "1", "1（按时 1）"],
        ["市场监督管理局", "1", "0", "1（按时 1）"],
    ]
    assert (text(browser, "digest-red"), text(browser, "digest-yellow")) == ("1", "1")
    classes = browser.evaluate(
        "[...document.querySelectorAll('#digest-departments td')].map((c) => c.className)"
    )
    assert classes.count("warn-red") == 1 and classes.count("warn-yellow") == 1
    assert "2026-06-01" in text(browser, "digest-since")

    listed = browser.evaluate(ROWS.format("callbacks"))
    assert [r[:5] for r in listed] == [
        ["c1", "BDC-BF-001", "bdc", "2026-06-01", "待回访"],
        ["c5", "SJ-DJ-001", "scjg", "2026-06-01", "待回访"],
    ]
    assert text(browser, "callbacks-rate") == "5.0%"
    # 满意 on c1, with a note typed into the prompt: it leaves the open list.
    browser.evaluate("window.prompt = () => '电话回访，满意'")
    browser.evaluate(
        "document.querySelector('#callbacks tr[data-receipt=c1] button[data-result=satisfied]')"
        ".click()"
    )
    shown = lambda: [r[0] for r in browser.evaluate(ROWS.format("callbacks"))]  # noqa: E731
    assert wait_until(lambda: shown() == ["c5"], 10), shown()
    every = hall.api("manager-token-1").get("/callbacks", params={"result": "all"}).json()
    first = every["callbacks"][0]
    assert (first["receipt"], first["result"], first["note"]) == (
        "c1",
        "satisfied",
        "电话回访，满意",
    )
    assert browser.evaluate("document.getElementById('load-error').hidden") is True
