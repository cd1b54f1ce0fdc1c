"""The case register over real HTTP: the issue's 承诺件 followed to pickup on the 2026 calendar.

Dates are worked out by hand on the 2026 tables (hall/data/holidays/2026.yaml):
中秋 09-25 (Fri), National Day 10-01..10-07 off; 09-20 (Sun) and 10-10 (Sat) are
make-up working days. The day of receipt is not counted; yellow_days is 2.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.queue.cases.case_helpers import (
    APPLICANT_ID,
    OTHER_ID,
    case_body,
    move_to,
    register_config,
    served_ticket,
)
from tests.support import Daemon

D = dt.date


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(register_config())


def receipts(api, **params) -> list[str]:
    r = api.get("/cases", params=params)
    assert r.status_code == 200, r.text
    return [c["receipt"] for c in r.json()["cases"]]


def test_a_promised_case_from_the_counter_to_pickup(hall: Daemon) -> None:
    # Mon 09-14: opened and accepted. 5 working days after it: 15, 16, 17, 18 (Tue-Fri),
    # then Sun 09-20, a make-up working day: promised 2026-09-20. 黄牌 from Thu 09-17
    # (two working days left: 18 and 20).
    move_to(hall, D(2026, 9, 14))
    clerk = hall.staff("S001", 1)
    ticket = served_ticket(hall, clerk, 1)
    r = clerk.post("/cases", case_body(ticket["id"]))
    assert r.status_code == 201, r.text
    opened = r.json()
    receipt = opened["receipt"]
    assert receipt.startswith("ZZ0020260914") and len(receipt) == 16
    assert opened["status"] == "received" and opened["notice"] == "promise"
    assert opened["promised_date"] == "2026-09-20"
    assert opened["follow_url"].endswith(f"receipt={receipt}&k={opened['rating_key']}")
    assert opened["case"]["follow_url"] == opened["follow_url"]
    case = opened["case"]
    assert case["applicant"]["id_number"] == APPLICANT_ID  # the department's clerk: in full
    assert case["kind"] == "承诺件" and case["department"] == "scjg" and case["limit_days"] == 5
    assert case["clock"]["used"] == 0 and case["clock"]["left"] == 5
    assert clerk.get(f"/cases/{receipt}").json().get("follow_url") is None  # POST answer only
    accepted = clerk.post(f"/cases/{receipt}/accept", {}).json()
    assert accepted["status"] == "accepted" and accepted["clock"]["promised_date"] == "2026-09-20"

    # Wed 09-16: returned for 补正, every missing item at once: the clock stops.
    move_to(hall, D(2026, 9, 16))
    clerk = hall.staff("S001", 1)
    r = clerk.post(f"/cases/{receipt}/return", {"note": "缺材料"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["missing"]
    back = clerk.post(
        f"/cases/{receipt}/return", {"missing": ["营业执照副本", "平面图"], "note": "请补齐"}
    ).json()
    assert back["status"] == "returned" and back["notice"] == "correction"
    assert back["missing"] == ["营业执照副本", "平面图"]
    assert back["clock"]["state"] == "waiting" and back["clock"]["promised_date"] is None
    assert back["clock"]["since"] == "2026-09-16" and "补正" in back["clock"]["why"]["zh"]

    # Tue 09-29, long past the old promised date: never red while it waits on the citizen.
    move_to(hall, D(2026, 9, 29))
    clerk = hall.staff("S001", 1)
    assert receipt not in receipts(clerk, due="red")
    assert receipt not in receipts(clerk, due="yellow")
    assert receipt in receipts(clerk, due="open", department="scjg")
    waiting = clerk.get(f"/cases/{receipt}").json()
    assert waiting["clock"]["warning"] is None and waiting["clock"]["state"] == "waiting"
    # Supplied today: the limit counts afresh from the next working day: Wed 09-30 (1),
    # 10-01..07 off, Thu 10-08 (2), Fri 10-09 (3), Sat 10-10 make-up (4), Mon 10-12 (5).
    supplied = clerk.post(f"/cases/{receipt}/supply", {"note": "已补齐"}).json()
    assert supplied["status"] == "received" and supplied["missing"] == []
    assert supplied["clock"]["promised_date"] == "2026-10-12"
    again = clerk.post(f"/cases/{receipt}/accept", {})  # the old bug: never accepted again
    assert again.status_code == 200 and again.json()["status"] == "accepted"

    # Thu 10-08: extended by 3 working days (把关权: the chief only): Tue 10-13 (6),
    # Wed 10-14 (7), Thu 10-15 (8).
    move_to(hall, D(2026, 10, 8))
    member = hall.staff("SB", 2)  # a member (B岗, at a window of no department): no 把关权
    r = member.post(f"/cases/{receipt}/extend", {"days": 3, "reason": "需现场核查"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "gatekeeping"
    chief = hall.staff("S001", 1)
    r = chief.post(f"/cases/{receipt}/extend", {"days": 3})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["reason"]
    extended = chief.post(f"/cases/{receipt}/extend", {"days": 3, "reason": "需现场核查"}).json()
    assert extended["notice"] == "extension"
    assert extended["extension"] == {"days": 3, "reason": "需现场核查"}
    assert extended["clock"]["promised_date"] == "2026-10-15"
    assert extended["clock"]["limit"] == 8 and extended["clock"]["extended"] == 3
    other = hall.staff("S003", 3)  # 不动产's chief: not this department's case
    r = other.get(f"/cases/{receipt}")
    assert r.status_code == 403 and "市场监督管理局" in r.json()["error"]["message"]
    assert other.post(f"/cases/{receipt}/finish", {}).status_code == 403
    assert receipt not in receipts(other)

    # Tue 10-13: 6 of 8 days used (09-30, 10-08, 10-09, 10-10, 10-12, 10-13): 黄牌.
    move_to(hall, D(2026, 10, 13))
    clerk = hall.staff("S001", 1)
    assert receipt in receipts(clerk, due="yellow") and receipt not in receipts(clerk, due="red")
    view = clerk.get(f"/cases/{receipt}").json()
    assert (view["clock"]["used"], view["clock"]["left"], view["clock"]["warning"]) == (
        6,
        2,
        "yellow",
    )

    # Wed 10-14: finished with 7 of 8 days used (on time), ready for pickup.
    move_to(hall, D(2026, 10, 14))
    clerk = hall.staff("S001", 1)
    done = clerk.post(f"/cases/{receipt}/finish", {}).json()
    assert done["status"] == "finished" and done["clock"]["state"] == "finished"
    assert done["clock"]["used"] == 7 and done["clock"]["promised_date"] == "2026-10-15"
    ready = clerk.post(f"/cases/{receipt}/ready", {}).json()
    assert ready["status"] == "ready" and ready["notice"] == "pickup"
    assert receipt not in receipts(clerk, due="open")

    # Thu 10-15: picked up at the window against the ID card.
    move_to(hall, D(2026, 10, 15))
    clerk = hall.staff("S001", 1)
    r = clerk.post(f"/cases/{receipt}/deliver", {"by": "window", "id_number": OTHER_ID})
    assert r.status_code == 422 and r.json()["error"]["code"] == "id_mismatch"
    r = clerk.post(f"/cases/{receipt}/deliver", {"by": "window", "id_number": APPLICANT_ID})
    assert r.status_code == 200, r.text
    final = r.json()
    assert final["status"] == "delivered" and final["delivery"] == {
        "by": "window",
        "tracking": None,
    }
    assert [h["action"] for h in final["history"]] == [
        "open",
        "accept",
        "return",
        "supply",
        "accept",
        "extend",
        "finish",
        "ready",
        "deliver",
    ]
    assert [h["day"] for h in final["history"]][5:] == [
        "2026-10-08",
        "2026-10-14",
        "2026-10-14",
        "2026-10-15",
    ]
    assert final["history"][5]["actor"] == "S001" and final["history"][5]["department"] == "scjg"
    assert final["counts"] == {"extensions": 1, "suspensions": 0, "returns": 1}
    assert APPLICANT_ID not in str(final["history"])  # the ID checked is never recorded


def test_a_suspended_case_keeps_its_clock_stopped(hall: Daemon) -> None:
    # Opened and accepted Mon 09-14 (promised 09-20, as above); suspended Tue 09-15 for
    # 专家评审: the day a stop begins counts (1 day used), then nothing while it lasts.
    move_to(hall, D(2026, 9, 14))
    clerk = hall.staff("S001", 1)
    receipt = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()["receipt"]
    clerk.post(f"/cases/{receipt}/accept", {})
    move_to(hall, D(2026, 9, 15))
    clerk = hall.staff("S001", 1)
    r = clerk.post(f"/cases/{receipt}/suspend", {})
    assert r.status_code == 422
    stopped = clerk.post(f"/cases/{receipt}/suspend", {"reason": "专家评审"}).json()
    assert stopped["status"] == "suspended" and stopped["clock"]["state"] == "suspended"
    assert clerk.post(f"/cases/{receipt}/finish", {}).status_code == 409
    move_to(hall, D(2026, 9, 29))
    clerk = hall.staff("S001", 1)
    view = clerk.get(f"/cases/{receipt}").json()
    assert (view["clock"]["used"], view["clock"]["promised_date"]) == (1, None)
    assert view["clock"]["warning"] is None and "expert review" in view["clock"]["why"]["en"]
    assert receipt not in receipts(clerk, due="red")
    # Resumed Tue 09-29 with 4 days left: Wed 09-30 (1), Thu 10-08 (2), Fri 10-09 (3),
    # Sat 10-10, a make-up working day (4).
    resumed = clerk.post(f"/cases/{receipt}/resume", {}).json()
    assert resumed["status"] == "accepted" and resumed["clock"]["promised_date"] == "2026-10-10"
    assert resumed["counts"]["suspensions"] == 1


def test_a_case_promised_into_a_year_without_holidays_is_provisional(hall: Daemon) -> None:
    # Mon 2026-12-28, 5 working days: 12-29, 12-30, 12-31 (3), then 2027, which has no
    # holiday table yet, counted Monday to Friday: Fri 01-01 (4), Mon 01-04 (5).
    move_to(hall, D(2026, 12, 28))
    clerk = hall.staff("S001", 1)
    opened = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()
    assert opened["promised_date"] == "2027-01-04"
    assert opened["case"]["clock"]["provisional"] is True
    assert "尚未公布" in clerk.get(f"/cases/{opened['receipt']}/notices/promise").text
