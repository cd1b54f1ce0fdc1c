"""The manager page's terminal alerts in headless Chromium: refused cases taken up, unknown tokens."""

from __future__ import annotations

import pytest
import requests

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from hall.tools.cdp import CHROMIUM
from tests.kiosk.submission_helpers import draft
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import clock, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ROWS = (
    "[...document.querySelectorAll('#{} tbody tr')]"
    ".map((tr) => [...tr.cells].map((c) => c.textContent))"
)


def test_the_page_lists_refused_cases_and_unknown_tokens_and_takes_a_case_up(
    daemon, browser, tmp_path
) -> None:
    now = [clock()]
    box = TerminalOutbox(
        tmp_path / "terminal",
        "自助机9",
        "09",
        DaemonClient(daemon.base, "kiosk-token-1"),
        clock=lambda: now[0],
        settings=OutboxSection(retry_jitter=0),
        device_id="outbox@kiosk-9",
    )
    try:
        refused = box.store(draft(1, matter="NOPE-001"))
        box.pump()
        wrong = "a-mistyped-kiosk-token"
        r = requests.get(
            daemon.base + "/api/v1/services",
            headers={"Authorization": f"Bearer {wrong}"},
            timeout=10,
        )
        assert r.status_code in (401, 403)
        login(browser, daemon)
        cases = browser.evaluate(ROWS.format("outbox-refused"))
        assert [c[:3] for c in cases] == [["outbox@kiosk-9", refused.receipt, "unknown_matter"]]
        tokens = browser.evaluate(ROWS.format("refused-tokens"))
        assert [t[0] for t in tokens] == ["127.0.0.1"] and tokens[0][2] == "1", tokens
        assert wrong not in text(browser, "terminals")
        browser.evaluate("window.prompt = () => '已电话联系申请人';")
        button = "document.querySelector('#outbox-refused tbody button')"
        browser.evaluate(f"{button}.click()")
        assert wait_until(lambda: "已确认" in browser.evaluate(f"{button}.textContent"), 10)
        acks = daemon.api("manager-token-1").get("/devices/outbox-acks").json()["acks"]
        assert acks[0]["note"] == "已电话联系申请人" and acks[0]["acked_by"] == "manager:mgr-t"
        now[0] += 60
        box.pump()
        assert [c["state"] for c in box.cases()] == ["cleared"]
    finally:
        box.stop()
