"""空岗/离岗 in the statistics and the xlsx export: open time, pause time by reason, alerts."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest

from tests.support import TODAY, Daemon, hall_config, wait_until


def test_open_and_pause_time_by_reason_and_alerts_per_window_and_day(
    make_daemon: Callable[..., Daemon],
) -> None:
    cfg = hall_config()
    cfg["vacancy"] = {"alert_after_min": 10, "check_every_s": 0.2}
    d = make_daemon(cfg)
    manager = d.api("manager-token-1")
    staff = d.staff("S002", 2)  # window 2 opens
    assert staff.post("/windows/2/pause", {"reason": "toilet"}).status_code == 200
    d.api("kiosk-token-1").post("/tickets", {"service": "general"})
    d.shift_s = 20 * 60  # twenty minutes in the toilet: past the limit, an alert
    d.restart()
    alerts = lambda: {a["window"] for a in manager.get("/vacancy").json()["alerts"]}  # noqa: E731
    assert wait_until(lambda: alerts() == {1, 2, 4}, 10), alerts()
    assert staff.post("/windows/2/resume").status_code == 200
    assert staff.post("/windows/2/pause", {"reason": "meeting"}).status_code == 200
    d.shift_s = 25 * 60  # five minutes of meeting so far (still paused)
    d.restart()

    day = TODAY.isoformat()
    params = {"start": day, "end": day, "period": "day", "by": "window"}
    stats = manager.get("/statistics", params=params).json()
    rows = {r["window"]: r for r in stats["vacancy"]}
    assert set(rows) == {1, 2, 4}  # 1 and 4: never opened, alerted (general waits for them)
    assert (rows[1]["open_s"], rows[1]["paused_s"], rows[1]["alerts"]) == (0, 0, 1)
    w2 = rows[2]
    assert w2["bucket"] == day and (w2["pauses"], w2["alerts"]) == (2, 1)
    assert w2["open_s"] == pytest.approx(25 * 60, abs=20)  # signed in 25 minutes ago
    assert w2["paused_by_reason"]["toilet"] == pytest.approx(20 * 60, abs=20)
    assert w2["paused_by_reason"]["meeting"] == pytest.approx(5 * 60, abs=20)
    assert w2["paused_by_reason"]["lunch_relief"] == 0
    assert w2["paused_s"] == sum(w2["paused_by_reason"].values())
    assert "vacancy.open_s" in stats["definitions"]
    month = manager.get("/statistics", params={**params, "period": "month"}).json()
    assert [r["bucket"] for r in month["vacancy"]] == [TODAY.replace(day=1).isoformat()] * 3

    x = manager.get("/statistics/export", params={**params, "format": "xlsx"})
    assert x.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(x.content))["空岗离岗 vacancy"]
    values = list(sheet.values)
    assert values[0][:4] == (
        "周期 period",
        "窗口 window",
        "开放分钟 open_min",
        "暂停分钟 paused_min",
    )
    got = {row[1]: dict(zip(values[0], row, strict=True)) for row in values[1:]}
    assert got[2]["如厕 toilet_min"] == pytest.approx(20, abs=0.4)
    assert got[2]["会议 meeting_min"] == pytest.approx(5, abs=0.4)
    assert (got[2]["暂停次数 pauses"], got[2]["空岗告警 alerts"]) == (2, 1)
    assert d.api("display-token-1").get("/statistics", params=params).status_code == 403
