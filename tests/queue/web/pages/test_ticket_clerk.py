"""亮证上岗 on the ticket page /t/<id>: who serves the citizen, once called (name, 工号, window).

HTML from a real daemon, and the page in headless Chromium as a phone shows it.
"""

from __future__ import annotations

import html
import re

import pytest
import requests

from hall.tools.cdp import CHROMIUM, Browser
from tests.support import Daemon, hall_config


@pytest.fixture
def daemon(make_daemon) -> Daemon:
    cfg = hall_config()
    cfg["windows"][1]["name_zh"] = "综合受理2"
    cfg["staff"][1].update(badge="0232", title="综合受理员", title_en="Front desk clerk")
    return make_daemon(cfg)


def served(d: Daemon, ticket_id: str, lang: str = "zh") -> str:
    r = requests.get(f"{d.base}/t/{ticket_id}?lang={lang}", timeout=10)
    assert r.status_code == 200
    assert "S002" not in r.text  # the sign-in id never
    found = re.search(r'id="served"[^>]*>(.*?)</', r.text, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def test_the_ticket_page_names_who_serves_once_called(daemon: Daemon) -> None:
    ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    assert served(daemon, ticket["id"]) == ""  # waiting: nobody yet
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")
    zh = "为您服务：综合受理2 员工2（综合受理员，工号0232）"
    assert served(daemon, ticket["id"]) == zh
    en = "Served by 员工2 (Front desk clerk, No. 0232) at window 2"
    assert served(daemon, ticket["id"], "en") == en
    staff.post("/windows/2/start")
    assert served(daemon, ticket["id"]) == zh
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    assert served(daemon, ticket["id"]) == zh  # after the case too: who served it
    staff.post("/staff/logout")
    assert served(daemon, ticket["id"]) == zh  # the ticket keeps who served it


def test_a_clerk_without_badge_or_title_is_named_alone(daemon: Daemon) -> None:
    ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "vip"}).json()
    daemon.staff("S001", 1).post("/windows/1/call")
    assert served(daemon, ticket["id"]) == "为您服务：1号窗口 员工1"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_the_phone_shows_who_serves(daemon: Daemon, browser: Browser) -> None:
    ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    daemon.staff("S002", 2).post("/windows/2/call")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=390,
        height=844,
        deviceScaleFactor=2,
        mobile=True,
    )
    browser.goto(f"{daemon.base}/t/{ticket['id']}")
    shown = browser.evaluate("document.getElementById('served').textContent")
    assert shown == "为您服务：综合受理2 员工2（综合受理员，工号0232）"
    box = browser.evaluate(
        "JSON.stringify(document.getElementById('served').getBoundingClientRect())"
    )
    assert '"width":0' not in box.replace(" ", "")
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
