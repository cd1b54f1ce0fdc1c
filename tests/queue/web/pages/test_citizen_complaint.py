"""投诉建议 on the citizen's page: lodge, receipt, follow-up and satisfaction; limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from hall.queue.web.pages.citizen.render import STRINGS
from hall.tools.cdp import CHROMIUM
from tests.support import Daemon, hall_config, wait_until

ZH, EN = STRINGS["zh"], STRINGS["en"]


def _text(b, element_id: str) -> str | None:
    return b.evaluate(f"(document.getElementById('{element_id}') || {{}}).textContent")


def _wait_for(b, element_id: str) -> str:
    assert wait_until(lambda: _text(b, element_id) is not None, 15), b.evaluate(
        "document.body.innerText"
    )
    return _text(b, element_id).strip()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_a_citizen_lodges_follows_and_rates_the_answer(daemon: Daemon, browser) -> None:
    ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    browser.goto(f"{daemon.base}/t/{ticket['id']}")  # the ticket's QR leads to the page
    browser.evaluate("document.getElementById('complaint-link').click()")
    assert wait_until(lambda: browser.evaluate("location.pathname") == "/complaint", 15)
    assert wait_until(lambda: _text(browser, "complaint-submit") is not None, 15)
    browser.evaluate(
        "document.getElementById('summary').value = '窗口工作人员让我跑了三次';"
        "document.getElementById('window').value = '2';"
        "document.getElementById('phone').value = '13700001234';"
        "document.getElementById('complaint-submit').click()"
    )
    cid = _wait_for(browser, "complaint-receipt-id")
    key = _text(browser, "complaint-key").strip()
    # Received Tue 06-02; the test hall is closed 06-02 and 06-03: Thu 04, Fri 05, Mon 08.
    assert cid.startswith("TS20260602") and _text(browser, "complaint-due") == "2026-06-08"
    manager = daemon.api("manager-token-1")
    stored = manager.get(f"/complaints/{cid}").json()
    assert (stored["channel"], stored["taken_by"], stored["subject_window"]) == ("web", "public", 2)
    assert stored["contact"] == {"phone": "13700001234"}
    assert stored["summary"] == "窗口工作人员让我跑了三次"

    browser.evaluate("document.getElementById('complaint-follow-link').click()")
    assert _wait_for(browser, "complaint-status-label") == ZH["complaint_status_open"]
    assert _text(browser, "complaint-rate-form") is None  # nothing to rate yet
    manager.post(f"/complaints/{cid}/assign", {"to": "S003"})
    manager.post(f"/complaints/{cid}/reply", {"text": "已约谈当事人", "outcome": "substantiated"})
    browser.goto(f"{daemon.base}/complaint?id={cid}&k={key}")
    assert _wait_for(browser, "complaint-reply") == "已约谈当事人"
    body = browser.evaluate("document.body.innerText")
    assert "S003" not in body and "员工3" not in body and "mgr-t" not in body
    browser.evaluate("document.getElementById('rate-basic').click()")
    assert _wait_for(browser, "complaint-rated") == ZH["complaint_basic"]
    assert _text(browser, "complaint-rate-form") is None
    after = manager.get(f"/complaints/{cid}").json()
    assert after["satisfaction"] == "basic" and after["events"][-1]["actor"] == "citizen"

    browser.goto(f"{daemon.base}/complaint?id={cid}&k={'z' * 22}&lang=en")  # a wrong key
    assert _wait_for(browser, "follow-error") == EN["complaint_not_found"]


def test_public_lodging_is_limited_and_checked(make_daemon: Callable[..., Daemon]) -> None:
    d = make_daemon(hall_config(supervision={"complaints": {"public_per_address": 2}}))
    url = d.base + "/complaint"
    bad = requests.post(url, data={"summary": "   "}, timeout=10)
    assert bad.status_code == 422 and ZH["complaint_bad_input"] in bad.text
    assert requests.post(url, data={"summary": "x", "window": "77"}, timeout=10).status_code == 422
    huge = requests.post(url, data={"summary": "长" * 1500}, timeout=10)  # 13.5 KB encoded
    assert huge.status_code == 422
    for _ in range(2):
        assert requests.post(url, data={"summary": "太慢了"}, timeout=10).status_code == 201
    third = requests.post(url, data={"summary": "太慢了", "lang": "en"}, timeout=10)
    assert third.status_code == 429 and EN["complaint_too_many"] in third.text
    assert int(third.headers["Retry-After"]) > 0
    listed = d.api("manager-token-1").get("/complaints").json()["complaints"]
    assert len(listed) == 2 and {c["taken_by"] for c in listed} == {"public"}
