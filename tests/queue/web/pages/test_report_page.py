"""The 通报 A4 page in headless Chromium: served by the daemon, its text, a chart, printed to PDF."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from hall.queue.supervision.report_cli import pdf_pages
from hall.queue.web.pages.report_page import CSP, a4_html
from hall.tools.cdp import Browser
from tests.queue.supervision.report_helpers import load, load_supervision, report_config
from tests.support import Daemon

#: A4 in PDF points (1/72 in): 210 x 297 mm.
A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)


@pytest.fixture
def hall(make_daemon, tmp_path) -> Daemon:
    data = tmp_path / "d" / "data"
    data.mkdir(parents=True)
    load(data / "hall.sqlite3")
    load_supervision(data / "hall.sqlite3")
    return make_daemon(report_config(), name="d")


def open_report(browser: Browser, hall: Daemon, period: str) -> None:
    """The page as a manager's browser gets it: the token in the Authorization header."""
    browser.send("Network.enable")
    browser.send("Network.setExtraHTTPHeaders", headers={"Authorization": "Bearer manager-token-1"})
    try:
        browser.goto(f"{hall.base}/api/v1/reports/{period}.html")
    finally:
        browser.send("Network.setExtraHTTPHeaders", headers={})
        browser.send("Network.disable")


def test_the_month_report_reads_right_and_its_chart_is_drawn_to_scale(
    hall: Daemon, browser: Browser
) -> None:
    open_report(browser, hall, "2026-05")
    text = browser.evaluate("document.getElementById('report').innerText")
    for words in (
        "测试大厅2026年5月工作通报",
        "report of May 2026",
        "二、非工作时间服务",
        "午休时间（12:00–13:30）",
        "五、投诉处理",
        "七、请假与领导签到",
    ):
        assert words in text, words
    lines = browser.evaluate(
        "[...document.querySelectorAll('table.lines tr')].map(r => r.innerText.replace(/\\s+/g, ' '))"
    )
    # tests/queue/supervision/report_helpers.py, counted by hand.
    for line in (
        "办结 served 10",
        "双休日、节假日 weekends and holidays 2",
        "延时服务（下班后） after closing (extended service) 2",
        "提前服务（上班前） before opening 1",
        "合计 total outside regular hours 7",
        "批准请假 leave approved 2",
    ):
        assert line in lines, (line, lines)
    # The first chart: served and outside hours for the weeks from 04-27, 05-04, 05-11
    # (1 and 1, 3 and 2, 6 and 4): six bars, each as tall as its value says.
    bars = browser.evaluate(
        "[...document.querySelector('svg.chart').querySelectorAll('rect.bar')]"
        ".map(b => [b.querySelector('title').textContent, b.getBBox().height])"
    )
    assert [t for t, _ in bars] == [
        "04-27 办结 served: 1",
        "04-27 非工作时间 outside hours: 1",
        "05-04 办结 served: 3",
        "05-04 非工作时间 outside hours: 2",
        "05-11 办结 served: 6",
        "05-11 非工作时间 outside hours: 4",
    ]
    unit = bars[0][1]
    assert unit > 0
    for (_, height), value in zip(bars, (1, 1, 3, 2, 6, 4), strict=True):
        assert abs(height - value * unit) < 0.2
    # No script runs on the page; its inline style did (h1 at 18pt = 24 CSS px).
    assert browser.evaluate("document.scripts.length") == 0
    assert browser.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") == "24px"


def test_the_report_prints_to_a_few_a4_pages(hall: Daemon, browser: Browser) -> None:
    open_report(browser, hall, "2026Q2")
    pdf = base64.b64decode(
        browser.send("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]
    )
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    # Eight short sections and three charts: more than one sheet, no more than four.
    assert 2 <= len(boxes) <= 4, len(boxes)
    assert pdf_pages(pdf) == len(boxes)
    for width, height in boxes:
        assert abs(float(width) - A4_PT[0]) < 1.5 and abs(float(height) - A4_PT[1]) < 1.5


def test_a_saved_page_keeps_its_policy_and_escapes_names(browser: Browser, tmp_path: Path) -> None:
    report = {
        "hall": "<script>document.title='pwned'</script>大厅",
        "period": {
            "code": "2026-05",
            "kind": "month",
            "start": "2026-05-01",
            "end": "2026-05-31",
            "zh": "2026年5月",
            "en": "May 2026",
        },
        "today": "2026-06-02",
        "as_of": "2026-05-31",
        "complete": True,
        "service": {"issued": 0, "served": 0, "no_shows": 0, "transfers": 0, "wait": None},
        "outside_hours": {
            "served": 0,
            "weekend_holiday": 0,
            "lunch": 0,
            "after_close": 0,
            "before_open": 0,
            "outside_total": 0,
            "regular": 0,
            "issued": {"normal": 0, "priority": 0, "appointment": 0},
            "served_by_kind": {"normal": 0, "priority": 0, "appointment": 0},
        },
        "lunch_hours": ["12:00", "13:30"],
        "trend_period": "week",
        "trend": [],
        "windows": [],
        "cases": {"available": False, "zh": "办件（尚未启用）", "en": "not yet"},
        "complaints": {"available": False, "zh": "投诉（尚未启用）", "en": "not yet"},
        "assessment": {"available": False, "zh": "考核（尚未启用）", "en": "not yet"},
        "leave": {"available": True, "approved": 0, "days": 0.0, "with_cover": 0},
        "leaders": {"available": True, "leaders": []},
        "enquiries": {
            "available": True,
            "enquiries": 0,
            "enquiries_by_answer": {},
            "help_requests": 0,
            "help_acknowledged": 0,
            "help_mean_answer_s": None,
        },
    }
    path = tmp_path / "report.html"
    path.write_text(a4_html(report), encoding="utf-8")
    browser.goto(path.as_uri())
    assert browser.evaluate("document.scripts.length") == 0
    # The name is text: the title shows it whole, no script set it to "pwned".
    assert browser.evaluate("document.title") == report["hall"] + "2026年5月工作通报"
    assert "<script>" in browser.evaluate("document.querySelector('h1').innerText")
    assert "本期无窗口办件" in browser.evaluate("document.body.innerText")
    assert "unsafe-inline" not in CSP and "script-src" not in CSP
