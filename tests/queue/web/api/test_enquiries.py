"""The 首问 register over real HTTP: a clerk logs what they were asked, managers read it all.

The clock's day is Tue 2026-06-02 (tests/support/config.py CLOCK_START, 10:00 hall time).
Window 3 belongs to 不动产登记中心 (bdc: BDC-BF-001, BDC-ZY-001) in the register's test
hall (tests/queue/cases/case_helpers.py); S003 signs in there, S004 at window 4.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from tests.queue.cases.case_helpers import register_config
from tests.support import Daemon

PHONE = "13812345678"


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(register_config())


def phone_call(**kw) -> dict:
    body = {
        "channel": "phone",
        "topic": "房屋过户要带什么材料",
        "matter": "BDC-ZY-001",
        "answer": "recorded",
        "contact": {"name": "李四", "phone": PHONE},
        "note": "下午回电",
    }
    return {**body, **kw}


def test_a_clerk_logs_an_enquiry_as_themselves_and_the_contact_is_sealed(hall: Daemon) -> None:
    clerk = hall.staff("S003", 3)
    # Who and where come from the session: a body naming a clerk is refused.
    r = clerk.post("/enquiries", {**phone_call(), "staff_id": "S004"})
    assert r.status_code == 422, r.text
    r = clerk.post("/enquiries", phone_call())
    assert r.status_code == 201, r.text
    row = r.json()
    assert (row["staff_id"], row["window"], row["day"]) == ("S003", 3, "2026-06-02")
    assert row["contact"] == {"name": "李四", "phone": PHONE}
    with contextlib.closing(
        sqlite3.connect(f"file:{hall.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    ) as db:
        (stored,) = db.execute(
            "SELECT contact FROM enquiries WHERE id = ?", (row["id"],)
        ).fetchone()
    assert stored.startswith("sealed:")
    assert PHONE not in stored and "李四" not in stored


def test_refusals_in_both_languages(hall: Daemon) -> None:
    clerk = hall.staff("S003", 3)
    r = clerk.post("/enquiries", phone_call(answer="referred"))
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == ["referred_to"]
    r = clerk.post("/enquiries", phone_call(matter="NO-SUCH-1"))
    error = r.json()["error"]
    assert r.status_code == 422 and error["code"] == "unknown_matter"
    assert "NO-SUCH-1" in error["message"] and "NO-SUCH-1" in error["message_en"]
    assert clerk.post("/enquiries", phone_call(channel="fax")).status_code == 422
    assert clerk.post("/enquiries", phone_call(topic="x" * 201)).status_code == 422
    r = clerk.post("/enquiries", phone_call(contact={"phone": "not a phone"}))
    assert r.status_code == 422


def test_a_clerk_lists_their_own_managers_everyone_and_reads_are_recorded(hall: Daemon) -> None:
    mine, other = hall.staff("S003", 3), hall.staff("S004", 4)
    manager = hall.api("manager-token-1")
    a = mine.post("/enquiries", phone_call()).json()
    b = other.post(
        "/enquiries",
        {
            "channel": "in_person",
            "topic": "在哪取号",
            "answer": "guided",
            "contact": {"phone": "13900001111"},
        },
    ).json()
    c = manager.post(
        "/enquiries",
        {"channel": "other", "topic": "来信咨询", "answer": "referred", "referred_to": "bdc"},
    ).json()
    assert c["staff_id"] == "manager:mgr-t" and c["window"] is None

    listed = mine.get("/enquiries").json()
    assert listed["day"] == "2026-06-02"
    assert [e["id"] for e in listed["enquiries"]] == [a["id"]]
    assert mine.get("/enquiries", params={"staff": "S004"}).status_code == 403
    assert [
        e["id"] for e in mine.get("/enquiries", params={"staff": "S003"}).json()["enquiries"]
    ] == [a["id"]]

    everyone = manager.get("/enquiries", params={"day": "2026-06-02"}).json()["enquiries"]
    assert [e["id"] for e in everyone] == [a["id"], b["id"], c["id"]]
    assert everyone[1]["contact"] == {"phone": "13900001111"} and everyone[2]["contact"] is None
    only_b = manager.get("/enquiries", params={"staff": "S004"}).json()["enquiries"]
    assert [e["id"] for e in only_b] == [b["id"]]
    assert manager.get("/enquiries", params={"day": "2026-06-01"}).json()["enquiries"] == []

    bare = manager.get("/enquiries", params={"contact": "false"}).json()["enquiries"]
    assert [(e["contact"], e["has_contact"]) for e in bare] == [
        (None, True),
        (None, True),
        (None, False),
    ]

    reads = manager.get("/personal-data/reads").json()["reads"]
    seen = sorted((r["actor"], r["case"]) for r in reads if r["case"].startswith("enquiry:"))
    # S003 read their own once (twice listed); the manager a and b, then b again.
    assert seen == sorted(
        [("staff:S003", f"enquiry:{a['id']}")] * 2
        + [("manager:mgr-t", f"enquiry:{a['id']}"), ("manager:mgr-t", f"enquiry:{b['id']}")]
        + [("manager:mgr-t", f"enquiry:{b['id']}")]
    )


def test_counts_per_clerk_and_matter_for_managers(hall: Daemon) -> None:
    mine, other = hall.staff("S003", 3), hall.staff("S004", 4)
    for matter in ("BDC-ZY-001", "BDC-ZY-001", "BDC-BF-001"):
        mine.post("/enquiries", phone_call(matter=matter))
    other.post("/enquiries", {"channel": "in_person", "topic": "在哪取号", "answer": "guided"})
    manager = hall.api("manager-token-1")
    counts = manager.get("/enquiries/counts", params={"start": "2026-06-01", "end": "2026-06-30"})
    assert counts.status_code == 200, counts.text
    got = counts.json()
    # S003: 3 (2 of BDC-ZY-001, 1 of BDC-BF-001); S004: 1 without a matter.
    assert got["total"] == 4
    assert got["by_staff"] == {"S003": 3, "S004": 1}
    assert got["by_matter"] == {"": 1, "BDC-BF-001": 1, "BDC-ZY-001": 2}
    assert {"staff_id": "S003", "matter": "BDC-ZY-001", "count": 2} in got["by_staff_matter"]
    assert got["by_answer"] == {"guided": 1, "recorded": 3}
    none = manager.get("/enquiries/counts", params={"start": "2026-06-03", "end": "2026-06-30"})
    assert none.json()["total"] == 0 and none.json()["by_staff"] == {}
    assert (
        mine.get(
            "/enquiries/counts", params={"start": "2026-06-01", "end": "2026-06-30"}
        ).status_code
        == 403
    )


def test_the_form_offers_the_windows_departments_matters(hall: Daemon) -> None:
    form = hall.staff("S003", 3).get("/enquiries/form").json()
    assert form["department"] == "bdc"
    assert [m["code"] for m in form["matters"]] == ["BDC-BF-001", "BDC-ZY-001"]
    assert all(m["name"]["zh"] and m["name"]["en"] for m in form["matters"])
    assert {"zh": "办事材料", "en": "Materials needed"} in form["topics"]
    assert [d["code"] for d in form["departments"]] == ["scjg", "bdc"]
    # Window 2 belongs to no department: no matters offered, the topics still are.
    assert hall.staff("S002", 2).get("/enquiries/form").json()["matters"] == []


@pytest.mark.parametrize("token", ["kiosk-token-1", "display-token-1"])
def test_kiosks_and_displays_get_403(hall: Daemon, token: str) -> None:
    api = hall.api(token)
    assert api.post("/enquiries", phone_call()).status_code == 403
    assert api.get("/enquiries").status_code == 403
    assert api.get("/enquiries/form").status_code == 403
    r = api.get("/enquiries/counts", params={"start": "2026-06-01", "end": "2026-06-30"})
    assert r.status_code == 403
