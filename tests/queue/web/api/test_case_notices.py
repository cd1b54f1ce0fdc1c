"""A case's notices over real HTTP: JSON and the A4 page, who may have them, 409 when they do not apply.

Dates worked out by hand on the 2026 tables (hall/data/holidays/2026.yaml): National
Day 10-01..10-07 off, Saturday 10-10 a make-up working day; the day of receipt is not
counted. 食品经营许可 (SJ-SP-001, 市场监督管理局 scjg: window 1, chief S001 员工1)
promises 5 working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hall.queue.web.pages.case_notice import CSP
from tests.queue.cases.case_helpers import case_body, move_to, register_config, served_ticket
from tests.support import Daemon

D = dt.date


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(register_config())


def opened_case(hall: Daemon) -> tuple[dict, object]:
    """A 承诺件 opened at window 1 on Tue 2026-09-29 by the chief S001; the POST answer."""
    move_to(hall, D(2026, 9, 29))
    clerk = hall.staff("S001", 1)
    ticket = served_ticket(hall, clerk, 1)
    r = clerk.post("/cases", case_body(ticket["id"]))
    assert r.status_code == 201, r.text
    return r.json(), clerk


def rows(notice: dict) -> dict[str, str]:
    return {r["label"]["zh"]: r["value"]["zh"] for r in notice["rows"]}


def test_promise_notice_as_json_and_as_the_a4_page(hall: Daemon) -> None:
    opened, clerk = opened_case(hall)
    receipt = opened["receipt"]
    assert opened["notice"] == "promise"
    r = clerk.get(f"/cases/{receipt}/notices/promise")
    assert r.status_code == 200, r.text
    notice = r.json()
    got = rows(notice)
    # Received Tue 09-29: 09-30 (1), 10-08 (2), 10-09 (3), Sat 10-10 (4), Mon 10-12 (5).
    assert got["承诺办结日期"] == "2026年10月12日"
    assert got["承诺时限"] == "5个工作日"
    assert got["回执编号"] == receipt and got["申请人"] == "王小明"
    assert got["身份证号"].startswith("110105********")
    assert notice["issued"] == "2026-09-29"
    # A reprint: the plain 办件查询 link; with the case's key, the link printed at opening.
    assert notice["qr"].endswith(f"receipt={receipt}")
    keyed = clerk.get(f"/cases/{receipt}/notices/promise", params={"k": opened["rating_key"]})
    assert keyed.status_code == 200 and keyed.json()["qr"] == opened["follow_url"]
    wrong = clerk.get(f"/cases/{receipt}/notices/promise", params={"k": "x" * 22})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "bad_rating_key"

    page = clerk.get(f"/cases/{receipt}/notices/promise.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["cache-control"] == "no-store"
    assert "承诺通知书" in page.text and "2026年10月12日" in page.text

    reads = hall.api("manager-token-1").get("/personal-data/reads", params={"case": receipt})
    assert reads.status_code == 200, reads.text
    whats = [row["what"] for row in reads.json()["reads"]]
    assert whats.count("case.notice.promise") == 3  # JSON, keyed JSON, page (not the wrong key)
    assert clerk.get(f"/cases/{receipt}/notices/refusal").status_code == 409
    again = hall.api("manager-token-1").get("/personal-data/reads", params={"case": receipt})
    assert "case.notice.refusal" not in [row["what"] for row in again.json()["reads"]]


def test_correction_then_extension_notices_follow_the_case(hall: Daemon) -> None:
    opened, clerk = opened_case(hall)
    receipt = opened["receipt"]
    r = clerk.get(f"/cases/{receipt}/notices/correction")
    assert r.status_code == 409 and r.json()["error"]["code"] == "notice_not_applicable"
    missing = ["经营场所平面图", "食品安全管理制度"]
    back = clerk.post(f"/cases/{receipt}/return", {"missing": missing, "note": "请补齐"})
    assert back.status_code == 200, back.text
    notice = clerk.get(f"/cases/{receipt}/notices/correction").json()
    assert [r["value"]["zh"] for r in notice["rows"] if r["label"]["zh"].startswith("补正")] == (
        missing
    )
    # While it waits there is no promised date: no 承诺通知书.
    assert clerk.get(f"/cases/{receipt}/notices/promise").status_code == 409

    # Thu 10-08: supplied; counted afresh from 10-09: 10-09 (1), Sat 10-10 (2), 10-12 (3),
    # 10-13 (4), 10-14 (5). Fri 10-09: the chief extends by 2: 10-15, 10-16.
    move_to(hall, D(2026, 10, 8))
    clerk = hall.staff("S001", 1)
    assert clerk.post(f"/cases/{receipt}/supply", {"note": "已补齐"}).status_code == 200
    assert clerk.post(f"/cases/{receipt}/accept", {}).status_code == 200
    promise = clerk.get(f"/cases/{receipt}/notices/promise").json()
    assert rows(promise)["承诺办结日期"] == "2026年10月14日" and promise["issued"] == "2026-10-08"
    assert clerk.get(f"/cases/{receipt}/notices/extension").status_code == 409
    move_to(hall, D(2026, 10, 9))
    clerk = hall.staff("S001", 1)
    r = clerk.post(f"/cases/{receipt}/extend", {"days": 2, "reason": "需现场核查"})
    assert r.status_code == 200, r.text
    extension = clerk.get(f"/cases/{receipt}/notices/extension").json()
    got = rows(extension)
    assert got["延长时限"] == "2个工作日" and got["延期原因"] == "需现场核查"
    assert got["延期后承诺办结日期"] == "2026年10月16日"
    assert got["批准人"] == "首席代表 员工1"
    assert extension["issued"] == "2026-10-09"


def test_who_may_have_a_notice(hall: Daemon) -> None:
    opened, _clerk = opened_case(hall)
    receipt = opened["receipt"]
    paths = [f"/cases/{receipt}/notices/promise", f"/cases/{receipt}/notices/promise.html"]
    other_department = hall.staff("S003", 3)  # 不动产 (bdc)
    for path in paths:
        for api in (hall.api("kiosk-token-1"), hall.api("display-token-1"), other_department):
            r = api.get(path)
            assert r.status_code == 403, (path, r.text)
        assert hall.api("manager-token-1").get(path).status_code == 200
        assert hall.api(None).get(path).status_code == 401
    member = hall.staff("SB", 2)  # B岗 member of scjg, at a window of no department
    assert member.get(paths[0]).status_code == 200
    assert hall.api("manager-token-1").get(f"/cases/{receipt}/notices/receipt").status_code == 422
    assert hall.api("manager-token-1").get("/cases/ZZ0099/notices/promise").status_code == 404


def test_refusal_and_pickup_notices_from_the_register(hall: Daemon) -> None:
    opened, clerk = opened_case(hall)
    receipt = opened["receipt"]
    basis = "《食品经营许可管理办法》第十二条"
    r = clerk.post(f"/cases/{receipt}/reject", {"reason": "经营场所不符合要求", "basis": basis})
    assert r.status_code == 200, r.text
    refusal = clerk.get(f"/cases/{receipt}/notices/refusal").json()
    got = rows(refusal)
    assert got["不予受理理由"] == "经营场所不符合要求" and got["法律依据"] == basis
    assert got["决定人"] == "首席代表 员工1"
    assert any("行政复议" in p["zh"] and "行政诉讼" in p["zh"] for p in refusal["paragraphs"])
    assert clerk.get(f"/cases/{receipt}/notices/promise").status_code == 409

    ticket = served_ticket(hall, clerk, 1)
    second = clerk.post("/cases", case_body(ticket["id"])).json()["receipt"]
    assert clerk.get(f"/cases/{second}/notices/pickup").status_code == 409
    for action in ("accept", "finish", "ready"):
        assert clerk.post(f"/cases/{second}/{action}", {}).status_code == 200, action
    ready = clerk.get(f"/cases/{second}/notices/pickup").json()
    assert any("身份证" in p["zh"] for p in ready["paragraphs"])
    posted = clerk.post(f"/cases/{second}/deliver", {"by": "post", "tracking": "SF0012345678"})
    assert posted.status_code == 200, posted.text
    assert rows(clerk.get(f"/cases/{second}/notices/pickup").json())["快递单号"] == "SF0012345678"
