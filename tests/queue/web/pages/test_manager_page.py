"""The manager's page in headless Chromium: it loads, shows the API's figures, follows ratings."""

from __future__ import annotations

import re
import shutil

import pytest

from hall.tools.cdp import CHROMIUM, Browser
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def text(b: Browser, element_id: str) -> str:
    return b.evaluate(f"document.getElementById('{element_id}').textContent")


def test_page_shows_the_figures_and_follows_a_new_rating(daemon: Daemon, browser, tmp_path) -> None:
    staff = daemon.staff("S002", 2)
    done = serve(daemon, staff, 2, n=3)
    rate(daemon, done[0]["id"], 5)
    rate(daemon, done[1]["id"], 1)
    api = daemon.api("manager-token-1").get("/statistics/overview").json()
    today = api["today"]
    assert (today["served"], today["rated"], today["unrated"]) == (3, 2, 1)

    browser.goto(daemon.base + "/manager")
    assert browser.evaluate("document.getElementById('signin').hidden") is False
    browser.evaluate(  # the bootstrap token (manager accounts: test_manager_login.py)
        "document.getElementById('use-token').click();"
        "document.getElementById('token').value = 'manager-token-1';"
        "document.getElementById('token-login').requestSubmit()"
    )
    assert wait_until(lambda: text(browser, "served") == "3", 10), text(browser, "served")
    assert text(browser, "issued") == str(today["issued"])
    # The ledger's head as a fingerprint to print or write down (tests/queue/security/).
    assert text(browser, "ledger-head") == "台账校验码 " + api["ledger_head"]["fingerprint"]
    assert text(browser, "rated") == "2" and text(browser, "unrated") == "1"
    assert text(browser, "satisfaction") == "50.0%"
    assert text(browser, "bad-open") == "1"
    rows = browser.evaluate("document.querySelectorAll('#bad tbody tr').length")
    assert rows == 1
    bars = browser.evaluate("document.querySelectorAll('#chart-ratings rect').length")
    assert bars == 2  # window 2: one 非常满意, one 非常不满意
    assert browser.evaluate("document.querySelectorAll('#chart-wait rect').length") >= 1
    assert browser.evaluate("document.querySelectorAll('#chart-trend circle').length") >= 1
    assert wait_until(
        lambda: browser.evaluate("document.getElementById('live').className") == "on", 10
    )
    # A rating arrives: the page follows the event stream and shows it without a reload.
    rate(daemon, done[2]["id"], 4)
    assert wait_until(lambda: text(browser, "rated") == "3", 10), text(browser, "rated")
    assert text(browser, "unrated") == "0" and text(browser, "satisfaction") == "66.7%"
    # The token is kept for the session: a reload goes straight to the figures.
    browser.goto(daemon.base + "/manager")
    assert wait_until(lambda: text(browser, "rated") == "3", 10)
    # 考勤 is a table by name, with the sign-in time of the clerk who logged in.
    row = "document.querySelector('#attendance tr[data-staff=S002]')"
    assert wait_until(lambda: browser.evaluate(f"!!{row}"), 10)
    cells = browser.evaluate(f"[...{row}.cells].map((c) => c.textContent)")
    assert cells[0] == "员工2" and re.fullmatch(r"\d\d:\d\d", cells[1]), cells
    assert "S00" not in text(browser, "attendance")
    shot = browser.screenshot(tmp_path / "manager.png")
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, "/tmp/manager-page.png")


def login(b: Browser, d: Daemon, width: int | None = None) -> None:
    """Open the manager page, enter the (bootstrap) manager token and wait for the figures."""
    if width:
        b.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=844,
            deviceScaleFactor=2,
            mobile=True,
        )
    b.goto(d.base + "/manager")
    b.evaluate(
        "sessionStorage.clear(); document.getElementById('token').value = 'manager-token-1';"
        "document.getElementById('token-login').requestSubmit()"
    )
    assert wait_until(lambda: b.evaluate("document.body.dataset.loaded || ''") != "", 15)


def reload_figures(b: Browser) -> None:
    """Press 查询 and wait until the page has loaded again."""
    b.evaluate("document.body.dataset.loaded = ''; document.getElementById('refresh').click()")
    assert wait_until(lambda: b.evaluate("document.body.dataset.loaded || ''") != "", 15)


def test_page_says_what_it_could_not_load(daemon: Daemon, browser) -> None:
    login(browser, daemon)
    assert browser.evaluate("document.getElementById('load-error').hidden") is True
    # An endpoint error: a range longer than the API allows is refused with 422.
    browser.evaluate("document.getElementById('from').value = '2001-01-01'")
    reload_figures(browser)
    assert browser.evaluate("document.getElementById('load-error').hidden") is False
    box = text(browser, "load-error")
    assert "未能加载" in box and "could not be loaded" in box
    assert "区间统计" in box and "HTTP 422" in box and "统计区间" in box, box
    assert text(browser, "served") == "未加载" and text(browser, "waiting") != "未加载"
    # The daemon stops: every figure is named as not loaded, none is a silent dash.
    browser.evaluate(f"document.getElementById('from').value = '{daemon_day(daemon)}'")
    reload_figures(browser)
    assert browser.evaluate("document.getElementById('load-error').hidden") is True
    daemon.stop()
    reload_figures(browser)
    box = text(browser, "load-error")
    assert "今日概况" in box and "考勤" in box and "连不上大厅服务" in box, box
    tiles = browser.evaluate("[...document.querySelectorAll('.tiles b')].map((b) => b.textContent)")
    assert set(tiles) == {"未加载"}, tiles


