"""The citizen's pages behind the QR codes: the ticket page and 办件查询, on a real daemon.

Each rating is posted exactly as the page's script posts it: the body is the
page's ``rate`` object (the case and its rating key, which the page has only
when opened from the QR code's link, ``?k=``) plus level, tags and comment,
sent to the page's ``rate_url``. (Issue 13 changed the link and the body: a
rating key in place of the server's signature, which any holder of the id got.)
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil

import pytest
import requests

from hall.queue.web.pages.citizen.render import REASON_TAGS, STRINGS
from hall.tools.cdp import CHROMIUM, Browser
from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.support import ROOT, Daemon, hall_config, make_id, wait_until

SHOTS = os.environ.get("HALL_SCREENSHOTS", str(ROOT / "screenshots"))
ZH, EN = STRINGS["zh"], STRINGS["en"]


def page(d: Daemon, path: str, **kw) -> requests.Response:
    return requests.get(d.base + path, timeout=10, **kw)


def page_data(r: requests.Response) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', r.text)
    assert found, r.text
    return json.loads(found.group(1))


def element(r: requests.Response, element_id: str) -> str:
    """The text of the element with this id in a served page ('' if there is none)."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', r.text, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def post_rating(d: Daemon, data: dict, level: int, tags=(), comment="") -> requests.Response:
    """What the page's script sends (citizen.js ``post``)."""
    body = {**data["rate"], "level": level, "tags": list(tags), "comment": comment}
    return requests.post(d.base + data["rate_url"], json=body, timeout=10)


