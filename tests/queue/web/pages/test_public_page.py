"""/public (服务公开): no token, cacheable, nothing personal; on a phone in headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import requests

from hall.tools.cdp import CHROMIUM, Browser
from tests.queue.ratings.rating_helpers import rate, serve
from tests.queue.web.pages.test_citizen_pages import SHOTS, half_width_in_chinese, visible_text
from tests.support import TZ, Daemon


def _publish(daemon: Daemon, text: str, **targets) -> None:
    until = (daemon.now() + dt.timedelta(hours=2)).astimezone(TZ).isoformat()
    body = {"kind": "criticism", "text_zh": text, "text_en": "Window 4 was late", "until": until}
    r = daemon.api("manager-token-1").post("/announcements", body | targets)
    assert r.status_code == 201, r.text


def _hall(daemon: Daemon) -> str:
    """A 差评 put right and closed, ratings, and two announcements (one for the lobby)."""
    staff = daemon.staff("S002", 2)
    tickets = serve(daemon, staff, 2, n=2)
    rate(daemon, tickets[0]["id"], 5)
    rate(daemon, tickets[1]["id"], 2, comment="王五说等太久")
    manager = daemon.api("manager-token-1")
    case = manager.get("/rectifications").json()[0]
    manager.post(f"/rectifications/{case['id']}/verify", {"note": "属实"})
    manager.post(f"/rectifications/{case['id']}/fix", {"action": "fixed"})
    manager.post(f"/rectifications/{case['id']}/callback", {"answer": "satisfied"})
    _publish(daemon, "通报：4号窗口迟到", lobby=True)
    _publish(daemon, "仅窗口屏的通知", windows="all")
    return tickets[1]["number"]


def test_public_page_needs_no_token_is_cacheable_and_shows_nothing_personal(
    daemon: Daemon,
) -> None:
    number = _hall(daemon)
    r = requests.get(daemon.base + "/public", timeout=10)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=60"
    assert "set-cookie" not in r.headers
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    shown = visible_text(r)
    assert "通报：4号窗口迟到" in shown and "仅窗口屏的通知" not in shown
    assert "50.0%" in shown and "100.0%" in shown  # 满意率 1 of 2, 办结率 2 of 2
    assert f"{number[:2]}{'*' * (len(number) - 2)}" in shown and "已整改" in shown
    for personal in ("王五", number, "S002", "属实", "manager"):
        assert personal not in r.text
    assert half_width_in_chinese(shown) == []
    en = visible_text(requests.get(daemon.base + "/public?lang=en", timeout=10))
    assert "Window 4 was late" in en and "Put right" in en and "Satisfied" in en


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_public_page_on_a_phone(daemon: Daemon, browser: Browser) -> None:
    _hall(daemon)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=360,
        height=800,
        deviceScaleFactor=2,
        mobile=True,
    )
    for lang in ("zh", "en"):
        browser.goto(f"{daemon.base}/public?lang={lang}")
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, lang
        items = browser.evaluate("document.querySelectorAll('#public-announcements li').length")
        assert items == 1
        month = browser.evaluate("document.getElementById('public-month').textContent")
        assert "50.0%" in month and "100.0%" in month, month
        assert browser.evaluate("document.cookie") == ""
    os.makedirs(SHOTS, exist_ok=True)
    browser.screenshot(Path(SHOTS) / "public-phone-en.png", full_page=True)