def daemon_day(d: Daemon) -> str:
    return d.api("manager-token-1").get("/statistics/overview").json()["day"]


def test_bad_ratings_show_reasons_and_names_and_use_chinese_forms(daemon: Daemon, browser) -> None:
    staff = daemon.staff("S002", 2)
    done = serve(daemon, staff, 2, n=1)
    rate(daemon, done[0]["id"], 1, tags=["服务态度不好", "等候时间长"], comment="窗口没人")
    manager = daemon.api("manager-token-1")
    case_id = manager.get("/rectifications").json()[0]["id"]
    login(browser, daemon)
    browser.evaluate("window.prompts = 0; window.prompt = window.confirm = () => { prompts++; }")
    row = f"document.querySelector('#bad tr[data-case=\"{case_id}\"]')"
    cells = browser.evaluate(f"[...{row}.cells].map((c) => c.textContent)")
    assert cells[1] == "2号窗口" and cells[2] == "员工2" and cells[3] == "非常不满意", cells
    assert "服务态度不好" in cells[4] and "等候时间长" in cells[4] and "窗口没人" in cells[4]
    assert "S002" not in text(browser, "bad")

    def act(step: str, choice: str, note: str) -> list[str]:
        """Press the row's button for ``step``, pick the choice labelled ``choice``, submit."""
        browser.evaluate(f"{row}.querySelector('button[data-step={step}]').click()")
        assert browser.evaluate("document.getElementById('act').open") is True
        labels = browser.evaluate(
            "[...document.querySelectorAll('#act-choices label')].map((l) => l.textContent)"
        )
        pick = next(i for i, label in enumerate(labels) if label.startswith(choice))
        browser.evaluate(
            f"document.querySelectorAll('#act-choices input')[{pick}].click();"
            f"document.getElementById('act-note').value = '{note}';"
            "document.body.dataset.loaded = '';"
            "document.getElementById('act-form').requestSubmit()"
        )
        assert wait_until(lambda: browser.evaluate("document.body.dataset.loaded || ''") != "", 10)
        assert browser.evaluate("document.getElementById('act').open") is False
        return labels

    act("verify", "复杂问题", "已电话联系")
    assert manager.get(f"/rectifications/{case_id}").json()["complexity"] == "complex"
    act("fix", "已向群众解释说明", "已解释")
    labels = act("callback", "联系不上", "三次未接")
    assert labels == ["满意", "基本满意", "不满意", "联系不上"]
    case = manager.get(f"/rectifications/{case_id}").json()
    assert case["state"] == "closed" and case["callback_answer"] == "unreachable"
    assert browser.evaluate("window.prompts") == 0
    assert wait_until(lambda: "已办结" in browser.evaluate(f"{row}.cells[5].textContent"), 10)


def test_an_appeal_is_a_form_and_the_attendance_table_gives_reasons(daemon: Daemon, browser):
    staff = daemon.staff("S002", 2)
    done = serve(daemon, staff, 2, n=1)
    rated = rate(daemon, done[0]["id"], 2)
    manager = daemon.api("manager-token-1")
    day = daemon_day(daemon)
    assert manager.post("/attendance/leave", {"staff_id": "S003", "date": day, "note": "病假"}).ok
    login(browser, daemon)
    case_id = manager.get("/rectifications").json()[0]["id"]
    row = f"document.querySelector('#bad tr[data-case=\"{case_id}\"]')"
    assert "（未填写原因）" in browser.evaluate(f"{row}.cells[4].textContent")
    browser.evaluate(f"{row}.querySelector('button[data-step=appeal]').click()")
    browser.evaluate("document.getElementById('act-form').requestSubmit()")  # no reason yet
    assert "复核理由" in text(browser, "act-error")
    browser.evaluate(
        "document.getElementById('act-note').value = '评价器误按';"
        "document.getElementById('act-form').requestSubmit()"
    )
    assert wait_until(lambda: "复核撤销" in browser.evaluate(f"{row}.cells[5].textContent"), 10)
    appeals = [r for r in manager.get("/evaluations").json() if r["id"] == rated["id"]]
    assert appeals[0]["appeal"]["decision"] == "upheld"
    assert appeals[0]["appeal"]["reason"] == "评价器误按"

    daily = manager.get("/attendance/daily", params={"date": day}).json()
    by_id = {p["staff_id"]: p for p in daily["staff"]}
    rows = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#attendance tbody tr')]"
        ".map((tr) => [tr.dataset.staff, [...tr.cells].map((c) => c.textContent)]))"
    )
    assert set(rows) == set(by_id)
    # (The test hall is closed today: the leave is listed on a day off.)
    assert rows["S003"][0] == "员工3" and by_id["S003"]["leave"] == "病假"
    assert rows["S003"][3] == {"leave": "请假", "day_off": "休息日"}[by_id["S003"]["status"]]
    assert "请假：病假" in rows["S003"][4]
    assert rows["S002"][2] == "未签退"
    assert "分钟" in text(browser, "attendance-rule")
    names = {"normal": "正常", "late": "迟到", "absent": "旷工", "day_off": "休息日"}
    for sid, p in by_id.items():
        if p["status"] in names:
            assert rows[sid][3] == names[p["status"]], (sid, p, rows[sid])
        if p["status"] == "absent" and p["checkin"] is None:
            assert rows[sid][4].startswith("未签到"), rows[sid]


