"""Rating a counter case online with the key on its 承诺通知书 (issue 15 with issue 13's keys).

The key is in ``POST /cases``'s answer only (the notice's QR); ``/evaluations/online``
takes ``{receipt, key, level}`` once the case is finished, once; a wrong key is the same
403 as an unknown receipt; and the citizen page offers the rating with that key.
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.queue.cases.case_helpers import (
    APPLICANT_ID,
    case_body,
    move_to,
    register_config,
    served_ticket,
)
from tests.support import Daemon


@pytest.fixture
def hall(make_daemon) -> Daemon:
    return make_daemon(register_config())


def test_a_counter_case_is_rated_online_with_its_key_once_finished(hall: Daemon) -> None:
    move_to(hall, dt.date(2026, 9, 14))
    clerk = hall.staff("S001", 1)
    opened = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()
    receipt, key = opened["receipt"], opened["rating_key"]
    public = hall.api(None)
    body = {"receipt": receipt, "key": key, "level": 5}
    early = public.post("/evaluations/online", body)
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_finished"
    assert clerk.post(f"/cases/{receipt}/accept", {}).status_code == 200
    assert clerk.post(f"/cases/{receipt}/finish", {}).status_code == 200
    for wrong in ({**body, "key": "x" * 43}, {**body, "receipt": "ZZ00202609149999"}):
        r = public.post("/evaluations/online", wrong)
        assert r.status_code == 403 and r.json()["error"]["code"] == "bad_rating_key"
    r = public.post("/evaluations/online", {**body, "level": 2, "tags": ["办理时间长"]})
    assert r.status_code == 201, r.text
    rated = r.json()
    assert rated["subject"] == f"case:{receipt}" and rated["number"] == receipt
    assert rated["service"] == "SJ-SP-001" and rated["staff_id"] == "S001"
    assert rated["channel"] == "online" and rated["ticket_id"] is None
    again = public.post("/evaluations/online", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    both = public.post("/evaluations/online", {**body, "ticket_id": "t1"})
    assert both.status_code == 422  # one case at a time


def test_the_citizen_page_offers_the_rating_of_a_finished_counter_case(hall: Daemon) -> None:
    move_to(hall, dt.date(2026, 9, 14))
    clerk = hall.staff("S001", 1)
    opened = clerk.post("/cases", case_body(served_ticket(hall, clerk, 1)["id"])).json()
    receipt, key = opened["receipt"], opened["rating_key"]
    for action in ("accept", "finish"):
        assert clerk.post(f"/cases/{receipt}/{action}", {}).status_code == 200
    form = {"receipt": receipt, "id_number": APPLICANT_ID, "k": key}
    page = requests.post(f"{hall.base}/progress", data=form, timeout=10)
    assert page.status_code == 200, page.text
    assert f'"receipt": "{receipt}"' in page.text or f'"receipt":"{receipt}"' in page.text
    assert key in page.text  # the rating form posts it with the level