def ledger_entry(d: Daemon, **match) -> dict | None:
    rows = d.api("manager-token-1").get("/evaluations").json()
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_ticket_page_follows_the_ticket_then_takes_one_rating(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    issued = [kiosk.post("/tickets", {"service": "general"}).json() for _ in range(3)]
    mine = issued[-1]
    r = page(daemon, f"/t/{mine['id']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    api_view = kiosk.get(f"/tickets/{mine['id']}").json()
    assert element(r, "number") == mine["number"]
    assert element(r, "status") == ZH["status_waiting"]
    assert element(r, "ahead") == str(api_view["ahead"]) == "2"
    data = page_data(r)
    assert "rate" not in data  # nothing to rate yet
    state = page(daemon, data["poll"]).json()
    assert state["key"] == data["key"] and state["texts"]["ahead"] == "2"

    staff = daemon.staff("S002", 2)
    for _ in issued[:-1]:  # the two ahead are served; the page's figure follows
        staff.post("/windows/2/call")
        staff.post("/windows/2/finish", {"case_type": "即办件"})
    state = page(daemon, data["poll"]).json()
    assert state["key"] == data["key"] and state["texts"]["ahead"] == "0"
    assert state["texts"]["wait"] == ZH["wait_now"]
    staff.post("/windows/2/call")
    state = page(daemon, data["poll"]).json()
    assert state["key"] != data["key"]  # the page reloads: called to a window
    r = page(daemon, f"/t/{mine['id']}")
    assert element(r, "status") == ZH["status_called"].format(window=2)
    assert 'id="rating"' not in r.text
    staff.post("/windows/2/finish", {"case_type": "即办件"})

    # The id alone (what staff see) shows the progress, and how to rate: not the form.
    r = page(daemon, f"/t/{mine['id']}")
    assert element(r, "status") == ZH["status_finished"]
    assert 'id="rating"' not in r.text and "rate" not in page_data(r)
    assert element(r, "rate-with-qr") == ZH["rate_with_qr"]
    # The QR code's link, with the rating key: the form.
    r = page(daemon, f"/t/{mine['id']}?k={mine['rating_key']}")
    assert element(r, "status") == ZH["status_finished"]
    assert 'id="rating"' in r.text and element(r, "level-1") == ZH["level_1"]
    data = page_data(r)
    assert "poll" not in data  # finished: the page stops following
    assert data["rate"] == {"ticket_id": mine["id"], "key": mine["rating_key"]}
    assert data["rate_url"] == "/api/v1/evaluations/online"
    assert f"k={mine['rating_key']}" in r.text  # the language switch keeps the form
    tags = [REASON_TAGS[0], REASON_TAGS[2]]
    for tag in tags:
        assert f'value="{tag}"' in r.text
    sent = post_rating(daemon, data, 2, tags, "等了很久")
    assert sent.status_code == 201, sent.text
    rated = ledger_entry(daemon, ticket_id=mine["id"])
    assert rated["channel"] == "online" and rated["level"] == 2 and rated["window"] == 2
    assert rated["tags"] == tags and rated["comment"] == "等了很久"

    again = post_rating(daemon, data, 5)  # a second rating of the same ticket
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    r = page(daemon, f"/t/{mine['id']}?k={mine['rating_key']}")
    assert element(r, "rated") == ZH["already_rated"]
    assert 'id="rating"' not in r.text and "rate" not in page_data(r)
    r = page(daemon, f"/t/{mine['id']}?lang=en")
    assert element(r, "status") == EN["status_finished"]
    assert element(r, "rated") == EN["already_rated"]
    assert ledger_entry(daemon, ticket_id=mine["id"])["level"] == 2  # one rating, unchanged


def test_the_key_from_one_ticket_page_does_not_rate_another(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    staff = daemon.staff("S002", 2)
    done = []
    for _ in range(2):
        issued = kiosk.post("/tickets", {"service": "general"}).json()
        staff.post("/windows/2/call")
        staff.post("/windows/2/finish", {"case_type": "即办件"})
        done.append(issued)
    data = page_data(page(daemon, f"/t/{done[0]['id']}?k={done[0]['rating_key']}"))
    forged = {**data, "rate": {**data["rate"], "ticket_id": done[1]["id"]}}
    r = post_rating(daemon, forged, 5)
    assert r.status_code == 403 and r.json()["error"]["code"] == "bad_rating_key"
    assert ledger_entry(daemon, ticket_id=done[1]["id"]) is None


def test_a_transferred_ticket_page_shows_the_ticket_in_its_new_line(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    ticket = kiosk.post("/tickets", {"service": "general"}).json()
    staff = daemon.staff("S001", 1)
    staff.post("/windows/1/call")
    moved = staff.post("/windows/1/transfer", {"service": "vip"})
    assert moved.status_code == 200, moved.text
    r = page(daemon, f"/t/{ticket['id']}")
    assert r.status_code == 200
    assert element(r, "number") == ticket["number"]
    assert element(r, "service") == "企业开办"
    assert element(r, "status") == ZH["status_waiting"]
    assert element(r, "moved") == ZH["moved"].format(service="企业开办")


@pytest.mark.parametrize(
    "ticket_id", ["4e1e707ee88c425a88720bd009f92932", "not-a-ticket", "A001"]
)  # a well-formed id of no ticket
def test_an_unknown_ticket_is_a_plain_404_page(daemon: Daemon, ticket_id: str) -> None:
    r = page(daemon, f"/t/{ticket_id}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert ZH["unknown_ticket"] in r.text and 'id="rating"' not in r.text
    assert page(daemon, f"/t/{ticket_id}/state").status_code == 404


def progress(
    d: Daemon, receipt: str, id_number: str, lang: str = "zh", key: str | None = None
) -> requests.Response:
    """The progress form as a browser submits it: a form POST, nothing in the URL.

    ``key``: the rating key the form carries when it was opened from the notice's QR code.
    """
    form = {"lang": lang, "receipt": receipt, "id_number": id_number}
    if key is not None:
        form["k"] = key
    return requests.post(d.base + "/progress", data=form, timeout=10)


def daemon_logs(d: Daemon) -> str:
    logs = sorted(d.data_dir.glob("daemon-*.log"))
    assert logs
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs)


def test_progress_page_shows_the_case_only_for_the_right_id(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    case = kiosk.post("/submissions", wire(1, missing=["公司章程"])).json()
    receipt = case["receipt"]
    form = page(daemon, f"/progress?receipt={receipt}")
    assert form.status_code == 200
    assert re.search(r'<form method="post" action="/progress"', form.text)
    assert re.search(rf'id="receipt" name="receipt" value="{receipt}"', form.text)
    assert re.search(r'id="id_number" name="id_number" value=""', form.text)

    wrong_id = make_id("11010119900307001")
    wrong = progress(daemon, receipt, wrong_id)
    unknown_receipt = "ZZ01209901010001"
    unknown = progress(daemon, unknown_receipt, ID_NUMBER)
    assert wrong.status_code == unknown.status_code == 404
    assert element(wrong, "query-error") == ZH["query_not_found"]
    # The same page but for the receipt typed back into the form: nothing to probe with.
    assert wrong.text.replace(receipt, "R") == unknown.text.replace(unknown_receipt, "R")

    right = progress(daemon, receipt, ID_NUMBER)
    assert right.status_code == 200
    assert element(right, "case-receipt") == receipt
    assert element(right, "case-status") == "待补正"
    assert "公司章程" in element(right, "case-missing")
    assert 'id="rating"' not in right.text  # not finished: nothing to rate
    english = progress(daemon, receipt, ID_NUMBER, lang="en")
    assert element(english, "case-status") == "Needs correction"
    for r in (form, wrong, unknown, right, english):  # the ID number is never sent back
        assert ID_NUMBER not in r.text and wrong_id not in r.text
        assert r.headers["cache-control"] == "no-store"


def test_finished_case_is_rated_once_from_the_progress_page(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    key = "notice-key-of-case-2-xyz"  # the terminal's, printed in the notice's QR code
    case = kiosk.post("/submissions", {**wire(2), "rating_key": key}).json()
    staff = daemon.staff("S001", 1)
    staff.post(f"/submissions/{case['id']}/accept", {})
    staff.post(f"/submissions/{case['id']}/finish", {"note": "已发证"})
    # Opened from the QR code: the key rides along in the form.
    form = page(daemon, f"/progress?receipt={case['receipt']}&k={key}")
    assert f'name="k" value="{key}"' in form.text
    r = progress(daemon, case["receipt"], ID_NUMBER)  # the receipt and ID alone: no form
    assert element(r, "case-status") == "已办结" and 'id="rating"' not in r.text
    assert element(r, "rate-with-qr") == ZH["rate_with_qr"]
    r = progress(daemon, case["receipt"], ID_NUMBER, key=key)
    assert element(r, "case-status") == "已办结" and 'id="rating"' in r.text
    data = page_data(r)
    assert data["rate"] == {"submission_id": case["id"], "key": key}
    sent = post_rating(daemon, data, 5)
    assert sent.status_code == 201, sent.text
    rated = ledger_entry(daemon, submission_id=case["id"])
    assert rated["channel"] == "online" and rated["level"] == 5
    assert rated["number"] == case["receipt"]
    assert post_rating(daemon, data, 4).json()["error"]["code"] == "already_rated"
    r = progress(daemon, case["receipt"], ID_NUMBER, key=key)
    assert element(r, "rated") == ZH["already_rated"] and "rate" not in page_data(r)


@pytest.mark.process  # the process's log: a real subprocess
def test_progress_lookups_are_limited_and_the_id_is_in_no_log(daemon: Daemon) -> None:
    kiosk = daemon.api("kiosk-token-1")
    case = kiosk.post("/submissions", wire(3)).json()
    other = kiosk.post("/submissions", wire(4)).json()
    typo = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    bad = progress(daemon, case["receipt"], typo)  # a check digit typo: nothing looked up
    assert bad.status_code == 422 and element(bad, "query-error") == ZH["query_bad_input"]
    guesses = [make_id(f"11010119900307{700 + i:03d}") for i in range(5)]
    for guess in guesses:
        assert progress(daemon, case["receipt"], guess).status_code == 404
    # Five wrong IDs for this receipt: refused for a while, even with the right ID.
    held = progress(daemon, case["receipt"], ID_NUMBER)
    assert held.status_code == 429 and element(held, "query-error") == ZH["query_too_many"]
    # An unknown receipt is held the same way after as many failures: no difference shows.
    unknown = "ZZ01209901010002"
    for guess in guesses:
        assert progress(daemon, unknown, guess).status_code == 404
    assert progress(daemon, unknown, ID_NUMBER).status_code == 429
    # Another receipt of the same client is still answered ...
    assert progress(daemon, other["receipt"], ID_NUMBER).status_code == 200
    # ... until the client has failed 20 times in all.
    for i in range(10):
        assert progress(daemon, f"ZZ0120990102{i:04d}", ID_NUMBER).status_code == 404
    assert progress(daemon, other["receipt"], ID_NUMBER).status_code == 429
    # The ID numbers went only into POST bodies: none is in the daemon's log.
    logs = daemon_logs(daemon)
    assert "hall.queue" in logs  # the log file is the daemon's, and it logs
    for number in (ID_NUMBER, typo, *guesses):
        assert number not in logs


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_ticket_page_in_a_browser_follows_the_queue_and_rates(
    daemon: Daemon, browser: Browser, tmp_path
) -> None:
    kiosk = daemon.api("kiosk-token-1")
    issued = [kiosk.post("/tickets", {"service": "general"}).json() for _ in range(2)]
    mine = issued[-1]
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=390,
        height=844,
        deviceScaleFactor=2,
        mobile=True,
    )
    browser.goto(f"{daemon.base}/t/{mine['id']}?k={mine['rating_key']}")  # the QR code's link

    def text(element_id: str) -> str:
        try:
            return browser.evaluate(
                f"(document.getElementById('{element_id}') || {{}}).textContent || ''"
            )
        except AssertionError:  # the page is reloading itself: ask again
            return ""

    assert text("number") == mine["number"] and text("ahead") == "1"
    os.makedirs(SHOTS, exist_ok=True)
    browser.screenshot(tmp_path / "waiting.png")
    shutil.copy(tmp_path / "waiting.png", os.path.join(SHOTS, "citizen-ticket-waiting.png"))
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")  # the citizen ahead is called: the page follows
    assert wait_until(lambda: text("ahead") == "0", 15), text("ahead")
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    staff.post("/windows/2/call")
    assert wait_until(lambda: text("status") == ZH["status_called"].format(window=2), 15)
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    assert wait_until(lambda: text("status") == ZH["status_finished"], 15)
    assert browser.evaluate("document.getElementById('reasons').hidden") is True

    def choose_bad() -> bool:
        # The page may redraw its form once more as the finish event arrives: choose again.
        browser.evaluate("document.getElementById('level-1').click()")
        return browser.evaluate("document.getElementById('reasons').hidden") is False

    assert wait_until(choose_bad, 10)
    browser.evaluate(
        "document.querySelector('input[name=tag]').click();"
        "document.getElementById('comment').value = '窗口人员不在';"
    )
    browser.screenshot(tmp_path / "reasons.png")
    shutil.copy(tmp_path / "reasons.png", os.path.join(SHOTS, "citizen-ticket-rating.png"))
    browser.evaluate("document.getElementById('send').click()")
    # A 差评: the page says when the hall will get in touch (contact_days, 2 by default).
    thanks = ZH["thanks_bad"].format(days=2)
    assert wait_until(lambda: text("rating-result") == thanks, 10), text("rating-result")
    browser.screenshot(tmp_path / "thanks.png")
    shutil.copy(tmp_path / "thanks.png", os.path.join(SHOTS, "citizen-ticket-thanks.png"))
    rated = ledger_entry(daemon, ticket_id=mine["id"])
    assert rated["channel"] == "online" and rated["level"] == 1
    assert rated["tags"] == [REASON_TAGS[0]] and rated["comment"] == "窗口人员不在"


def test_rating_page_names_the_window_and_the_clerk(daemon: Daemon) -> None:
    done = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    r = page(daemon, f"/t/{done['id']}?k={done['rating_key']}")
    assert element(r, "rated-who") == "您评价的是：2号窗口，工作人员员工2"
    assert "S002" not in r.text
    en = page(daemon, f"/t/{done['id']}?lang=en&k={done['rating_key']}")
    assert element(en, "rated-who") == "You are rating window 2, served by 员工2"
    strings = page_data(r)["strings"]
    assert (
        strings["thanks_bad"] == "感谢您的评价！大厅将在2个工作日内与您联系核实，整改后再回访您。"
    )
    assert strings["thanks"] == ZH["thanks"]


def test_the_callback_days_follow_the_config(make_daemon) -> None:
    cfg = hall_config(rectification={"contact_days": 3})
    d = make_daemon(cfg)
    done = d.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    staff = d.staff("S001", 1)
    staff.post("/windows/1/call")
    staff.post("/windows/1/finish", {"case_type": "即办件"})
    data = page_data(page(d, f"/t/{done['id']}?k={done['rating_key']}"))
    assert "3个工作日内" in data["strings"]["thanks_bad"]


LINES = """(el) => {
  // How many lines the element's own text takes: distinct tops of its text's line boxes.
  const tops = new Set();
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    [...range.getClientRects()].filter((r) => r.width > 0)
      .forEach((r) => tops.add(Math.round(r.top)));
  }
  return tops.size;
}"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
@pytest.mark.parametrize("width", [320, 390])
def test_no_word_breaks_in_the_middle_on_a_phone(
    daemon: Daemon, browser: Browser, width: int
) -> None:
    kiosk = daemon.api("kiosk-token-1")
    issued = [kiosk.post("/tickets", {"service": "general"}).json() for _ in range(3)]
    done, waiting = issued[0], issued[-1]
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=800,
        deviceScaleFactor=2,
        mobile=True,
    )
    for lang in ("zh", "en"):
        browser.goto(f"{daemon.base}/t/{done['id']}?lang={lang}&k={done['rating_key']}")
        browser.evaluate("document.getElementById('level-1').click()")
        lines = browser.evaluate(
            f"(() => {{ const lines = {LINES};"
            " return [document.getElementById('lang-switch'),"
            " ...document.querySelectorAll('.tags label')]"
            ".map((el) => [el.textContent.trim(), lines(el)]); })()"
        )
        assert len(lines) == 1 + len(REASON_TAGS)
        assert all(n == 1 for _, n in lines), (width, lang, lines)
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, lang)
        # The longest wait the page writes stays on one line.
        browser.goto(f"{daemon.base}/t/{waiting['id']}?lang={lang}")
        longest = (ZH if lang == "zh" else EN)["wait_range"].format(low=10, high=15)
        n = browser.evaluate(
            f"(() => {{ const el = document.getElementById('wait');"
            f" el.textContent = '{longest}'; return ({LINES})(el); }})()"
        )
        assert n == 1, (width, lang, longest)


#: Chinese characters and full-width forms; and the half-width punctuation a Chinese
#: sentence must not use (a comma, colon or parenthesis from an English keyboard).
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_HALF = r"[,:;!?()]"


def half_width_in_chinese(text: str) -> list[str]:
    """Half-width punctuation next to Chinese (spaces between ignored), with its context."""
    found = re.finditer(rf"{_CJK}\s*{_HALF}|{_HALF}\s*{_CJK}", text)
    return [text[max(m.start() - 8, 0) : m.end() + 8] for m in found]


def visible_text(r: requests.Response) -> str:
    """What the page shows: the HTML without scripts, styles and tags, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", r.text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_chinese_pages_show_full_width_punctuation(daemon: Daemon) -> None:
    """Every citizen page in Chinese, as served, uses full-width punctuation.

    Waiting, called, finished with its rating form, unknown, 办件查询 and its answer; the page's strings for its script too.
    """
    kiosk = daemon.api("kiosk-token-1")
    finished = kiosk.post("/tickets", {"service": "general"}).json()
    called = kiosk.post("/tickets", {"service": "general"}).json()
    waiting = kiosk.post("/tickets", {"service": "general"}).json()
    staff = daemon.staff("S002", 2)
    staff.post("/windows/2/call")
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    staff.post("/windows/2/call")
    case = kiosk.post("/submissions", wire(2, missing=["公司章程"])).json()
    pages = [
        page(daemon, f"/t/{finished['id']}?k={finished['rating_key']}"),
        page(daemon, f"/t/{finished['id']}"),  # without the key: how to rate
        page(daemon, f"/t/{waiting['id']}"),
        page(daemon, f"/t/{called['id']}"),
        page(daemon, "/t/not-a-ticket"),
        page(daemon, f"/progress?receipt={case['receipt']}"),
        progress(daemon, case["receipt"], ID_NUMBER),
        progress(daemon, case["receipt"], make_id("11010119900307001")),
    ]
    assert 'id="rating"' in pages[0].text  # the finished one, with its form
    for r in pages:
        assert 'lang="zh-CN"' in r.text, r.url
        assert half_width_in_chinese(visible_text(r)) == [], r.url
    strings = page_data(pages[0])["strings"]
    shown = [v for v in strings.values() if isinstance(v, str)]
    assert half_width_in_chinese("\n".join(shown)) == []
    assert not half_width_in_chinese("\n".join(ZH[k] for k in ZH))  # strings.yaml itself
