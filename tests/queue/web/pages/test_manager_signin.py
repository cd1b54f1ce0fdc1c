"""The manager page's sign-in panel in headless Chromium: failures and locks listed, unlock."""

from __future__ import annotations

import pytest
import requests

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import PIN, hall_config, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def sign_in(base: str, staff: str, pin: str) -> int:
    body = {"staff_id": staff, "pin": pin, "window": 1}
    return requests.post(base + "/api/v1/staff/login", json=body, timeout=10).status_code


def test_the_page_lists_failures_and_locks_and_unlocks(make_daemon, browser) -> None:
    d = make_daemon(hall_config(sign_in={"backoff_s": 0, "lockout_failures": 2}))
    assert sign_in(d.base, "GHOST", "97531864") == 401
    assert sign_in(d.base, "S001", "97531864") == 401
    assert sign_in(d.base, "S001", "97531864") == 429  # locked
    login(browser, d)
    rows = browser.evaluate(
        "[...document.querySelectorAll('#sign-in-failures tbody tr')]"
        ".map((tr) => [...tr.cells].map((c) => c.textContent))"
    )
    assert [r[1:] for r in rows] == [
        ["S001", "员工1", "127.0.0.1", "失败"],
        ["S001", "员工1", "127.0.0.1", "失败"],
        ["GHOST", "（非本厅工号）", "127.0.0.1", "失败"],
    ], rows
    lock = "document.querySelector('#sign-in-locks tr[data-subject=S001]')"
    cells = browser.evaluate(f"[...{lock}.cells].map((c) => c.textContent)")
    assert cells[0] == "员工1（S001）" and cells[1] == "2" and cells[4] == "锁定中", cells
    assert "97531864" not in text(browser, "sign-in")
    browser.evaluate("document.body.dataset.loaded = '';")
    browser.evaluate(f"{lock}.querySelector('button').click()")
    assert wait_until(lambda: "解锁" in browser.evaluate(f"{lock}.cells[4].textContent"), 10)
    assert "mgr-t" in browser.evaluate(f"{lock}.cells[4].textContent")
    assert browser.evaluate(f"{lock}.dataset.active") == "false"
    assert sign_in(d.base, "S001", PIN) == 200
