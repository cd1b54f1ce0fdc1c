"""The manager page's 请假 panel in headless Chromium: pending leave decided, the month, leaders."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.supervision.test_leaders import leaders_config
from tests.queue.supervision.test_leave import ask, leave_config
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import PIN, Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#{} tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def test_the_panel_decides_pending_leave_and_shows_the_month_and_the_leaders(
    make_daemon: Callable[..., Daemon], browser
) -> None:
    cfg = leave_config()
    cfg["leaders"] = leaders_config()["leaders"]
    d = make_daemon(cfg)
    manager = d.api("manager-token-1")
    # Thursday 06-04 afternoon: half a day, the department head's (S003 is of bdc).
    half = ask(manager, "S003", "2026-06-04 pm", "2026-06-04 pm", reason="家中有事").json()
    # Tuesday 06-02 .. Thursday 06-04: three working days, S005 covers.
    three = ask(manager, "S001", "2026-06-02 am", "2026-06-04 pm", cover_staff="S005").json()
    assert d.api("kiosk-token-1").post("/leaders/sign-in", {"id": "L1", "pin": PIN}).ok

    login(browser, d)
    pending = browser.evaluate(ROWS.format("leave-pending"))
    assert [p[:7] for p in pending] == [
        ["员工1（S001）", "2026-06-02 上午 至 2026-06-04 下午", "3 天", "事假", "—",
         "员工5（S005）", "中心管理人员"],
        ["员工3（S003）", "2026-06-04 下午", "0.5 天", "事假", "家中有事", "—",
         "部门负责人或管理人员"],
    ]  # fmt: skip
    assert text(browser, "leave-pending-count") == "2"
    rule = text(browser, "leave-rule")  # the seeds' rules, config leave: (defaults)
    assert "请假 0.5 天以内由部门负责人" in rule and "请假 3 天以上须确定顶岗" in rule, rule
    leaders = browser.evaluate(ROWS.format("leader-visits"))
    assert [r[:5] for r in leaders] == [
        ["王副县长", "分管副县长", "1", "2", "未达到 short"],
        ["李局长", "—", "0", "1", "未达到 short"],
    ]

    # Approve the three days with a note, from the page.
    row = f"document.querySelector('#leave-pending tr[data-id=\"{three['id']}\"]')"
    browser.evaluate(
        f"{row}.querySelector('.leave-note').value = '已安排顶岗';"
        f"{row}.querySelector('button[data-act=approve]').click()"
    )
    ids = lambda: [r["id"] for r in manager.get("/leave?status=requested").json()["requests"]]  # noqa: E731
    assert wait_until(lambda: ids() == [half["id"]], 10), ids()
    shown = lambda: [r[0] for r in browser.evaluate(ROWS.format("leave-pending"))]  # noqa: E731
    assert wait_until(lambda: shown() == ["员工3（S003）"], 10), shown()
    done = manager.get("/leave?month=2026-06").json()["requests"]
    approved = next(r for r in done if r["id"] == three["id"])
    assert (approved["status"], approved["decided_by"]) == ("approved", "manager:mgr-t")
    assert approved["note"] == "approved manager:mgr-t: 已安排顶岗"

    # Refuse the half day.
    browser.evaluate(
        f'document.querySelector(\'#leave-pending tr[data-id="{half["id"]}"] '
        "button[data-act=refuse]').click()"
    )
    assert wait_until(lambda: shown() == [], 10), shown()
    assert browser.evaluate("document.getElementById('leave-pending-empty').hidden") is False
    month = lambda: {r[0]: r[5:] for r in browser.evaluate(ROWS.format("leave-month-list"))}  # noqa: E731
    expected = {
        "员工1（S001）": ["已批准 approved", "管理人员 mgr-t"],
        "员工3（S003）": ["不批准 refused", "管理人员 mgr-t"],
    }
    assert wait_until(lambda: month() == expected, 10), month()
    assert text(browser, "leave-month") == "2026-06"

    # A clerk's new request arrives as an event: the page shows it without a reload.
    s2 = d.staff("S002", 2)
    assert ask(s2, "S002", "2026-06-05 am", "2026-06-05 am").status_code == 201
    assert wait_until(lambda: shown() == ["员工2（S002）"], 10), shown()
    # And a leader's sign-in: L2 owes one visit a month.
    assert d.api("kiosk-token-1").post("/leaders/sign-in", {"id": "L2", "pin": PIN}).ok
    met = lambda: browser.evaluate(ROWS.format("leader-visits"))[1][2:5]  # noqa: E731
    assert wait_until(lambda: met() == ["1", "1", "已达到 met"], 10), met()
