"""One error for a bad ID number: the same code and wording at every endpoint that takes one."""

from __future__ import annotations

import datetime as dt

from hall.idnumber import IdNumberError, validate_id_number
from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.support import Daemon, make_id

GOOD = make_id("11010119900307001")
BAD = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")  # a wrong check digit


def expected(field: str) -> dict:
    try:
        validate_id_number(BAD)
    except IdNumberError as exc:
        zh, en = exc.message_zh, str(exc)
    return {"code": "bad_id_number", "message": zh, "message_en": f"{field}: {en}"}


def test_the_same_422_wherever_an_id_number_is_given(daemon: Daemon) -> None:
    kiosk, manager = daemon.api("kiosk-token-1"), daemon.api("manager-token-1")
    now = daemon.now()
    booking = {
        "service": "general",
        "slot_start": now.isoformat(),
        "slot_end": (now + dt.timedelta(minutes=30)).isoformat(),
        "id_number": BAD,
    }
    submission = wire(1)
    submission["applicant"] = {**submission["applicant"], "id_number": BAD}
    assert BAD != ID_NUMBER
    answers = {
        "ticket": kiosk.post("/tickets", {"service": "general", "id_number": BAD}),
        "check-in": kiosk.post(
            "/tickets", {"service": "general", "id_number": BAD, "appointment": True}
        ),
        "booking": manager.post("/appointments", booking),
        "submission": kiosk.post("/submissions", submission),
    }
    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 422)
    errors = {k: r.json()["error"] for k, r in answers.items()}
    assert errors == {
        "ticket": expected("id_number"),
        "check-in": expected("id_number"),
        "booking": expected("id_number"),
        "submission": expected("applicant.id_number"),
    }
    assert "校验位" in errors["ticket"]["message"]


def test_api_error_names_the_field() -> None:
    try:
        validate_id_number("123")
    except IdNumberError as exc:
        code, zh, en = exc.api_error("applicant.id_number")
    assert code == "bad_id_number" and zh == "身份证号码应为18位,当前为3位"
    assert en == "applicant.id_number: ID number must have 18 characters, got 3"
