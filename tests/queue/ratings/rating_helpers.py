"""Helpers for rating tests: serve tickets at windows, rate them through the online channel."""

from __future__ import annotations

from tests.support import Api, Daemon

#: The rating key of every ticket the helpers issued (ids are unique), as the kiosk got it.
KEYS: dict[str, str] = {}


def serve(d: Daemon, staff: Api, window: int, n: int = 1, service: str = "general") -> list[dict]:
    """Issue ``n`` tickets and serve each to the end at ``window``; the finished tickets."""
    kiosk = d.api("kiosk-token-1")
    done = []
    for _ in range(n):
        issued = kiosk.post("/tickets", {"service": service}).json()
        KEYS[issued["id"]] = issued["rating_key"]
        called = staff.post(f"/windows/{window}/call")
        assert called.status_code == 200, called.text
        r = staff.post(f"/windows/{window}/finish", {"case_type": "即办件"})
        assert r.status_code == 200, r.text
        done.append(r.json())
    return done


def rate(d: Daemon, ticket_id: str, level: int, key: str | None = None, **extra) -> dict:
    """Rate a ticket online with its rating key (``key``, or the one the kiosk got for it)."""
    body = {"ticket_id": ticket_id, "key": key or KEYS[ticket_id], "level": level, **extra}
    r = d.api(None).post("/evaluations/online", body)
    assert r.status_code == 201, r.text
    return r.json()
