"""Rating keys (issue 13, "Ratings"): only the holder of the printed QR code can rate remotely.

The attack: a clerk sees a ticket's id everywhere (the finish answer, ``GET
/windows``, every ``ticket.*`` event, the ticket page). With the id alone they
must not be able to rate their own case, and the citizen's later rating with
the key from the printed QR code must be accepted. The key itself appears in
no view but the issuing kiosk's answer (and the terminal's own notice for a
self-service submission), and the store keeps only its digest.
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import re
import sqlite3

import requests

from tests.kiosk.submission_helpers import ID_NUMBER, wire
from tests.sse import SseReader
from tests.support import Daemon

KIOSK, DISPLAY, MANAGER = "kiosk-token-1", "display-token-1", "manager-token-1"
NOT_A_KEY = "A" * 22  # well formed, 128 bits, not the key


def page(d: Daemon, path: str) -> requests.Response:
    return requests.get(d.base + path, timeout=10)


def page_data(r: requests.Response) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', r.text)
    assert found, r.text
    return json.loads(found.group(1))


def token_of(api) -> str:
    """The bearer token a test client sends."""
    return api.session.headers["Authorization"].removeprefix("Bearer ")


def rate_online(d: Daemon, token: str | None, body: dict) -> requests.Response:
    return d.api(token).post("/evaluations/online", body)


def served(d: Daemon, staff, window: int) -> tuple[dict, dict]:
    """Issue a ticket and serve it to the end at ``window``: (issue answer, finish answer)."""
    issued = d.api(KIOSK).post("/tickets", {"service": "general"})
    assert issued.status_code == 201, issued.text
    assert staff.post(f"/windows/{window}/call").status_code == 200
    finished = staff.post(f"/windows/{window}/finish", {"case_type": "即办件"})
    assert finished.status_code == 200, finished.text
    return issued.json(), finished.json()


def test_a_clerk_who_sees_the_ticket_id_cannot_rate_it(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    issued = daemon.api(KIOSK).post("/tickets", {"service": "general"}).json()
    called = staff.post("/windows/2/call").json()
    assert issued["id"] in staff.get("/windows").text  # the clerk sees the id ...
    finished = staff.post("/windows/2/finish", {"case_type": "即办件"}).json()
    ticket_id = finished["id"]
    assert ticket_id == issued["id"] == called["id"]  # ... the printed ticket's, everywhere
    # The attack: open the citizen's page with the id, post what it offers, 5 stars.
    opened = page(daemon, f"/t/{ticket_id}")
    offered = {**page_data(opened).get("rate", {}), "ticket_id": ticket_id, "level": 5}
    attack = rate_online(daemon, token_of(staff), offered)
    assert attack.status_code == 403, attack.text
    # The page opened with the id alone shows the progress, not the rating form.
    assert opened.status_code == 200 and 'id="rating"' not in opened.text
    assert "rate" not in page_data(opened)
    # Every way in without the key is refused, whoever asks.
    tries = [
        {"ticket_id": ticket_id, "level": 5},
        {"ticket_id": ticket_id, "key": NOT_A_KEY, "level": 5},
        {"ticket_id": ticket_id, "key": "", "level": 5},
        {"ticket_id": ticket_id, "sig": "0" * 32, "level": 5},  # the old signed-link body
    ]
    for token in (None, token_of(staff), KIOSK):
        for body in tries:
            r = rate_online(daemon, token, body)
            assert r.status_code in (403, 422), (token, body, r.text)
            assert ticket_id not in daemon.api(MANAGER).get("/evaluations").text
    refused = rate_online(daemon, token_of(staff), tries[1]).json()["error"]
    assert refused["code"] == "bad_rating_key"
    assert "评价" in refused["message"] and "key" in refused["message_en"]
    # No token may have a link signed for a case any more.
    for token in (KIOSK, token_of(staff), MANAGER):
        link = daemon.api(token).get("/evaluations/link", params={"ticket_id": ticket_id})
        assert link.status_code in (404, 405), link.text
    # The citizen, later, with the key from the printed QR code: accepted.
    rated = rate_online(
        daemon, None, {"ticket_id": ticket_id, "key": issued["rating_key"], "level": 1}
    )
    assert rated.status_code == 201, rated.text
    assert (rated.json()["channel"], rated.json()["level"]) == ("online", 1)


def test_the_key_is_long_random_and_only_in_the_issuing_answer(daemon: Daemon) -> None:
    kiosk, staff, manager, display = (
        daemon.api(KIOSK),
        daemon.staff("S002", 2),
        daemon.api(MANAGER),
        daemon.api(DISPLAY),
    )
    readers = [SseReader(daemon.base, t) for t in (KIOSK, DISPLAY, MANAGER, token_of(staff))]
    try:
        served_issue, _ = served(daemon, staff, 2)
        waiting = kiosk.post("/tickets", {"service": "general"}).json()
        called = kiosk.post("/tickets", {"service": "general"}).json()
        keys = {served_issue["rating_key"], waiting["rating_key"], called["rating_key"]}
        assert len(keys) == 3
        for key in keys:
            assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) >= 16
        seen: dict[str, str] = {}
        seen["call"] = staff.post("/windows/2/call").text
        case = wire(31)
        sub_key = "s" * 10 + "K" * 12  # the terminal's key for its submission
        case["rating_key"] = sub_key
        posted = kiosk.post("/submissions", case)
        assert posted.status_code == 201, posted.text
        seen["submit"] = posted.text
        seen["submit-again"] = kiosk.post("/submissions", case).text
        sid = posted.json()["id"]
        for action in ("accept", "finish"):
            seen[action] = staff.post(f"/submissions/{sid}/{action}", {}).text
        rating = {"ticket_id": served_issue["id"], "key": served_issue["rating_key"], "level": 4}
        assert rate_online(daemon, None, rating).status_code == 201
        roles = {"kiosk": kiosk, "display": display, "staff": staff, "mgr": manager}
        for name, api in roles.items():
            seen[f"windows-{name}"] = api.get("/windows").text
            seen[f"services-{name}"] = api.get("/services").text
            for t in (served_issue, waiting, called):
                seen[f"ticket-{t['id']}-{name}"] = api.get(f"/tickets/{t['id']}").text
        for name, api in (("staff", staff), ("mgr", manager)):
            seen[f"submissions-{name}"] = api.get("/submissions").text
            seen[f"submission-{name}"] = api.get(f"/submissions/{sid}").text
        seen["evaluations"] = manager.get("/evaluations").text
        seen["devices"] = manager.get("/devices").text
        for t in (served_issue, waiting, called):
            seen[f"page-{t['id']}"] = page(daemon, f"/t/{t['id']}").text
            seen[f"state-{t['id']}"] = page(daemon, f"/t/{t['id']}/state").text
        seen["progress-form"] = page(daemon, f"/progress?receipt={case['receipt']}").text
        form = {"lang": "zh", "receipt": case["receipt"], "id_number": ID_NUMBER}
        seen["progress"] = requests.post(daemon.base + "/progress", data=form, timeout=10).text
        seen["manager-page"] = page(daemon, "/manager").text
        # Every event each role's stream carried, up to the last one stored.
        db = sqlite3.connect(daemon.data_dir / "hall.sqlite3")
        last = db.execute("SELECT max(id) FROM events").fetchone()[0]
        # The manager's stream carries every event: once it has the last, so have the others.
        got: dict[int, list] = {i: [] for i in range(len(readers))}
        while last not in [e.id for e in got[2]]:
            got[2].append(readers[2].next(10))
        for i, reader in enumerate(readers):
            with contextlib.suppress(queue.Empty):
                while True:
                    got[i].append(reader.next(0.5))
            seen[f"events-{i}"] = json.dumps([e.data for e in got[i]], ensure_ascii=False)
        # The store: events, tickets, ledger ... every row, as text.
        seen["store"] = "\n".join(db.iterdump())
        db.close()
    finally:
        for reader in readers:
            reader.close()
    for key in (*keys, sub_key):
        leaks = [name for name, text in seen.items() if key in text]
        assert leaks == [], (key, leaks)
    # What a key does show: the citizen's own page, opened from the QR code.
    mine = page(daemon, f"/t/{called['id']}?k={called['rating_key']}")
    assert mine.status_code == 200 and "rate" not in page_data(mine)  # not finished yet


def test_a_wrong_or_other_tickets_key_is_refused_in_constant_shape(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    first, _ = served(daemon, staff, 2)
    second, _ = served(daemon, staff, 2)
    anyone = daemon.api(None)
    swapped = {"ticket_id": second["id"], "key": first["rating_key"], "level": 5}
    unknown = {"ticket_id": "f" * 32, "key": first["rating_key"], "level": 5}
    answers = [anyone.post("/evaluations/online", b) for b in (swapped, unknown)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()  # an unknown ticket looks the same
    # A page opened with another ticket's key offers no form either.
    assert 'id="rating"' not in page(daemon, f"/t/{second['id']}?k={first['rating_key']}").text
    ok = anyone.post("/evaluations/online", {**swapped, "key": second["rating_key"]})
    assert ok.status_code == 201, ok.text
    again = anyone.post("/evaluations/online", {**swapped, "key": second["rating_key"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"


def test_the_printed_key_rates_a_transferred_ticket_where_it_was_served(daemon: Daemon) -> None:
    printed = daemon.api(KIOSK).post("/tickets", {"service": "general"}).json()
    first = daemon.staff("S001", 1)
    first.post("/windows/1/call")
    moved = first.post("/windows/1/transfer", {"service": "vip"}).json()
    first.post("/windows/1/call")
    done = first.post("/windows/1/finish", {"case_type": "即办件"}).json()
    assert done["id"] == moved["id"] != printed["id"]
    opened = page(daemon, f"/t/{printed['id']}?k={printed['rating_key']}")
    data = page_data(opened)
    assert 'id="rating"' in opened.text and data["rate"]["key"] == printed["rating_key"]
    body = {**data["rate"], "level": 5}
    r = requests.post(daemon.base + data["rate_url"], json=body, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["ticket_id"] == moved["id"]


def test_a_submission_is_rated_only_with_the_key_of_its_notice(daemon: Daemon) -> None:
    kiosk, staff = daemon.api(KIOSK), daemon.staff("S001", 1)
    case = {**wire(32), "rating_key": "n" * 11 + "Q" * 11}
    sid = kiosk.post("/submissions", case).json()["id"]
    staff.post(f"/submissions/{sid}/accept", {})
    staff.post(f"/submissions/{sid}/finish", {})
    # Staff see the id and the receipt in every list: neither rates.
    guess = {"submission_id": sid, "level": 5}
    assert rate_online(daemon, token_of(staff), guess).status_code == 403
    assert rate_online(daemon, None, {**guess, "key": NOT_A_KEY}).status_code == 403
    by_receipt = {"submission_id": sid, "receipt": case["receipt"], "level": 5}
    assert kiosk.post("/evaluations/kiosk", by_receipt).status_code in (403, 422)
    wrong = kiosk.post("/evaluations/kiosk", {**guess, "key": NOT_A_KEY})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "bad_rating_key"
    # The progress page: the case for the right ID number; the form only with the key.
    form = {"lang": "zh", "receipt": case["receipt"], "id_number": ID_NUMBER}
    plain = requests.post(daemon.base + "/progress", data=form, timeout=10)
    assert plain.status_code == 200 and 'id="rating"' not in plain.text
    assert "rate" not in page_data(plain)
    keyed = requests.post(
        daemon.base + "/progress", data={**form, "k": case["rating_key"]}, timeout=10
    )
    assert 'id="rating"' in keyed.text
    assert page_data(keyed)["rate"] == {"submission_id": sid, "key": case["rating_key"]}
    # The terminal that made it rates it with the key it printed.
    ok = kiosk.post("/evaluations/kiosk", {**guess, "key": case["rating_key"], "level": 4})
    assert ok.status_code == 201, ok.text
    assert (ok.json()["channel"], ok.json()["device"]) == ("kiosk", "kiosk-t")
