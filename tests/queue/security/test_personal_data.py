"""Personal data in views (issue 13): reads recorded, ID numbers masked, bookings bounded.

Every read of a case's applicant data by staff or a manager is recorded (who, when, which
case) and listed to managers only; the full ID number is in the single-case view of the
staff handling the case (a window whose ``matters`` cover the case's matter) and of
managers, masked (110105********002X) for other staff, and in no list, event or export.
A booking is refused beyond ``appointments.horizon_days`` and after its slot. Against a
real daemon over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
import requests

from hall.config import AppointmentsSection, ConfigError, load_config
from hall.idnumber import mask_id, mask_name
from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.support import Daemon, hall_config, write_config

KIOSK, DISPLAY, MANAGER = "kiosk-token-1", "display-token-1", "manager-token-1"
MASKED = ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
SPOUSE = "11010519491231002X"
APPLICANT = {"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"}


def test_mask_id_keeps_region_and_last_four_of_any_input() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id(" 11010519491231002x ") == "110105********002X"  # as typed: normalised
    assert mask_id("110105491231002") == "110105******002"  # a 15-digit first-generation ID
    assert mask_id("") == ""
    assert mask_id("12345") == "*****"  # too short to show any of it
    assert mask_id("1101051949") == "11******49"  # neither 18 nor 15: ends only
    assert mask_id("11010519491231002") == "11*************02"  # one digit short
    assert mask_id("110105194912310021234") == "11*****************34"
    for number in ("11010519491231002X", "110105491231002", "1101051949123"):
        assert "19491231"[2:] not in mask_id(number)  # the birth date never shows


def test_mask_name_keeps_the_first_and_last_character() -> None:
    assert [mask_name(n) for n in ("", "李", "张三", "王小明", "欧阳娜娜")] == [
        "",
        "李",
        "张*",
        "王*明",
        "欧**娜",
    ]


def _events_text(d: Daemon) -> str:
    with sqlite3.connect(d.data_dir / "hall.sqlite3") as db:
        return "\n".join(row[0] for row in db.execute("SELECT data FROM events"))


def test_the_handling_window_sees_the_number_others_a_masked_one(daemon: Daemon) -> None:
    kiosk = daemon.api(KIOSK)
    case = kiosk.post("/submissions", wire(1)).json()  # SJ-DJ-001, 市场监督管理局
    handling = daemon.staff("S001", 1)  # window 1 handles 市场监督管理局's matters
    other = daemon.staff("S002", 2)  # window 2 handles none
    manager = daemon.api(MANAGER)

    full = handling.get(f"/submissions/{case['id']}").json()
    assert full["applicant"] == APPLICANT and full["personal_data"] == "full"
    assert full["form"]["company_name"].startswith("示范科技有限公司")
    assert manager.get(f"/submissions/{case['id']}").json()["applicant"] == APPLICANT

    masked = other.get(f"/submissions/{case['id']}").json()
    assert masked["personal_data"] == "masked"
    assert masked["applicant"] == {"name": "王*明", "id_number": MASKED, "phone": "139****5678"}
    assert masked["form"] is None  # the application's other personal data is not shown
    assert masked["receipt"] == case["receipt"] and masked["history"]  # the case itself is
    assert ID_NUMBER not in json.dumps(masked, ensure_ascii=False)
    assert "王小明" not in json.dumps(masked, ensure_ascii=False)
    # An action's answer is a single-case view too: the same rule.
    accepted = other.post(f"/submissions/{case['id']}/accept", {}).json()
    assert accepted["status"] == "accepted" and accepted["applicant"]["id_number"] == MASKED
    done = handling.post(f"/submissions/{case['id']}/finish", {}).json()
    assert done["applicant"]["id_number"] == ID_NUMBER


def test_any_matter_and_matter_codes_in_the_window_rule(make_daemon) -> None:
    cfg = hall_config()
    cfg["windows"][1]["matters"] = ["MZ-HY-001"]  # window 2: one matter, by its code
    cfg["windows"][2]["matters"] = ["*"]  # window 3: every matter (综合受理)
    d = make_daemon(cfg)
    kiosk = d.api(KIOSK)
    marriage = kiosk.post(
        "/submissions",
        {
            **wire(2, matter="MZ-HY-001"),
            "form": {"applicant_id": ID_NUMBER, "spouse_name": "李四", "spouse_id": SPOUSE},
        },
    ).json()
    business = kiosk.post("/submissions", wire(3)).json()
    by_code = d.staff("S002", 2)
    every = d.staff("S003", 3)
    got = by_code.get(f"/submissions/{marriage['id']}").json()
    assert got["applicant"]["id_number"] == ID_NUMBER and got["form"]["spouse_id"] == SPOUSE
    assert by_code.get(f"/submissions/{business['id']}").json()["personal_data"] == "masked"
    for case in (marriage, business):
        assert every.get(f"/submissions/{case['id']}").json()["personal_data"] == "full"
    masked = d.staff("S001", 1).get(f"/submissions/{marriage['id']}").json()
    assert masked["personal_data"] == "masked"
    assert SPOUSE not in json.dumps(masked) and ID_NUMBER not in json.dumps(masked)


def test_a_department_window_sees_its_department_matters_in_full(make_daemon) -> None:
    cfg = hall_config()
    cfg["departments"] = [
        {
            "code": "scjg",
            "name_zh": "市场监督管理局",
            "name_en": "Market Regulation",
            "matters": ["SJ-DJ-001"],
            "windows": [2],  # window 2 lists no matters of its own
            "chief": "S002",
        }
    ]
    d = make_daemon(cfg)
    case = d.api(KIOSK).post("/submissions", wire(6)).json()  # SJ-DJ-001
    full = d.staff("S002", 2).get(f"/submissions/{case['id']}").json()
    assert full["personal_data"] == "full" and full["applicant"] == APPLICANT
    masked = d.staff("S003", 3).get(f"/submissions/{case['id']}").json()  # no department
    assert masked["personal_data"] == "masked" and ID_NUMBER not in json.dumps(masked)


def test_each_read_is_recorded_and_listed_to_managers(daemon: Daemon) -> None:
    kiosk = daemon.api(KIOSK)
    case = kiosk.post("/submissions", wire(4)).json()
    second = kiosk.post("/submissions", wire(5)).json()
    handling = daemon.staff("S001", 1)
    other = daemon.staff("S002", 2)
    manager = daemon.api(MANAGER)
    assert handling.get(f"/submissions/{case['id']}").status_code == 200
    assert other.get(f"/submissions/{case['id']}").status_code == 200
    assert manager.get(f"/submissions/{case['id']}").status_code == 200
    assert handling.post(f"/submissions/{case['id']}/accept", {}).status_code == 200
    assert handling.get(f"/submissions/{second['id']}").status_code == 200
    assert handling.get("/submissions/" + "0" * 32).status_code == 404  # nothing read
    # Lists show no applicant data: not recorded as reads.
    assert handling.get("/submissions").status_code == 200

    r = manager.get("/personal-data/reads", params={"case": case["id"]})
    assert r.status_code == 200, r.text
    reads = r.json()["reads"]
    assert [(x["actor"], x["what"], x["full"], x["window"]) for x in reversed(reads)] == [
        ("staff:S001", "submission.detail", True, 1),
        ("staff:S002", "submission.detail", False, 2),
        ("manager:mgr-t", "submission.detail", True, None),
        ("staff:S001", "submission.accept", True, 1),
    ]
    now = daemon.now()
    for x in reads:
        assert x["case"] == case["id"] and x["receipt"] == case["receipt"]
        assert x["address"] == "127.0.0.1"
        at = dt.datetime.fromisoformat(x["at"])
        assert at.utcoffset() == dt.timedelta(hours=8) and abs(at - now) < dt.timedelta(hours=1)
    mine = manager.get("/personal-data/reads", params={"actor": "staff:S001"}).json()["reads"]
    assert {(x["case"], x["what"]) for x in mine} == {
        (case["id"], "submission.detail"),
        (case["id"], "submission.accept"),
        (second["id"], "submission.detail"),
    }
    assert len(manager.get("/personal-data/reads").json()["reads"]) == 5
    assert len(manager.get("/personal-data/reads", params={"limit": 2}).json()["reads"]) == 2
    # The record holds who and which case, never the data that was read.
    assert ID_NUMBER not in r.text and "王小明" not in r.text


def test_only_managers_list_the_reads(daemon: Daemon) -> None:
    for token in (KIOSK, DISPLAY):
        assert daemon.api(token).get("/personal-data/reads").status_code == 403
    assert daemon.staff("S001", 1).get("/personal-data/reads").status_code == 403
    assert daemon.api(None).get("/personal-data/reads").status_code == 401
    manager = daemon.api(MANAGER)
    for params, field in (({"limit": 0}, "limit"), ({"actor": "x" * 100}, "actor")):
        r = manager.get("/personal-data/reads", params=params)
        assert r.status_code == 422 and field in r.json()["error"]["message_en"], r.text
        assert r.json()["error"]["message"]


def test_no_list_event_or_export_carries_an_id_number(daemon: Daemon) -> None:
    kiosk = daemon.api(KIOSK)
    case = kiosk.post("/submissions", wire(6)).json()
    handling = daemon.staff("S001", 1)
    manager = daemon.api(MANAGER)
    handling.post(f"/submissions/{case['id']}/accept", {})
    handling.post(f"/submissions/{case['id']}/finish", {})
    day = daemon.now().date().isoformat()
    span = {"start": day, "end": day}
    answers = {
        "staff list": handling.get("/submissions"),
        "manager list": manager.get("/submissions"),
        "evaluations": manager.get("/evaluations"),
        "statistics": manager.get("/statistics", params=span),
        "export": manager.get("/statistics/export", params=span),
        "attendance": manager.get("/attendance/daily", params={"date": day}),
    }
    for name, r in answers.items():
        assert r.status_code == 200, (name, r.text)
    views = {name: r.text for name, r in answers.items()} | {"events": _events_text(daemon)}
    for name, text in views.items():
        for secret in (ID_NUMBER, MASKED, "王小明", "13912345678"):
            assert secret not in text, (name, secret)


# -- booking horizon ----------------------------------------------------------------------
def _book(d: Daemon, start: dt.datetime, minutes: int = 30) -> requests.Response:
    end = start + dt.timedelta(minutes=minutes)
    body = {"service": "general", "slot_start": start.isoformat(), "slot_end": end.isoformat()}
    return d.api(MANAGER).post("/appointments", body)


def test_bookings_beyond_the_horizon_or_already_over_are_refused(make_daemon) -> None:
    d = make_daemon(hall_config(appointments={"horizon_days": 30}))
    now = d.now()
    assert _book(d, now + dt.timedelta(days=29)).status_code == 201
    assert _book(d, now - dt.timedelta(minutes=5)).status_code == 201  # the slot under way
    for start in (now + dt.timedelta(days=31), dt.datetime(2099, 12, 31, 9, tzinfo=now.tzinfo)):
        r = _book(d, start)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "slot_too_far"
        assert "30天" in error["message"] and "30 days" in error["message_en"]
        assert "slot_start" in error["message_en"]
    # A slot that starts in time but ends past the horizon is as far.
    r = _book(d, now + dt.timedelta(days=29), minutes=3 * 24 * 60)
    assert r.status_code == 422 and "slot_end" in r.json()["error"]["message_en"]
    r = _book(d, now - dt.timedelta(hours=2))  # ended an hour and a half ago
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "slot_past" and "已过" in error["message"]
    assert "slot_end" in error["message_en"]


def test_the_horizon_is_a_setting_with_a_default(make_daemon) -> None:
    d = make_daemon(hall_config(appointments={"horizon_days": 2}))
    assert _book(d, d.now() + dt.timedelta(days=3)).json()["error"]["code"] == "slot_too_far"
    assert AppointmentsSection().horizon_days == 30


@pytest.mark.parametrize("days", [0, 400])
def test_a_horizon_out_of_range_is_a_config_error(tmp_path, days: int) -> None:
    path = write_config(tmp_path / "c.yaml", hall_config(appointments={"horizon_days": days}))
    with pytest.raises(ConfigError, match="appointments.horizon_days"):
        load_config(path)
