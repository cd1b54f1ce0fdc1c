"""The manager page's announcements panel in headless Chromium: publish, refuse, list, withdraw."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import TZ, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = "[...document.querySelectorAll('#announcement-list tbody tr')].map((tr) => tr.dataset.state)"


@pytest.fixture
def in_the_hall(browser):
    """The browser in the hall's time zone (the page sends typed times with its offset)."""
    browser.send("Emulation.setTimezoneOverride", timezoneId="Asia/Shanghai")
    yield browser
    browser.send("Emulation.setTimezoneOverride", timezoneId="")


def test_a_manager_publishes_and_withdraws_an_announcement(daemon, in_the_hall) -> None:
    browser = in_the_hall
    login(browser, daemon)
    assert wait_until(
        lambda: not browser.evaluate("document.getElementById('announcement-empty').hidden"), 10
    )
    until = (daemon.now() + dt.timedelta(hours=3)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    browser.evaluate(
        "document.getElementById('announce-kind').value = 'commendation';"
        "document.getElementById('announce-zh').value = '3号窗口服务热情，特此表彰';"
        "document.getElementById('announce-en').value = 'Window 3 commended';"
        f"document.getElementById('announce-until').value = '{until}';"
        "document.getElementById('announce-windows').value = '2, 3';"
        "document.getElementById('announce-lobby').checked = false;"
        "document.getElementById('announce-publish').click()"
    )
    assert wait_until(lambda: browser.evaluate(ROWS) == ["in_force"], 10), text(
        browser, "announce-error"
    )
    [a] = daemon.api("manager-token-1").get("/announcements").json()
    assert (a["kind"], a["text_en"], a["created_by"]) == (
        "commendation",
        "Window 3 commended",
        "manager:mgr-t",
    )
    assert a["targets"] == {"hall": True, "lobby": False, "windows": [2, 3]}
    assert a["until"].startswith(until)  # the typed time, in the hall's zone
    assert "3号窗口服务热情" in text(browser, "announcement-list")

    # A window the hall does not have: refused, and the page says why.
    browser.evaluate(
        "document.getElementById('announce-zh').value = '通知';"
        "document.getElementById('announce-windows').value = '42';"
        "document.getElementById('announce-publish').click()"
    )
    assert wait_until(lambda: "42" in text(browser, "announce-error"), 10)
    assert "windows" in text(browser, "announce-error")

    browser.evaluate("document.querySelector('#announcement-list tbody button').click()")
    assert wait_until(lambda: browser.evaluate(ROWS) == ["withdrawn"], 10)
    assert daemon.api("display-token-1").get("/announcements/current").json() == []
