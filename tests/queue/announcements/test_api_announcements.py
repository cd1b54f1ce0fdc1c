"""公示/通报 through the API: publish, list, withdraw, in force now, the events, who may."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from hall.queue.core.writer import Event
from hall.queue.web.api.events import visible
from tests.support import TZ, Daemon

MANAGER, DISPLAY, KIOSK = "manager-token-1", "display-token-1", "kiosk-token-1"


def at(daemon: Daemon, minutes: float) -> str:
    """The daemon's clock ``minutes`` from now, in the hall's time zone (ISO with offset)."""
    return (daemon.now() + dt.timedelta(minutes=minutes)).astimezone(TZ).isoformat()


def body(daemon: Daemon, **over) -> dict:
    b = {
        "kind": "commendation",
        "text_zh": "表彰：3号窗口张三服务热情",
        "text_en": "Commendation: window 3",
        "until": at(daemon, 60),
        "hall": True,
        "lobby": True,
        "windows": "all",
    }
    return b | over


def test_publish_list_current_withdraw(daemon: Daemon) -> None:
    manager, display = daemon.api(MANAGER), daemon.api(DISPLAY)
    r = manager.post("/announcements", body(daemon))
    assert r.status_code == 201, r.text
    now_ = r.json()
    assert (now_["state"], now_["created_by"], now_["kind_zh"]) == (
        "in_force",
        "manager:mgr-t",
        "表彰",
    )
    later = manager.post(
        "/announcements",
        body(daemon, kind="policy", starts=at(daemon, 30), windows=[2, 3], hall=False),
    ).json()
    assert later["state"] == "scheduled" and later["targets"]["windows"] == [2, 3]
    current = display.get("/announcements/current")
    assert current.status_code == 200
    assert [a["id"] for a in current.json()] == [now_["id"]]  # the scheduled one not yet
    assert "created_by" not in current.json()[0]  # public: nobody's name
    assert daemon.api(KIOSK).get("/announcements/current").status_code == 200
    listed = manager.get("/announcements").json()
    assert [a["id"] for a in listed] == [later["id"], now_["id"]]
    w = manager.post(f"/announcements/{now_['id']}/withdraw")
    assert w.status_code == 200 and w.json()["state"] == "withdrawn"
    assert w.json()["withdrawn_by"] == "manager:mgr-t"
    assert display.get("/announcements/current").json() == []
    again = manager.post(f"/announcements/{now_['id']}/withdraw")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_withdrawn"
    assert manager.post("/announcements/999/withdraw").status_code == 404


@pytest.mark.parametrize(
    "over,where",
    [
        ({"kind": "gossip"}, "kind"),
        ({"text_zh": ""}, "text_zh"),
        ({"text_zh": "  "}, "text_zh"),
        ({"text_zh": "甲" * 201}, "text_zh"),
        ({"text_zh": "第一行\n第二行"}, "text_zh"),
        ({"until": "2026-06-02 12:00"}, "until"),
        ({"until": "2000-01-01T00:00:00+08:00"}, "until"),
        ({"windows": [42]}, "windows"),
        ({"windows": [0]}, "windows"),
        ({"windows": "some"}, "windows"),
        ({"hall": False, "lobby": False, "windows": []}, "windows"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(daemon: Daemon, over: dict, where: str) -> None:
    b = body(daemon, **over)
    if over.get("text_zh") == "":
        b["text_zh"] = ""
    r = daemon.api(MANAGER).post("/announcements", b)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert where in err["message"] and where in err["message_en"], err


def test_starts_after_until_is_422(daemon: Daemon) -> None:
    r = daemon.api(MANAGER).post(
        "/announcements", body(daemon, starts=at(daemon, 90), until=at(daemon, 60))
    )
    assert r.status_code == 422 and "until" in r.json()["error"]["message"]


def test_who_may(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    for client in (daemon.api(DISPLAY), daemon.api(KIOSK), staff):
        assert client.post("/announcements", body(daemon)).status_code == 403
        assert client.get("/announcements").status_code == 403
        assert client.post("/announcements/1/withdraw").status_code == 403
    assert staff.get("/announcements/current").status_code == 403
    assert staff.get("/figures/public").status_code == 403
    nobody = daemon.api(None)
    for path in ("/announcements", "/announcements/current", "/figures/public"):
        assert nobody.get(path).status_code == 401


def _events(daemon: Daemon, token: str, after: int = 0) -> list[tuple[str, dict]]:
    """The events a token's stream replays from the store (the stream is cut after a while)."""
    out = []
    with requests.get(
        daemon.base + f"/api/v1/events?after={after}",
        headers={"Authorization": f"Bearer {token}"},
        stream=True,
        timeout=(5, 1.5),
    ) as r:
        kind = None
        try:
            for line in r.iter_lines(decode_unicode=True):
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind and kind.startswith("announcement."):
                    out.append((kind, json.loads(line[5:])))
        except requests.exceptions.ConnectionError:  # the read timeout: replay done
            pass
    return out


def test_the_display_follows_announcements_without_names(daemon: Daemon) -> None:
    manager = daemon.api(MANAGER)
    a = manager.post("/announcements", body(daemon)).json()
    manager.post(f"/announcements/{a['id']}/withdraw")
    seen = _events(daemon, DISPLAY)
    assert [k for k, _ in seen] == ["announcement.published", "announcement.withdrawn"]
    assert seen[0][1]["announcement"]["text_zh"] == body(daemon)["text_zh"]
    assert "manager" not in json.dumps(seen, ensure_ascii=False)


def test_visible_passes_announcements_to_every_role_but_unknown_ones() -> None:
    ev = Event("announcement.published", {"announcement": {"id": 1}}, 0.0, 1)
    assert all(visible(role, ev) is not None for role in ("display", "kiosk", "staff", "manager"))
    assert visible("nobody", ev) is None
