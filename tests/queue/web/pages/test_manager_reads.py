"""The manager page's personal-data panel in headless Chromium: each read of a case listed."""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def test_the_page_lists_who_read_which_case(daemon: Daemon, browser) -> None:
    case = daemon.api("kiosk-token-1").post("/submissions", wire(1)).json()
    assert daemon.staff("S001", 1).get(f"/submissions/{case['id']}").status_code == 200
    assert daemon.staff("S002", 2).get(f"/submissions/{case['id']}").status_code == 200
    login(browser, daemon)
    rows = browser.evaluate(
        "[...document.querySelectorAll('#reads tbody tr')]"
        ".map((tr) => [...tr.cells].map((c) => c.textContent))"
    )
    assert [r[1:] for r in rows] == [
        ["员工2（S002）", case["receipt"], "查看", "已遮蔽", "2号窗口"],
        ["员工1（S001）", case["receipt"], "查看", "完整", "1号窗口"],
    ], rows
    assert browser.evaluate("document.getElementById('reads-empty').hidden") is True
    assert ID_NUMBER not in text(browser, "personal-data")
