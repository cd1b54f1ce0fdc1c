"""Resource limits (issue 13): bodies refused unread, bounded values, capped streams.

Strings and integers are bounded (422, never 500), connections are limited,
event streams are capped and end with their session.

The body tests speak HTTP on a raw socket: they send the headers, then check that
the answer comes before the body, and that the daemon closed the connection
rather than read what followed.
"""

from __future__ import annotations

import json
import select
import socket
import typing

import pytest
import requests
from fastapi.routing import iter_route_contexts

from hall.config import HallConfig
from hall.queue.web.app import create_app
from tests.kiosk.submission_helpers import wire
from tests.support import Daemon, hall_config, module_daemon, wait_until
from tests.support.streams import open_stream, watch

MB = 1024 * 1024
HUGE = 150 * MB
KIOSK, DISPLAY, MANAGER = "kiosk-token-1", "display-token-1", "manager-token-1"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    yield from module_daemon(tmp_path_factory, "limits")


# -- raw HTTP ---------------------------------------------------------------------------
def _send_head(d: Daemon, path: str, token: str | None, extra: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", d.port), timeout=5)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n{auth}{extra}\r\n"
    )
    sock.sendall(head.encode())
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict, bool]:
    """(status, JSON body, the server closed the connection after it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)  # socket.timeout here: no answer before the body
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(
        line.decode().lower().split(": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line
    )
    length = int(headers["content-length"])
    while len(body) < length:
        body += sock.recv(65536)
    try:
        closed = sock.recv(1) == b""
    except ConnectionResetError:
        closed = True
    return int(head.split()[1]), json.loads(body), closed


def _bytes_taken(sock: socket.socket, total: int) -> int:
    """Send up to ``total`` bytes of body; how many went before the connection broke."""
    sent, chunk = 0, b"x" * MB
    try:
        while sent < total:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    return sent


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        ("/api/v1/submissions", None, 401),  # the upload route, no token: never read
        ("/api/v1/submissions", DISPLAY, 403),  # a token of a role that may not upload
        ("/api/v1/submissions", KIOSK, 413),  # over even the upload cap
        ("/api/v1/tickets", KIOSK, 413),  # any other route: a few KB
        ("/progress", None, 413),  # the citizen's page
    ],
)
def test_a_huge_declared_body_is_refused_before_it_is_read(daemon, path, token, status) -> None:
    sock = _send_head(daemon, path, token, f"Content-Length: {HUGE}\r\n")
    try:
        got, body, closed = _read_response(sock)
        assert got == status, body
        assert body["error"]["message"] and body["error"]["message_en"]
        assert closed  # the daemon hung up instead of reading the 150 MB
        assert _bytes_taken(sock, HUGE) < HUGE
    finally:
        sock.close()
    assert daemon.api(None).get("/health").status_code == 200


def test_a_chunked_body_is_cut_off_at_the_cap(daemon) -> None:
    """No length declared: the daemon counts, and answers 413 long before the body ends."""
    sock = _send_head(daemon, "/api/v1/tickets", KIOSK, "Transfer-Encoding: chunked\r\n")
    sent, piece, body_size = 0, b"x" * 4096, 8 * MB
    try:
        while sent < body_size:  # the last chunk (size 0) is never sent
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            except OSError:
                break  # answered and closed
            sent += len(piece)
            if select.select([sock], [], [], 0.001)[0]:
                break  # answered
        status, body, closed = _read_response(sock)
    finally:
        sock.close()
    assert status == 413 and closed
    assert sent < body_size  # answered while the body was still coming
    assert body["error"]["code"] == "body_too_large"
    assert "16384" in body["error"]["message_en"] and "请求内容过大" in body["error"]["message"]


def test_an_oversized_json_body_is_413_in_both_languages(daemon) -> None:
    r = daemon.api(KIOSK).post("/tickets", {"service": "general", "pad": "x" * 20_000})
    assert r.status_code == 413
    err = r.json()["error"]
    assert "请求内容过大" in err["message"] and "/api/v1/tickets" in err["message_en"]


def test_the_upload_cap_applies_only_to_the_upload_route_with_a_kiosk_token(daemon) -> None:
    case = wire(3)
    assert len(json.dumps(case)) > 16 * 1024  # over the small cap: only the upload cap lets it in
    assert daemon.api(KIOSK).post("/submissions", case).status_code == 201
    assert daemon.api(KIOSK).post("/submissions/" + case["id"] + "/accept", case).status_code == 413
    assert daemon.api(DISPLAY).post("/submissions", case).status_code == 403
    assert daemon.api(None).post("/submissions", case).status_code == 401


def test_an_upload_over_its_own_cap_is_413(make_daemon) -> None:
    d = make_daemon(hall_config(api={**hall_config()["api"], "limits": {"upload_bytes": MB}}))
    sock = _send_head(d, "/api/v1/submissions", KIOSK, f"Content-Length: {2 * MB}\r\n")
    try:
        status, body, _ = _read_response(sock)
    finally:
        sock.close()
    assert status == 413 and body["error"]["details"]["limit"] == MB


# -- strings ------------------------------------------------------------------------------
def test_free_text_is_length_capped(daemon) -> None:
    manager = daemon.api(MANAGER)
    r = manager.post(
        "/appointments",
        {
            "service": "x" * 40,
            "slot_start": "2026-06-03T10:00:00+08:00",
            "slot_end": "2026-06-03T10:30:00+08:00",
        },
    )
    assert r.status_code == 422 and "service" in r.json()["error"]["message_en"]
    long_form = {**wire(4), "form": {"company_name": "公" * 2001}}
    r = daemon.api(KIOSK).post("/submissions", long_form)
    assert r.status_code == 422 and "form.company_name" in r.json()["error"]["message_en"]
    r = manager.get("/submissions/" + "a" * 100)
    assert r.status_code == 422 and "sid" in r.json()["error"]["message_en"]
    r = daemon.api(MANAGER).session.delete(daemon.base + "/api/v1/attendance/consents/" + "S" * 40)
    assert r.status_code == 422 and "staff_id" in r.json()["error"]["message_en"]


# -- integers -----------------------------------------------------------------------------
def _int_params() -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) of every integer parameter of every route."""
    app = create_app(HallConfig.model_validate(hall_config()))
    found = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        for where in ("path", "query", "header"):
            for f in getattr(dependant, f"{where}_params"):
                annotation = f.field_info.annotation
                if annotation is int or int in typing.get_args(annotation):
                    for method in sorted(route.methods):
                        found.append((method, route.path, where, f.alias))
    return sorted(found)


