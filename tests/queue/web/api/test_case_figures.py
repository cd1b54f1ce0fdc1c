"""The register's figures, digest and 回访 over HTTP: a real daemon on a store filled by hand.

The test hall's clock is Tuesday 2026-06-02, and the hall is closed that day and the
next (tests/support/config.py ``closed_dates``): working days are counted on the
hall's own calendar, so 06-02 and 06-03 are not working days here.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable

import openpyxl
import pytest
from sqlalchemy import create_engine

from hall.queue.cases import callbacks
from hall.queue.core.writer import Tx
from tests.queue.cases.case_helpers import case_body, move_to, register_config, served_ticket
from tests.queue.cases.case_rows import store_with_cases
from tests.queue.stats.test_case_figures import DATASET
from tests.support import Daemon, hall_config

DEPARTMENTS = [
    {
        "code": "bdc",
        "name_zh": "不动产登记中心",
        "name_en": "Real Estate Registration",
        "matters": ["BDC-BF-001", "BDC-ZY-001"],
        "windows": [3, 4],
        "chief": "S004",
        "deputy": "S003",
    },
    {
        "code": "scjg",
        "name_zh": "市场监督管理局",
        "name_en": "Market Regulation",
        "matters": ["SJ-DJ-001", "SJ-SP-001"],
        "windows": [1, 2],
        "chief": "S001",
        "members": ["S002"],
    },
]  # S005 belongs to no department
MAY = {"from": "2026-05-01", "to": "2026-05-31"}


@pytest.fixture
def hall(make_daemon: Callable[..., Daemon], tmp_path) -> Daemon:
    data = tmp_path / "d" / "data"
    store_with_cases(data, DATASET)
    engine = create_engine(f"sqlite:///{data / 'hall.sqlite3'}")
    with engine.connect() as conn, conn.begin():  # c1 and c5 drawn for 回访 at their finish
        for receipt, dept in (("c1", "bdc"), ("c5", "scjg")):
            callbacks.maybe_sample(Tx(conn, 0.0), receipt, dept, "2026-06-01", 1.0, random.Random())
    engine.dispose()
    return make_daemon(hall_config(departments=DEPARTMENTS), name="d")


def test_managers_get_the_figures_with_names_and_warnings(hall: Daemon) -> None:
    r = hall.api("manager-token-1").get("/stats/cases", params=MAY)
    assert r.status_code == 200, r.text
    found = r.json()
    hall_row = found["hall"]  # counted by hand in tests/queue/stats/test_case_figures.py
    assert (hall_row["received"], hall_row["finished"], hall_row["completion_rate"]) == (
        9,
        3,
        0.375,
    )
    bdc = next(d for d in found["department"] if d["group"] == "bdc")
    assert bdc["name"] == {"zh": "不动产登记中心", "en": "Real Estate Registration"}
    matter = next(m for m in found["matter"] if m["group"] == "SJ-DJ-001")
    assert matter["name"]["zh"] == "营业执照设立登记（三证合一）"  # hall/data/matters.yaml
    assert next(c for c in found["clerk"] if c["group"] == "S004")["name"]["zh"] == "员工4"
    assert found["definitions"]["completion_rate"].startswith("finished ÷ (received − rejected)")
    # On this hall's calendar (06-02, 06-03 closed): c3, promised 06-01, is red with no
    # working day over yet; c7, promised 06-04, has one working day left (06-04).
    assert [(c["receipt"], c["warning"], c["days_left"]) for c in found["warned"]] == [
        ("c3", "red", 0),
        ("c7", "yellow", 1),
    ]
    # The two kinds of 回访 apart: 2 drawn on 06-01 (outside May), no 差评 回访.
    assert found["callbacks"]["hall"]["sampled"] == 0 and found["bad_callbacks"] == {}
    june = hall.api("manager-token-1").get(
        "/stats/cases", params={"from": "2026-06-01", "to": "2026-06-30"}
    )
    assert june.json()["callbacks"]["hall"]["sampled"] == 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-05-31", "to": "2026-05-01"}, "bad_range"),
        ({"from": "2025-01-01", "to": "2026-05-01"}, "bad_range"),  # more than 400 days
        ({"from": "2026-02-30", "to": "2026-05-01"}, None),  # no such day
        ({"from": "0", "to": "2026-05-01"}, None),
        ({"to": "2026-05-01"}, None),
    ],
)
def test_bad_ranges_are_422(hall: Daemon, params: dict, code: str | None) -> None:
    r = hall.api("manager-token-1").get("/stats/cases", params=params)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["message"] and error["message_en"]
    if code:
        assert error["code"] == code


def test_other_roles_are_refused(hall: Daemon) -> None:
    clerk = hall.staff("S001", 1)  # the chief of scjg: still not a manager
    for client in (hall.api("kiosk-token-1"), hall.api("display-token-1"), clerk):
        assert client.get("/stats/cases", params=MAY).status_code == 403
        assert client.get("/callbacks").status_code == 403
        assert client.post("/callbacks/c1", {"result": "satisfied"}).status_code == 403
    for client in (hall.api("kiosk-token-1"), hall.api("display-token-1")):
        assert client.get("/cases/digest").status_code == 403
    assert hall.api(None).get("/cases/digest").status_code == 401
    # A clerk of no department has no digest.
    r = hall.staff("S005", 5).get("/cases/digest")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "no_department")


def test_the_digest_for_managers_and_for_a_clerk(hall: Daemon) -> None:
    everything = hall.api("manager-token-1").get("/cases/digest")
    assert everything.status_code == 200, everything.text
    found = everything.json()
    # Today 06-02; the last working day before it is Monday 06-01.
    assert (found["day"], found["since"]) == ("2026-06-02", "2026-06-01")
    parts = {p["department"]: p for p in found["departments"]}
    assert sorted(parts) == ["bdc", "scjg"]
    assert [c["receipt"] for c in parts["bdc"]["red"]] == ["c3"]
    assert (parts["bdc"]["finished"], parts["scjg"]["finished"]) == (1, 1)  # c1, c5
    mine = hall.staff("S002", 2).get("/cases/digest").json()  # a member of scjg
    assert [p["department"] for p in mine["departments"]] == ["scjg"]
    assert [c["receipt"] for c in mine["departments"][0]["yellow"]] == ["c7"]
    # Another day: Monday 06-08 reports Friday 06-05 (nothing finished), c3 still red.
    later = hall.api("manager-token-1").get("/cases/digest", params={"day": "2026-06-08"}).json()
    assert later["since"] == "2026-06-05"
    assert hall.api("manager-token-1").get("/cases/digest", params={"day": "x"}).status_code == 422


def test_callbacks_are_listed_and_recorded(hall: Daemon) -> None:
    manager = hall.api("manager-token-1")
    listed = manager.get("/callbacks").json()
    assert [c["receipt"] for c in listed["callbacks"]] == ["c1", "c5"] and listed["rate"] == 0.05
    r = manager.post("/callbacks/c1", {"result": "satisfied", "note": "很满意"})
    assert r.status_code == 200, r.text
    assert (r.json()["result"], r.json()["recorded_by"]) == ("satisfied", "manager:mgr-t")
    assert manager.post("/callbacks/c1", {"result": "unsatisfied"}).status_code == 409
    assert manager.post("/callbacks/c2", {"result": "satisfied"}).status_code == 404
    assert manager.post("/callbacks/c5", {"result": "maybe"}).status_code == 422
    assert manager.post("/callbacks/c5", {"result": "satisfied", "x": 1}).status_code == 422
    assert manager.get("/callbacks", params={"result": "closed"}).status_code == 422
    assert [c["receipt"] for c in manager.get("/callbacks").json()["callbacks"]] == ["c5"]
    every = manager.get("/callbacks", params={"result": "all"}).json()["callbacks"]
    assert [(c["receipt"], c["result"]) for c in every] == [("c1", "satisfied"), ("c5", None)]
    june = manager.get("/stats/cases", params={"from": "2026-06-01", "to": "2026-06-30"}).json()
    assert june["callbacks"]["hall"] == {
        "sampled": 2,
        "reached": 1,
        "satisfied": 1,
        "unsatisfied": 0,
        "unreached": 0,
        "satisfaction": 1.0,
    }


def test_the_xlsx_export_has_the_register_sheets(hall: Daemon) -> None:
    params = {"start": "2026-05-01", "end": "2026-05-31", "format": "xlsx"}
    r = hall.api("manager-token-1").get("/statistics/export", params=params)
    assert r.status_code == 200, r.text
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"办结率", "黄红牌"} <= set(wb.sheetnames)
    rows = [list(row) for row in wb["办结率"].iter_rows(values_only=True)]
    header = rows[0]
    col = {h.split(" ")[-1]: i for i, h in enumerate(header)}
    by_code = {(r[0].split(" ")[0], r[1]): r for r in rows[1:]}
    hall_row = by_code["全厅", None]  # an empty cell
    assert (hall_row[col["received"]], hall_row[col["completion_rate"]]) == (9, 0.375)
    bdc = by_code["部门", "bdc"]
    assert bdc[2] == "不动产登记中心 Real Estate Registration"
    assert (bdc[col["finished"]], bdc[col["on_time_rate"]], bdc[col["red"]]) == (2, 0.5, 1)
    assert by_code["事项", "SJ-SP-001"][col["yellow"]] == 1
    assert by_code["经办人", "terminal k1"][col["received"]] == 1
    assert {k[0] for k in by_code} == {"全厅", "部门", "事项", "经办人"}
    warned = [list(row) for row in wb["黄红牌"].iter_rows(values_only=True)]
    assert warned[1:] == [
        ["c3", "BDC-ZY-001", "bdc", "2026-06-01", "红牌 red", 0],
        ["c7", "SJ-SP-001", "scjg", "2026-06-04", "黄牌 yellow", 1],
    ]
    # No personal data: the header names no applicant, ID number or phone.
    assert not any(w in " ".join(warned[0]) for w in ("applicant", "id_number", "phone", "姓名"))


def test_the_figures_follow_a_case_through_the_register_api(make_daemon) -> None:
    # The register's own API (hall/queue/web/api/cases.py): a 承诺件 opened at the counter,
    # accepted, finished. Thu 2026-06-04 is a working day of the test hall (06-02 and
    # 06-03 are its closed days); SJ-SP-001 promises 5 working days.
    d = make_daemon(register_config())
    move_to(d, dt.date(2026, 6, 4))
    manager = d.api("manager-token-1")
    today = {"from": "2026-06-04", "to": "2026-06-04"}

    def hall_row() -> dict:
        r = manager.get("/stats/cases", params=today)
        assert r.status_code == 200, r.text
        return r.json()["hall"]

    assert hall_row()["received"] == 0
    clerk = d.staff("S001", 1)  # the chief of scjg in the register's test hall
    ticket = served_ticket(d, clerk, 1)
    r = clerk.post("/cases", case_body(ticket["id"]))
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    opened = hall_row()
    assert (opened["received"], opened["finished"], opened["open"]) == (1, 0, 1)
    assert opened["completion_rate"] == 0.0 and opened["on_time_rate"] is None
    assert clerk.post(f"/cases/{receipt}/accept", {}).status_code == 200
    accepted = hall_row()  # accepted (办理中) is not 办结
    assert (accepted["finished"], accepted["completion_rate"]) == (0, 0.0)
    r = clerk.post(f"/cases/{receipt}/finish", {})
    assert r.status_code == 200, r.text
    done = hall_row()
    # Finished on the day of receipt: 0 working days used of 5, on time.
    assert (done["finished"], done["open"], done["completion_rate"]) == (1, 0, 1.0)
    assert (done["on_time"], done["on_time_rate"], done["avg_used_days"]) == (1, 1.0, 0.0)
    found = manager.get("/stats/cases", params=today).json()
    assert [(c["group"], c["finished"]) for c in found["clerk"]] == [("S001", 1)]
    assert [(m["group"], m["finished"]) for m in found["department"]] == [("scjg", 1)]
    # The next day's digest reports it among Thursday's 办结, on time.
    digest = manager.get("/cases/digest", params={"day": "2026-06-05"}).json()
    scjg = next(p for p in digest["departments"] if p["department"] == "scjg")
    assert (digest["since"], scjg["finished"], scjg["on_time"]) == ("2026-06-04", 1, 1)
