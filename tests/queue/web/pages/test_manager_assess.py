"""The manager page's 考核 panel in headless Chromium: scores, breakdown, cards, 优秀窗口.

The test hall (five windows, no activity): in 2026Q2 every window starts at 100 (a
window carries no absences), while every clerk, who never checked in, is absent on
each working day up to the clock's 2026-06-02.
"""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

SCORES = (
    "[...document.querySelectorAll('#assess-scores tbody tr')]"
    ".map((tr) => [tr.dataset.target, tr.cells[2].textContent, tr.cells[0].textContent])"
)
CARDS = "[...document.querySelectorAll('#card-list tbody tr')].map((tr) => tr.dataset.withdrawn)"
CANDIDATES = (
    "[...document.querySelectorAll('#excellence-list tbody tr')]"
    ".map((tr) => [tr.dataset.window, tr.cells[4].textContent])"
)


def show(browser, period: str, kind: str) -> None:
    """Type the period and kind, press 查询 and wait for the panel to load."""
    browser.evaluate(
        "document.getElementById('assessment').dataset.loaded = '';"
        f"document.getElementById('assess-period').value = '{period}';"
        f"document.getElementById('assess-kind').value = '{kind}';"
        "document.getElementById('assess-show').click()"
    )
    loaded = "document.getElementById('assessment').dataset.loaded || ''"
    assert wait_until(lambda: browser.evaluate(loaded) != "", 10)


def issue(browser, kind: str, target_kind: str, target: str, reason: str) -> None:
    """Fill the card form and submit it."""
    browser.evaluate(
        f"document.getElementById('card-kind').value = '{kind}';"
        f"document.getElementById('card-target-kind').value = '{target_kind}';"
        f"document.getElementById('card-target').value = '{target}';"
        "document.getElementById('card-day').value = '2026-05-20';"
        f"document.getElementById('card-reason').value = '{reason}';"
        "document.getElementById('card-issue').click()"
    )


def test_a_manager_scores_cards_and_confirms_excellent_windows(daemon, browser) -> None:
    login(browser, daemon)
    loaded = "document.getElementById('assessment').dataset.loaded || ''"
    assert wait_until(lambda: browser.evaluate(loaded) != "", 10)  # the page's own first load
    show(browser, "2026Q2", "window")
    assert browser.evaluate(SCORES) == [[str(n), "100", "1"] for n in range(1, 6)]

    issue(browser, "red", "window", "1", "窗口人员脱岗")
    assert wait_until(lambda: browser.evaluate(CARDS) == ["false"], 10), text(browser, "card-error")
    issue(browser, "commendation", "window", "3", "群众送锦旗")
    assert wait_until(lambda: browser.evaluate(CARDS) == ["false", "false"], 10)
    # By hand: window 3 = 100 + 3 = 103; 2, 4, 5 = 100 (rank 2); window 1 = 100 - 5 = 95.
    assert wait_until(lambda: browser.evaluate(SCORES)[-1] == ["1", "95", "5"], 10)
    assert browser.evaluate(SCORES)[0] == ["3", "103", "1"]
    [card] = [c for c in daemon.api("manager-token-1").get("/cards").json() if c["kind"] == "red"]
    assert (card["target"], card["issued_by"], card["reason"]) == (
        "1",
        "manager:mgr-t",
        "窗口人员脱岗",
    )

    browser.evaluate(
        "document.querySelector('#assess-scores tr[data-target=\"1\"] button').click()"
    )
    assert browser.evaluate(
        "[...document.querySelectorAll('#assess-lines tbody tr')].map((tr) => tr.dataset.kind)"
    ) == ["red_card"]
    assert "-5" in text(browser, "assess-lines") and "supervision_cards" in text(
        browser, "assess-lines"
    )

    # A target the hall does not have: refused, and the panel says why.
    issue(browser, "yellow", "staff", "NOBODY", "x")
    assert wait_until(lambda: "NOBODY" in text(browser, "card-error"), 10)

    # 优秀窗口: ranks 1, 2, 2, 2 are within the top 3; confirm window 3 only and publish.
    assert browser.evaluate(CANDIDATES) == [
        ["3", "候选 candidate"],
        ["2", "候选 candidate"],
        ["4", "候选 candidate"],
        ["5", "候选 candidate"],
    ]
    browser.evaluate(
        "document.querySelectorAll('#excellence-list tbody tr').forEach((tr) => {"
        "  tr.querySelector('input').checked = tr.dataset.window === '3'; });"
        "document.getElementById('excellence-confirm').click()"
    )
    assert wait_until(lambda: browser.evaluate(CANDIDATES)[0] == ["3", "已确认 confirmed"], 10), (
        text(browser, "excellence-error")
    )
    current = daemon.api("display-token-1").get("/announcements/current").json()
    assert [a["kind"] for a in current] == ["commendation"]
    assert "3号窗口" in current[0]["text_zh"]

    # Withdraw the red card (the list is newest first: the commendation is on top): window 1
    # is back at 100, rank 2 behind window 3's 103.
    browser.evaluate(
        f"document.querySelector('#card-list tr[data-id=\"{card['id']}\"] button').click()"
    )
    assert wait_until(lambda: sorted(browser.evaluate(CARDS)) == ["false", "true"], 10)
    assert wait_until(lambda: ["1", "100", "2"] in browser.evaluate(SCORES), 10), browser.evaluate(
        SCORES
    )

    # Clerks: never checked in, so absent on every working day so far (不称职, lines of 旷工).
    show(browser, "2026Q2", "staff")
    rows = browser.evaluate(SCORES)
    assert {r[0] for r in rows} == {"S001", "S002", "S003", "S004", "S005", "SB"}
    browser.evaluate(
        "document.querySelector('#assess-scores tr[data-target=\"S001\"] button').click()"
    )
    kinds = browser.evaluate(
        "[...document.querySelectorAll('#assess-lines tbody tr')].map((tr) => tr.dataset.kind)"
    )
    assert kinds and set(kinds) == {"absent"}
