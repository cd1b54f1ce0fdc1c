"""A case's notice as an A4 page, rendered in headless Chromium: text, QR code, print layout, CSP."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hall.drivers.qrscan import read_qr
from hall.queue.cases.notice_parts import HallInfo, Notice
from hall.queue.cases.notices import build_notice
from hall.queue.web.pages.case_notice import CSP, a4_html
from hall.tools.cdp import Browser
from tests.queue.cases.case_helpers import case_body, move_to, register_config, served_ticket
from tests.queue.cases.case_views import (
    RECEIPT,
    case_view,
    extended_case,
    posted_case,
    refused_case,
    returned_case,
)

FOLLOW = f"http://hall.example/progress?receipt={RECEIPT}&k=abcdefghijklmnopqrstuv"
HALL = HallInfo(name="示范区政务服务中心", name_en="Demo District Government Service Center")
#: A4 in PDF points (1/72 in): 210 x 297 mm.
A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)
#: The printable width at 18 mm margins in CSS pixels (96 per inch): 174 mm.
PRINTABLE_PX = 174 / 25.4 * 96


def open_notice(browser: Browser, tmp_path: Path, notice: Notice) -> None:
    """Open the page as a saved file: its own <meta> policy applies.

    The route's header is tested with the daemon (tests/queue/web/api/test_case_notices.py).
    """
    path = tmp_path / f"{notice.kind}.html"
    path.write_text(a4_html(notice), encoding="utf-8")
    browser.goto(path.as_uri())


def qr_in_page(browser: Browser) -> str | None:
    """The QR code's text, read from a screenshot of the drawn SVG (OpenCV's reader)."""
    box = browser.evaluate(
        "(() => { const r = document.querySelector('figure svg').getBoundingClientRect();"
        " return [r.x, r.y, r.width, r.height]; })()"
    )
    x, y, w, h = box
    clip = {"x": x - 8, "y": y - 8, "width": w + 16, "height": h + 16, "scale": 3}
    shot = browser.send(
        "Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True
    )
    png = base64.b64decode(shot["data"])
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return read_qr(grey)


def test_promise_page_shows_the_notice_and_its_qr_code(browser: Browser, tmp_path: Path) -> None:
    notice = build_notice("promise", case_view(follow_url=FOLLOW), HALL)
    open_notice(browser, tmp_path, notice)
    text = browser.evaluate("document.getElementById('notice').innerText")
    for words in (
        "承诺通知书",
        "Notice of promised completion",
        RECEIPT,
        "2026年10月12日",  # the promised date (tests/queue/cases/case_views.py, by hand)
        "2026-10-12",
        "5个工作日",
        "到时请凭本通知书和申请人本人身份证到服务大厅领件。",
        "扫码查询办理进度、评价服务",
        "2026年09月29日",  # issued: the day it was accepted
    ):
        assert words in text
    assert case_view()["applicant"]["id_number"] not in text
    assert qr_in_page(browser) == FOLLOW
    # The inline style ran under the page's policy: the title at 20pt (26.67 CSS px).
    size = browser.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")
    assert size == "26.6667px"


def test_the_print_button_is_wired_and_hidden_on_paper(browser: Browser, tmp_path: Path) -> None:
    open_notice(browser, tmp_path, build_notice("promise", case_view(), HALL))
    # The inline script ran under the page's policy: the button has its click handler.
    button = browser.send("Runtime.evaluate", expression="document.getElementById('print')")
    listeners = browser.send(
        "DOMDebugger.getEventListeners", objectId=button["result"]["objectId"]
    )["listeners"]
    assert [entry["type"] for entry in listeners] == ["click"]
    display = "getComputedStyle(document.getElementById('print')).display"
    assert browser.evaluate(display) != "none"
    browser.send("Emulation.setEmulatedMedia", media="print")
    try:
        assert browser.evaluate(display) == "none"
        # On paper the sheet fits the printable width of A4 at 18 mm margins.
        browser.viewport(int(PRINTABLE_PX), 1000)
        width = browser.evaluate("document.documentElement.scrollWidth")
        assert width <= PRINTABLE_PX
    finally:
        browser.send("Emulation.setEmulatedMedia", media="")


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        ("promise", case_view(follow_url=FOLLOW)),
        ("correction", returned_case()),
        ("extension", extended_case()),
        ("refusal", refused_case()),
        ("pickup", posted_case()),
    ],
)
def test_a_notice_prints_to_one_a4_page(
    browser: Browser, tmp_path: Path, kind: str, case: dict
) -> None:
    open_notice(browser, tmp_path, build_notice(kind, case, HALL))
    pdf = base64.b64decode(
        browser.send("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]
    )
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, boxes  # one page
    width, height = (float(v) for v in boxes[0])
    assert abs(width - A4_PT[0]) < 1.5 and abs(height - A4_PT[1]) < 1.5


def test_text_from_the_case_is_escaped_and_no_other_script_runs(
    browser: Browser, tmp_path: Path
) -> None:
    case = refused_case()
    hostile = "</td><script>document.title='pwned'</script><img src=x onerror=alert(1)>"
    case["rejection"]["reason"] = hostile
    open_notice(browser, tmp_path, build_notice("refusal", case, HALL))
    assert hostile in browser.evaluate("document.getElementById('notice').innerText")
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("document.title") == f"不予受理(退件)通知书 {RECEIPT}"
    for words in ("行政复议", "行政诉讼", "《不动产登记暂行条例》第二十二条"):
        assert words in browser.evaluate("document.body.innerText")


def test_the_policy_names_the_inline_style_and_script_by_hash() -> None:
    html = a4_html(build_notice("promise", case_view(), HALL))
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta is not None
    assert CSP.startswith(meta.group(1)) and "frame-ancestors 'none'" in CSP
    assert "unsafe-inline" not in CSP and "default-src 'none'" in CSP
    hashes = re.findall(r"'sha256-[A-Za-z0-9+/=]+'", CSP)
    assert len(hashes) == 2
    assert json.dumps(html).count("<script") == 1


def test_the_daemon_serves_the_page_that_chromium_renders_and_prints(
    make_daemon, browser: Browser
) -> None:
    # 食品经营许可 (5 working days) opened Tue 2026-09-29 at window 1 of 市场监督管理局:
    # 09-30 (1), 10-08 (2), 10-09 (3), Sat 10-10 (4, make-up day), Mon 10-12 (5).
    hall = make_daemon(register_config())
    move_to(hall, dt.date(2026, 9, 29))
    clerk = hall.staff("S001", 1)
    ticket = served_ticket(hall, clerk, 1)
    opened = clerk.post("/cases", case_body(ticket["id"])).json()
    receipt, key = opened["receipt"], opened["rating_key"]
    browser.send("Network.enable")
    # The clerk's session token, sent as the caller panel sends it.
    auth = clerk.session.headers["Authorization"]
    browser.send("Network.setExtraHTTPHeaders", headers={"Authorization": auth})
    try:
        browser.goto(f"{hall.base}/api/v1/cases/{receipt}/notices/promise.html?k={key}")
        text = browser.evaluate("document.getElementById('notice').innerText")
        assert receipt in text and "2026年10月12日" in text and "王小明" in text
        assert qr_in_page(browser) == opened["follow_url"]
        button = browser.send("Runtime.evaluate", expression="document.getElementById('print')")
        listeners = browser.send(
            "DOMDebugger.getEventListeners", objectId=button["result"]["objectId"]
        )["listeners"]
        assert [entry["type"] for entry in listeners] == ["click"]  # the header's policy ran it
        pdf = base64.b64decode(browser.send("Page.printToPDF", preferCSSPageSize=True)["data"])
        assert len(re.findall(rb"/MediaBox", pdf)) == 1
    finally:
        browser.send("Network.setExtraHTTPHeaders", headers={})
        browser.send("Network.disable")
