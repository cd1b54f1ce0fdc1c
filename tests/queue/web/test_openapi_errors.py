"""What the schema fuzzing found (test_fuzz_schema.py), one direct test per bug.

- A JSON body that is not UTF-8 was a 400 with an English-only message.
- /openapi.json declared no 401/403/404/409/413/429 and a FastAPI-shaped 422
  (``{"detail": [...]}``) although every error is ``{"error": {code, message,
  message_en}}``.
- The event stream and the statistics export were declared as JSON.
"""

from __future__ import annotations

import re

import pytest

from tests.support import Daemon

HAN = re.compile(r"[\u4e00-\u9fff]")
ERRORS = ("401", "403", "404", "409", "413", "422", "429")


@pytest.fixture
def spec(daemon: Daemon) -> dict:
    """The daemon's OpenAPI document as a client reads it."""
    return daemon.api(None).session.get(daemon.base + "/openapi.json", timeout=60).json()


@pytest.mark.parametrize("token", [None, "kiosk-token-1"])
def test_a_body_that_is_not_utf8_is_a_422_in_both_languages(daemon: Daemon, token) -> None:
    r = daemon.api(token).session.post(
        daemon.base + "/api/v1/tickets",
        data=b'{"service": "\xb7\xb9"}',  # Latin-1 bytes, not UTF-8
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request"
    assert HAN.search(err["message"]) and "UTF-8" in err["message"], err
    assert "request body" in err["message_en"] and "UTF-8" in err["message_en"], err


def test_unknown_paths_and_methods_answer_in_both_languages(daemon: Daemon) -> None:
    api = daemon.api("manager-token-1")
    r = api.get("/nowhere")
    assert r.status_code == 404
    assert HAN.search(r.json()["error"]["message"]) and r.json()["error"]["message_en"], r.text
    r = api.session.delete(api.base + "/tickets", timeout=10)
    assert r.status_code == 405
    assert HAN.search(r.json()["error"]["message"]) and r.json()["error"]["message_en"], r.text


def _error_schema(spec: dict, response: dict) -> dict:
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_operation_declares_the_house_error_shape(spec: dict) -> None:
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for status in ERRORS:
                assert status in op["responses"], (method, path, status)
                schema = _error_schema(spec, op["responses"][status])
                assert schema["required"] == ["error"], (method, path, status, schema)
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "message_en"}


def test_a_real_error_has_the_declared_shape(daemon: Daemon, spec: dict) -> None:
    body = spec["components"]["schemas"]["ErrorBody"]
    err = daemon.api(None).get("/windows").json()["error"]  # 401
    assert set(body["required"]) <= set(err) <= set(body["properties"]), err


def test_the_event_stream_and_the_export_declare_their_media_types(spec: dict) -> None:
    events = spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]
    assert list(events) == ["text/event-stream"]
    export = spec["paths"]["/api/v1/statistics/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