INT_PARAMS = _int_params()


def _sample(name: str) -> str:
    """A valid value for another path parameter of the same route."""
    return {"step": "verify", "action": "accept", "sid": "0" * 32}.get(name, "1")


def test_every_integer_parameter_is_found() -> None:
    names = {(p, n) for _m, p, _w, n in INT_PARAMS}
    assert ("/api/v1/rectifications/{case_id}", "case_id") in names
    assert ("/api/v1/evaluations/{rating_id}/appeal", "rating_id") in names
    assert ("/api/v1/events", "after") in names and ("/api/v1/events", "last-event-id") in names
    assert ("/api/v1/windows/{number}/call", "number") in names


@pytest.mark.parametrize("value", ["99999999999999999999", str(2**63), "-1"])
@pytest.mark.parametrize(("method", "path", "where", "name"), INT_PARAMS)
def test_out_of_range_integers_are_422(daemon, method, path, where, name, value) -> None:
    url, query, headers = path, {}, {"Authorization": f"Bearer {MANAGER}"}
    for part in path.split("/"):
        if part.startswith("{"):
            key = part.strip("{}")
            url = url.replace(part, value if (where, key) == ("path", name) else _sample(key))
    if where == "query":
        query[name] = value
    if where == "header":
        headers[name] = value
    r = requests.request(
        method, daemon.base + url, params=query, headers=headers, json={}, stream=True, timeout=10
    )
    try:
        assert r.status_code == 422, (r.status_code, url)
        err = r.json()["error"]
        assert name in err["message_en"] and name in err["message"]
    finally:
        r.close()


