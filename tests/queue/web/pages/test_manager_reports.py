"""The manager page's 通报 panel in headless Chromium: a month summed up, files downloaded."""

from __future__ import annotations

import pytest

from hall.tools.cdp import CHROMIUM
from tests.queue.supervision.report_helpers import load, load_supervision, report_config
from tests.queue.web.pages.test_manager_page import login, text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


@pytest.fixture
def hall(make_daemon, tmp_path) -> Daemon:
    data = tmp_path / "d" / "data"
    data.mkdir(parents=True)
    load(data / "hall.sqlite3")
    load_supervision(data / "hall.sqlite3")
    return make_daemon(report_config(), name="d")


def ask(browser, period: str) -> None:
    browser.evaluate(
        f"document.getElementById('report-period').value = '{period}';"
        "document.getElementById('report-form').requestSubmit()"
    )


def test_the_panel_sums_up_a_month_and_downloads_its_files(hall: Daemon, browser, tmp_path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder))
    login(browser, hall)
    ask(browser, "2026-05")
    assert wait_until(
        lambda: browser.evaluate("document.body.dataset.report || ''") == "2026-05", 15
    )
    assert browser.evaluate("document.getElementById('report-summary').hidden") is False
    # tests/queue/supervision/report_helpers.py, by hand: 10 served, 7 of them outside hours.
    assert text(browser, "report-served") == "10"
    assert text(browser, "report-outside") == "7（午休 2，双休日节假日 2，延时 2）"
    assert text(browser, "report-title").startswith("2026年5月 May 2026（2026-05-01 – 2026-05-31）")
    for suffix, magic in (("html", b"<!doctype html>"), ("xlsx", b"PK")):
        browser.evaluate(f"document.getElementById('report-{suffix}').click()")
        path = folder / f"report-2026-05.{suffix}"
        assert wait_until(path.exists, 15), list(folder.iterdir())
        assert wait_until(lambda p=path, m=magic: p.read_bytes().startswith(m), 15)
    assert "2026年5月工作通报" in (folder / "report-2026-05.html").read_text(encoding="utf-8")


def test_a_bad_period_is_said_in_words(hall: Daemon, browser) -> None:
    login(browser, hall)
    ask(browser, "2026Q5")
    said = lambda: text(browser, "report-error")  # noqa: E731
    assert wait_until(lambda: "季度" in said(), 15), said()
    assert "YYYYQn" in said()
    assert browser.evaluate("document.getElementById('report-summary').hidden") is True