def test_page_fits_a_phone_with_a_legend_and_self_service_figures(daemon: Daemon, browser):
    staff = daemon.staff("S002", 2)
    for level, ticket in zip((5, 4, 1), serve(daemon, staff, 2, n=3), strict=True):
        rate(daemon, ticket["id"], level)
    login(browser, daemon, width=390)
    assert browser.evaluate("document.getElementById('load-error').hidden") is True
    legend = browser.evaluate(
        "[...document.querySelectorAll('#ratings-legend li')].map((l) => l.textContent)"
    )
    assert legend == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    for tile in ("self-received", "self-finished", "self-overdue", "bad-overdue"):
        assert re.fullmatch(r"\d+", text(browser, tile)), (tile, text(browser, tile))
    doc = browser.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert doc[0] <= doc[1] == 390, doc
    spill = browser.evaluate(
        "[...document.querySelectorAll('.tiles div, .tiles b, .tiles small')]"
        ".filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent)"
    )
    assert spill == []
    boxes = browser.evaluate(
        "[...document.querySelectorAll('.tiles div')].map((d) => {"
        " const o = d.getBoundingClientRect();"
        " return [...d.children].every((c) => { const r = c.getBoundingClientRect();"
        "  return r.left >= o.left && r.right <= o.right && r.bottom <= o.bottom; }); })"
    )
    assert boxes and all(boxes)


def test_the_attendance_table_fits_a_narrow_phone(daemon: Daemon, browser) -> None:
    """At 320 px: each row of the attendance table within the screen, short cells on one line."""
    serve(daemon, daemon.staff("S002", 2), 2, n=1)  # signed in, not out: 未签退
    manager = daemon.api("manager-token-1")
    note = "病假，医院开具证明，明天上午返岗"
    assert manager.post(
        "/attendance/leave", {"staff_id": "S003", "date": daemon_day(daemon), "note": note}
    ).ok
    login(browser, daemon, width=320)
    assert wait_until(
        lambda: browser.evaluate("document.querySelectorAll('#attendance tbody tr').length") > 1, 10
    )
    doc = browser.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert doc[0] <= doc[1] == 320, doc
    cells = browser.evaluate(
        "[...document.querySelectorAll('#attendance tbody td')].map((td) => {"
        " const r = td.getBoundingClientRect(), range = document.createRange();"
        " range.selectNodeContents(td);"
        " const lines = new Set([...range.getClientRects()].map((q) => Math.round(q.top))).size;"
        " return [td.textContent, td.cellIndex, lines, Math.round(r.left), Math.round(r.right)]; })"
    )
    assert any(c[0] == "未签退" for c in cells), cells
    for text_, column, lines, left, right in cells:
        assert 0 <= left and right <= 320, (text_, left, right)  # no scrolling to read it
        if column < 4:  # name, sign-in, sign-out, result: one line each
            assert lines == 1, (text_, lines)
    assert any(note in c[0] for c in cells)


def test_export_buttons_download_the_files(daemon: Daemon, browser, tmp_path) -> None:
    serve(daemon, daemon.staff("S002", 2), 2, n=1)
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder))
    login(browser, daemon)
    for fmt in ("csv", "xlsx"):
        browser.evaluate(f"document.getElementById('export-{fmt}').click()")
        assert wait_until(lambda f=fmt: any(p.suffix == f".{f}" for p in folder.iterdir()), 15)
    csv = next(folder.glob("*.csv")).read_text(encoding="utf-8-sig")
    assert daemon_day(daemon) in csv
    assert next(folder.glob("*.xlsx")).read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("who", ["kiosk-token-1", "display-token-1", "staff"])
def test_the_overview_with_names_and_comments_is_for_managers_only(daemon: Daemon, who) -> None:
    client = daemon.staff("S001", 1) if who == "staff" else daemon.api(who)
    assert client.get("/statistics/overview").status_code == 403
    body = daemon.api("manager-token-1").get("/statistics/overview").json()
    assert {"id": "S001", "name": "员工1", "windows": [1]} in body["staff"]
