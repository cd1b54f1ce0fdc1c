"""GET /windows: what the caller panel and the lobby need, and who sees the day's figure."""

from __future__ import annotations

from tests.support import Daemon, hall_config


def by_number(found: list[dict]) -> dict[int, dict]:
    return {w["number"]: w for w in found}


def test_a_window_carries_its_current_ticket_area_and_done_count(make_daemon) -> None:
    cfg = hall_config()
    cfg["windows"][0]["area"] = "综合受理区"
    cfg["windows"][2]["area"] = "不动产登记区"
    daemon: Daemon = make_daemon(cfg)
    kiosk = daemon.api("kiosk-token-1")
    kiosk.post("/tickets", {"service": "other"})
    kiosk.post("/tickets", {"service": "other"})
    kiosk.post("/tickets", {"service": "general", "priority": True})
    staff3 = daemon.staff("S003", 3)
    staff1 = daemon.staff("S001", 1)
    staff3.post("/windows/3/call")
    staff3.post("/windows/3/finish", {"case_type": "即办件"})
    staff3.post("/windows/3/call")
    staff1.post("/windows/1/call")

    shown = by_number(staff3.get("/windows").json())
    w3, w1 = shown[3], shown[1]
    assert (w3["ticket_number"], w3["ticket_service"], w3["ticket_kind"]) == (
        "C002",
        "other",
        "normal",
    )
    assert w3["ticket_status"] == "called" and w3["called_at"]
    assert (w1["ticket_number"], w1["ticket_kind"]) == ("A001", "priority")
    assert w3["area"] == "不动产登记区" and w1["area"] == "综合受理区"
    assert shown[2]["ticket_service"] is None and shown[2]["called_at"] is None
    # Staff see the day's figure of their own window only.
    assert w3["done_today"] == 1
    assert "done_today" not in w1
    assert by_number(staff1.get("/windows").json())[1]["done_today"] == 0
    assert "done_today" not in by_number(staff1.get("/windows").json())[3]
    # Managers see every window's; a display or a kiosk none (it is not public).
    assert by_number(daemon.api("manager-token-1").get("/windows").json())[3]["done_today"] == 1
    for token in ("display-token-1", "kiosk-token-1"):
        assert all("done_today" not in w for w in daemon.api(token).get("/windows").json())