def test_a_correction_in_year_1_is_422(daemon) -> None:
    r = daemon.api(MANAGER).post(
        "/attendance/records",
        {"staff_id": "S001", "kind": "checkin", "at": "0001-01-01T09:00:00+08:00"},
    )
    assert r.status_code == 422 and "at" in r.json()["error"]["message_en"]


# -- connections and event streams --------------------------------------------------------
def _ends_within(r: requests.Response, seconds: float) -> bool:
    """True if the daemon ends the stream within ``seconds``."""
    return watch(r).wait(seconds)


def _limits(**values) -> dict:
    return hall_config(api={**hall_config()["api"], "limits": values})


def test_connections_beyond_the_limit_get_503(make_daemon) -> None:
    d = make_daemon(_limits(connections=8, streams_per_token=100))
    opened, refused = [], None
    try:
        for _ in range(20):
            r = open_stream(d, DISPLAY)
            if r.status_code != 200:
                refused = r
                break
            opened.append(r)
        assert refused is not None and refused.status_code == 503
        assert len(opened) <= 8
    finally:
        for r in opened:
            r.close()


def test_streams_are_capped_per_token_with_429(make_daemon) -> None:
    d = make_daemon(_limits(streams_per_token=2))
    first, second = open_stream(d, DISPLAY), open_stream(d, DISPLAY)
    try:
        assert first.status_code == second.status_code == 200
        third = open_stream(d, DISPLAY)
        assert third.status_code == 429
        err = third.json()["error"]
        assert err["code"] == "too_many_streams" and "2" in err["message"] and err["message_en"]
        assert open_stream(d, KIOSK).status_code == 200  # another token is not held up
        first.close()
        # The slot comes back once the daemon sees the client gone.
        assert wait_until(lambda: _close_if_ok(open_stream(d, DISPLAY)), 10)
    finally:
        second.close()


def _close_if_ok(r: requests.Response) -> bool:
    r.close()
    return r.status_code == 200


def test_streams_are_capped_per_role_with_429(make_daemon) -> None:
    d = make_daemon(_limits(streams_per_role={"staff": 2}))
    streams = [open_stream(d, _token(d.staff(f"S00{n}", n))) for n in (1, 2)]
    try:
        assert [s.status_code for s in streams] == [200, 200]
        third = open_stream(d, _token(d.staff("S003", 3)))
        assert third.status_code == 429 and "staff" in third.json()["error"]["message_en"]
    finally:
        for s in streams:
            s.close()


def _token(api) -> str:
    return api.session.headers["Authorization"].split()[1]


def test_a_stream_ends_when_its_session_logs_out(daemon) -> None:
    clerk, other = daemon.staff("S004", 4), daemon.staff("S005", 5)
    mine, theirs = open_stream(daemon, _token(clerk)), open_stream(daemon, _token(other))
    try:
        assert mine.status_code == theirs.status_code == 200
        theirs_ended = watch(theirs)
        assert clerk.post("/staff/logout").status_code == 200
        assert _ends_within(mine, 5)
        assert not theirs_ended.wait(0.5)  # another session's stream goes on
        assert other.post("/staff/logout").status_code == 200
        assert theirs_ended.wait(5)
    finally:
        mine.close()
        theirs.close()


def test_a_stream_ends_when_its_session_is_taken_over(daemon) -> None:
    backup = daemon.staff("SB", 2)  # B岗 covering window 2
    stream = open_stream(daemon, _token(backup))
    try:
        assert stream.status_code == 200
        primary = daemon.staff("S002", 2)  # A岗 takes the window back: B's session ends
        assert _ends_within(stream, 5)
        primary.post("/staff/logout")
    finally:
        stream.close()


def test_a_stream_ends_when_its_session_expires(make_daemon) -> None:
    cfg = hall_config(api={**hall_config()["api"], "staff_session_hours": 0.001})  # 3.6 s
    d = make_daemon(cfg)
    stream = open_stream(d, _token(d.staff("S001", 1)))
    try:
        assert stream.status_code == 200
        assert _ends_within(stream, 10)
    finally:
        stream.close()
