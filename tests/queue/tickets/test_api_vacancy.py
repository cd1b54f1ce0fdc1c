"""空岗 and 离岗 over real HTTP: pause reasons and durations, empty-window alerts, rights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.sse import SseReader
from tests.support import Api, Daemon, hall_config, wait_until


def pauses(manager: Api, day: str | None = None) -> list[dict]:
    r = manager.get("/vacancy/pauses" + (f"?date={day}" if day else ""))
    assert r.status_code == 200, r.text
    return r.json()["pauses"]


def test_a_pause_is_recorded_with_its_reason_until_resume_or_close(
    daemon: Daemon, manager: Api
) -> None:
    staff = daemon.staff("S002", 2)
    r = staff.post("/windows/2/pause", {"reason": "toilet", "note": " 五分钟 "})
    assert r.status_code == 200 and r.json()["state"] == "paused", r.text
    (p,) = pauses(manager)
    assert (p["window"], p["reason"], p["note"], p["staff_id"]) == (2, "toilet", "五分钟", "S002")
    assert p["open"] and p["ended_at"] is None and p["reason_words"]["zh"] == "如厕"
    assert staff.post("/windows/2/resume").status_code == 200
    (p,) = pauses(manager)
    assert p["ended_by"] == "resume" and not p["open"]
    started = dt.datetime.fromisoformat(p["started_at"])
    ended = dt.datetime.fromisoformat(p["ended_at"])
    assert p["duration_s"] == round((ended - started).total_seconds())
    # A client from before pause reasons: "other". A manager may pause any window.
    assert staff.post("/windows/2/pause").status_code == 200
    assert staff.post("/staff/logout").status_code == 200  # closing ends the pause
    daemon.staff("S003", 3)
    assert manager.post("/windows/3/pause", {"reason": "meeting"}).status_code == 200
    found = pauses(manager)
    assert [(x["window"], x["reason"], x["ended_by"]) for x in found] == [
        (2, "toilet", "resume"),
        (2, "other", "closed"),
        (3, "meeting", None),
    ]
    assert found[2]["by"] == "manager:mgr-t" and found[2]["staff_id"] == "S003"
    assert pauses(manager, "2026-01-05") == []


def test_bad_pause_bodies_are_422_naming_the_field(daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    for body, field in (
        ({"reason": "nap"}, "reason"),
        ({"reason": "toilet", "note": "x" * 201}, "note"),
        ({"reason": "toilet", "mood": "tired"}, "mood: unknown field"),
        ({"note": "no reason"}, "reason: required"),
    ):
        r = staff.post("/windows/2/pause", body)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert field in error["message_en"] and field.split(":")[0] in error["message"], error
    assert daemon.api("manager-token-1").get("/vacancy/pauses?date=2026-13-01").status_code == 422
    assert daemon.api("manager-token-1").get("/windows").json()[1]["state"] == "open"


def test_who_may_read_the_vacancy_routes(daemon: Daemon, manager: Api) -> None:
    staff = daemon.staff("S002", 2)
    for token in ("display-token-1", "kiosk-token-1"):
        for path in ("/vacancy", "/vacancy/pauses"):
            r = daemon.api(token).get(path)
            assert r.status_code == 403, (token, path, r.text)
    assert staff.get("/vacancy").status_code == 200
    assert staff.get("/vacancy/pauses").status_code == 403  # notes and staff ids: managers
    assert daemon.api(None).get("/vacancy").status_code == 401
    assert manager.get("/vacancy").status_code == 200


def _vacancy_config() -> dict:
    cfg = hall_config()
    cfg["vacancy"] = {
        "alert_after_min": 10,
        "alert_after_min_by_reason": {"lunch_relief": 30},
        "check_every_s": 0.2,
    }
    return cfg


def _alerts(manager: Api) -> dict[int, dict]:
    return {a["window"]: a for a in manager.get("/vacancy").json()["alerts"]}


def test_empty_windows_raise_alerts_past_their_limit_and_end_when_opened(
    make_daemon: Callable[..., Daemon],
) -> None:
    d = make_daemon(_vacancy_config())
    manager, kiosk = d.api("manager-token-1"), d.api("kiosk-token-1")
    s2, s3 = d.staff("S002", 2), d.staff("S003", 3)
    assert s2.post("/windows/2/pause", {"reason": "lunch_relief"}).status_code == 200
    assert s3.post("/windows/3/pause", {"reason": "toilet"}).status_code == 200
    assert wait_until(lambda: manager.get("/vacancy").json()["empty"] == [], 2) is True
    kiosk.post("/tickets", {"service": "general"})
    kiosk.post("/tickets", {"service": "other"})
    # Windows 1 and 4 were never opened today (general and other wait for them): empty since
    # the day began, long past 10 minutes. Windows 2 and 3 paused only a moment ago.
    assert wait_until(lambda: set(_alerts(manager)) == {1, 4}, 5), _alerts(manager)
    alert = _alerts(manager)[1]
    assert (alert["state"], alert["reason"], alert["waiting"]) == ("closed", None, 1)
    # ``waiting`` is counted when the alert is raised: the watch may run between the two
    # tickets (window 4 serves both services), so it saw one or both of them.
    assert _alerts(manager)[4]["waiting"] in (1, 2)
    empty = {e["window"]: e for e in manager.get("/vacancy").json()["empty"]}
    assert set(empty) == {1, 2, 3, 4}
    assert (empty[2]["reason"], empty[2]["limit_min"]) == ("lunch_relief", 30)
    assert (empty[3]["reason"], empty[3]["limit_min"]) == ("toilet", 10)
    assert empty[3]["empty_min"] < 1

    d.shift_s = 11 * 60  # eleven minutes later: past the limit for toilet, not lunch relief
    d.restart()
    assert wait_until(lambda: set(_alerts(manager)) == {1, 3, 4}, 10), _alerts(manager)
    alert = _alerts(manager)[3]
    assert (alert["state"], alert["reason"], alert["reason_words"]["zh"]) == (
        "paused",
        "toilet",
        "如厕",
    )
    assert 11 <= alert["empty_min"] < 12

    assert s3.post("/windows/3/resume").status_code == 200  # the window opens: alert ends
    assert set(_alerts(manager)) == {1, 4}
    d.staff("S001", 1)
    assert set(_alerts(manager)) == {4}
    d.shift_s = 31 * 60
    d.restart()
    assert wait_until(lambda: set(_alerts(manager)) == {2, 4}, 10), _alerts(manager)

    # The alerts are events staff sessions and managers follow; displays and kiosks never.
    marker = kiosk.post("/tickets", {"service": "vip"}).json()["number"]
    token = s2.session.headers["Authorization"].split()[1]
    seen = {}
    for role, t in (("staff", token), ("display", "display-token-1"), ("kiosk", "kiosk-token-1")):
        reader = SseReader(d.base, t, last_id=0)
        try:
            got = []
            while (
                not got
                or got[-1].type != "ticket.issued"
                or (got[-1].data["ticket"]["number"] != marker)
            ):
                got.append(reader.next(timeout=10))
            seen[role] = got
        finally:
            reader.close()
    staff_alerts = [e for e in seen["staff"] if e.type.startswith("vacancy.")]
    assert [(e.type, e.data["alert"]["window"]) for e in staff_alerts] == [
        ("vacancy.alert", 1),
        ("vacancy.alert", 4),
        ("vacancy.alert", 3),
        ("vacancy.ended", 3),
        ("vacancy.ended", 1),
        ("vacancy.alert", 2),
    ]
    assert all("staff_id" not in e.data["alert"] for e in staff_alerts)
    assert all("note" not in e.data["alert"] for e in staff_alerts)
    assert not [e for e in seen["display"] + seen["kiosk"] if e.type.startswith("vacancy.")]
