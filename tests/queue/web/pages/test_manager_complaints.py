"""The manager page's 投诉登记 panel in headless Chromium: overdue marked, lodge, handle."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#complaint-list tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)
PHONE = {
    "channel": "phone",
    "summary": "窗口人员态度生硬",
    "subject_window": 2,
    "subject_staff": "S002",
}


def _set(b, element_id: str, value: str) -> None:
    b.evaluate(f"document.getElementById('{element_id}').value = {value!r}")


def _click(b, element_id: str) -> None:
    b.evaluate(f"document.getElementById('{element_id}').click()")


def test_overdue_complaints_are_red_and_one_is_lodged_and_handled(
    make_daemon: Callable[..., Daemon], browser
) -> None:
    d = make_daemon()
    late = d.api("manager-token-1").post("/complaints", PHONE).json()
    # Lodged Tue 06-02, due Mon 06-08 (the test hall is closed 06-02 and 06-03);
    # restarted a week later, on Tue 06-09: a day overdue.
    d.shift_s = 7 * 86400
    d.restart()
    login(browser, d)
    assert wait_until(lambda: len(browser.evaluate(ROWS)) == 1, 10)
    (row,) = browser.evaluate(ROWS)
    assert row[:6] == [
        late["id"],
        "电话",
        "2026-06-02",
        "2号窗口 员工2",
        "2026-06-08 已超期",
        "待处理",
    ]
    due_cell = "document.querySelector('#complaint-list tbody tr').cells[4].className"
    assert browser.evaluate(due_cell) == "overdue"
    assert text(browser, "complaints-overdue") == "1 件超期 overdue"

    # Lodge a letter from the form: its receipt is shown and the list follows.
    _set(browser, "complaint-channel", "letter")
    _set(browser, "complaint-summary", "来信反映办事要跑多次")
    _set(browser, "complaint-name", "李四")
    _set(browser, "complaint-phone", "13800001111")
    _set(browser, "complaint-window", "1")
    _click(browser, "complaint-lodge")
    assert wait_until(lambda: "已登记" in text(browser, "complaint-receipt"), 10)
    new_id = re.search(r"TS\d{12}", text(browser, "complaint-receipt")).group(0)
    assert new_id.startswith("TS20260609")
    assert wait_until(lambda: len(browser.evaluate(ROWS)) == 2, 10)
    rows = browser.evaluate(ROWS)
    assert rows[0][0] == late["id"]  # overdue first
    assert rows[1][:6] == [new_id, "信函", "2026-06-09", "1号窗口", "2026-06-12", "待处理"]
    # (Tue 06-09 + 3 working days: Wed 10, Thu 11, Fri 12.)

    # Handle it: the contact shows in the pane, then assign, reply and close.
    browser.evaluate(
        f"document.querySelector('#complaint-list tr[data-id=\"{new_id}\"] button').click()"
    )
    assert wait_until(lambda: text(browser, "complaint-detail-contact") == "李四 13800001111", 10)
    assert text(browser, "complaint-detail-summary") == "来信反映办事要跑多次"
    _set(browser, "complaint-to", "S003")
    _click(browser, "complaint-assign")
    status = lambda: browser.evaluate(  # noqa: E731
        f"document.querySelector('#complaint-list tr[data-id=\"{new_id}\"]').cells[5].textContent"
    )
    assert wait_until(lambda: status() == "已交办", 10), status()
    _set(browser, "complaint-reply", "已核实，已督促整改")
    _set(browser, "complaint-outcome", "substantiated")
    _click(browser, "complaint-send-reply")
    assert wait_until(lambda: status() == "已答复", 10)
    assert wait_until(lambda: text(browser, "complaint-detail-reply") == "已核实，已督促整改", 10)
    assert browser.evaluate("document.getElementById('complaint-reply-box').hidden") is True
    _click(browser, "complaint-close")
    assert wait_until(lambda: status() == "已办结", 10)
    stored = d.api("manager-token-1").get(f"/complaints/{new_id}").json()
    assert (stored["status"], stored["outcome"], stored["assigned_to"]) == (
        "closed",
        "substantiated",
        "S003",
    )
    assert [e["action"] for e in stored["events"]] == ["lodge", "assign", "reply", "close"]
    assert stored["contact"] == {"name": "李四", "phone": "13800001111"}
