"""The manager page's 首问登记 panel in headless Chromium: the day's enquiries, contacts on request."""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.cases.case_helpers import register_config
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#{} tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def enquiry_reads(d: Daemon) -> list[str]:
    reads = d.api("manager-token-1").get("/personal-data/reads").json()["reads"]
    return [r["case"] for r in reads if r["case"].startswith("enquiry:")]


def test_the_panel_lists_the_days_enquiries_and_shows_contacts_only_on_request(
    make_daemon, browser
) -> None:
    d = make_daemon(register_config())
    clerk = d.staff("S003", 3)
    call = {
        "channel": "phone",
        "topic": "房屋过户要带什么材料",
        "matter": "BDC-ZY-001",
        "answer": "recorded",
        "contact": {"name": "李四", "phone": "13812345678"},
    }
    first = clerk.post("/enquiries", call).json()
    clerk.post(
        "/enquiries",
        {"channel": "in_person", "topic": "在哪取号", "answer": "referred", "referred_to": "scjg"},
    )

    login(browser, d)
    rows = browser.evaluate(ROWS.format("enquiry-list"))
    assert [r[1:] for r in rows] == [
        [
            "员工3",
            "3号窗口",
            "电话",
            "房屋过户要带什么材料",
            "BDC-ZY-001",
            "登记后回复",
            "已登记 on file",
        ],
        ["员工3", "3号窗口", "当面", "在哪取号", "—", "转交办理 → scjg", "—"],
    ]
    assert text(browser, "enquiry-day") == "2026-06-02"  # the clock's day (tests/support/config.py)
    assert browser.evaluate(ROWS.format("enquiry-counts")) == [
        ["员工3", "2", "未指明 1，BDC-ZY-001 1"]
    ]
    assert enquiry_reads(d) == []  # the page's loads record nothing: no contact was shown

    browser.evaluate("document.getElementById('enquiry-contacts').click()")
    contact = lambda: browser.evaluate(ROWS.format("enquiry-list"))[0][7]  # noqa: E731
    assert wait_until(lambda: contact() == "李四 13812345678", 10), contact()
    assert enquiry_reads(d) == [f"enquiry:{first['id']}"]
