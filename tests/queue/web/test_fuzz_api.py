"""Random bodies, paths and headers at every endpoint: a clear 4xx, never a 500."""

from __future__ import annotations

import json
import random

from tests.support import Daemon

VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    1.5,
    float("1e308"),
    "",
    "A001",
    "综合受理",
    "x" * 5000,
    "\x00",
    "../../etc/passwd",
    [],
    [1, "a"],
    {},
    {"a": {"b": [None]}},
]
FIELDS = [
    "service",
    "priority",
    "id_number",
    "appointment_code",
    "staff_id",
    "pin",
    "window",
    "case_type",
    "number",
    "where",
    "id",
    "kind",
    "status",
    "detail",
    "slot_start",
    "slot_end",
    "zzz",
]


def random_body(rng: random.Random):
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(VALUES)
    return {rng.choice(FIELDS): rng.choice(VALUES) for _ in range(rng.randrange(0, 5))}


def test_no_request_gets_a_500(daemon: Daemon) -> None:
    rng = random.Random(2026)
    # The first /openapi.json builds the schema: seconds on a busy box.
    spec = daemon.api(None).session.get(daemon.base + "/openapi.json", timeout=60).json()
    tokens = [None, "kiosk-token-1", "display-token-1", "manager-token-1", "garbage-token"]
    staff = daemon.staff("S001", 1).session.headers["Authorization"].split()[1]
    tokens.append(staff)
    clients = {t: daemon.api(t) for t in tokens}
    daemon.api("kiosk-token-1").post("/tickets", {"service": "general"})
    seen = 0
    for path, methods in spec["paths"].items():
        if path.endswith("/events"):
            continue  # a stream; covered by its own tests
        for method in methods:
            for _ in range(25):
                concrete = path.replace("{number}", rng.choice(["1", "3", "0", "-5", "99999", "x"]))
                concrete = concrete.replace("{ticket_id}", rng.choice(["abc", "0" * 32, "%00"]))
                client = clients[rng.choice(tokens)]
                url = client.base.removesuffix("/api/v1") + concrete
                body = random_body(rng)
                if rng.random() < 0.1:
                    r = client.session.request(
                        method.upper(),
                        url,
                        data=b"\xff{",
                        timeout=10,
                        headers={"Content-Type": "application/json"},
                    )
                else:
                    r = client.session.request(
                        method.upper(),
                        url,
                        data=json.dumps(body),
                        timeout=10,
                        headers={"Content-Type": "application/json"},
                    )
                assert r.status_code < 500, (method, concrete, body, r.status_code, r.text)
                if r.status_code >= 400:
                    err = r.json()["error"]
                    assert err["message"] and err["message_en"], r.text
                seen += 1
    assert seen > 300
    assert daemon.api(None).get("/health").json()["status"] == "ok"
