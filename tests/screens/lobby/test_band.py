"""The lobby's band against a real daemon: 公示 in force, 满意率 and 办结率, 差评 put right."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.lobby.band import PAGE_CHARS, pages
from hall.screens.lobby.root import LobbyRoot
from hall.tools.layout_check import contrast, labels_fit
from tests.kivy_harness import SCREENSHOT_DIR, by_id, idle, idle_until, mount
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import TZ, Daemon, clock

LONG = "为进一步提升政务服务水平，自七月一日起，不动产登记业务实行“一窗受理、集成服务”，请办事群众提前准备好身份证件和相关材料。"


def test_pages_cut_long_texts_near_punctuation() -> None:
    got = pages(LONG)
    assert "".join(got) == LONG and all(len(p) <= PAGE_CHARS for p in got) and len(got) == 2
    assert pages("甲" * 30 + "，" + "乙" * 20) == ["甲" * 30 + "，", "乙" * 20]  # at the comma
    assert pages("短") == ["短"] and pages("") == []


@pytest.fixture
def lobby(daemon: Daemon) -> Iterator[LobbyRoot]:
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, "display-token-1"),
        strings=Strings("zh"),
        hall_name="测试大厅政务服务中心",
        clock=clock,
    )
    root = mount(LobbyRoot(ctx, call_s=4.0))
    yield root
    root.shutdown()
    ctx.client.close()


def publish(daemon: Daemon, text: str, **targets) -> dict:
    until = (daemon.now() + dt.timedelta(hours=1)).astimezone(TZ).isoformat()
    body = {"kind": "commendation", "text_zh": text, "text_en": "Window 2 commended", **targets}
    r = daemon.api("manager-token-1").post("/announcements", body | {"until": until})
    assert r.status_code == 201, r.text
    return r.json()


def lines(root: LobbyRoot) -> list[tuple[str, str]]:
    return root.ids.notices.items()


def test_band_shows_announcements_for_the_lobby_then_the_figures(
    lobby: LobbyRoot, daemon: Daemon
) -> None:
    band = lobby.ids.notices
    assert idle_until(lambda: band.figures is not None, 10)
    assert lines(lobby) == [
        ("今日", "满意率 暂无（0 条评价）　办结率 暂无（办结 0 件）"),
        ("本月", "满意率 暂无（0 条评价）　办结率 暂无（办结 0 件）"),
    ]
    publish(daemon, "仅窗口屏", windows="all")
    shown = publish(daemon, "2号窗口服务热情，特此表彰", lobby=True)
    assert idle_until(lambda: len(lines(lobby)) == 3, 10), lines(lobby)  # by the event
    assert lines(lobby)[0] == ("表彰", "2号窗口服务热情，特此表彰")
    band.index = 0
    band.show()
    assert (band.label, band.text) == ("表彰", "2号窗口服务热情，特此表彰")
    band.step()
    assert band.label == "今日"
    idle(2)  # the band's own 8 s step may come in here: the labels show its line, whichever
    shown_now = (by_id(lobby, "band-label").text, by_id(lobby, "band-text").text)
    assert shown_now == (band.label, band.text) and shown_now in lines(lobby)
    lobby.strings.language = "en"
    lobby.lang = "en"
    assert lines(lobby)[0] == ("Commendation", "Window 2 commended")
    daemon.api("manager-token-1").post(f"/announcements/{shown['id']}/withdraw")
    assert idle_until(lambda: len(lines(lobby)) == 2, 10)


def test_band_figures_and_cases_put_right_masked(lobby: LobbyRoot, daemon: Daemon) -> None:
    staff = daemon.staff("S002", 2)
    tickets = serve(daemon, staff, 2, n=2)
    rate(daemon, tickets[0]["id"], 5)
    rate(daemon, tickets[1]["id"], 1, comment="赵六说态度差")
    manager = daemon.api("manager-token-1")
    case = manager.get("/rectifications").json()[0]
    manager.post(f"/rectifications/{case['id']}/verify", {"note": "属实"})
    manager.post(f"/rectifications/{case['id']}/fix", {"action": "fixed"})
    manager.post(f"/rectifications/{case['id']}/callback", {"answer": "satisfied"})
    publish(daemon, LONG, lobby=True)
    band = lobby.ids.notices
    band.reload()
    number = tickets[1]["number"]
    masked = number[:2] + "*" * (len(number) - 2)
    assert idle_until(lambda: any(masked in t for _, t in lines(lobby)), 10), lines(lobby)
    got = lines(lobby)
    assert [label for label, _ in got] == ["表彰", "表彰", "今日", "本月", "差评整改"]
    assert got[2] == ("今日", "满意率 50.0%（2 条评价）　办结率 100.0%（办结 2 件）")
    assert got[4][1].endswith(f"2号窗口 综合受理 {masked} 已整改")
    text = json.dumps(got, ensure_ascii=False)
    for personal in ("赵六", number, "S002", "属实"):
        assert personal not in text

    # On a 1920x1080 hall TV: every page of the band fits, dark on amber, light on the panel.
    lobby.size_hint = (None, None)
    lobby.size = (1920, 1080)
    for i in range(len(got)):
        band.index = i
        band.show()
        idle(3)
        labels_fit(lobby)
    label = by_id(lobby, "band-label")
    assert contrast(label.color, (1, 0.76, 0.03, 1)) >= 4.5
    assert contrast(by_id(lobby, "band-text").color, (0.08, 0.11, 0.18, 1)) >= 4.5
    assert by_id(lobby, "band-text").font_size >= 24
    band.index = 0
    band.show()
    idle(3)
    lobby.export_to_png(str(SCREENSHOT_DIR / "lobby-band.png"))


def test_an_event_during_a_reload_is_not_undone_by_its_older_answer(
    lobby: LobbyRoot, daemon: Daemon
) -> None:
    """A reload read the daemon before a 公示 was published or withdrawn; the event came first.

    The CI run of 2026-12-03 caught it: the read of /announcements/current was answered,
    the 公示 was published and its event reached the band while the same job still read
    /figures/public, and the job's older list then replaced the band's.
    """
    band = lobby.ids.notices
    assert idle_until(lambda: band.figures is not None, 10)
    old = publish(daemon, "今日下午三点起暂停不动产业务", lobby=True)
    band.reload()
    assert idle_until(lambda: [a["id"] for a in band.announcements] == [old["id"]], 10)

    # The worker is asked to read; before its answer reaches the screen, two events do:
    # one 公示 withdrawn, another published (neither is in what the worker will read).
    band.figures = None
    band.reload()
    fresh = dict(old, id=old["id"] + 1000, text_zh="2号窗口服务热情，特此表彰")
    band.on_event("announcement.withdrawn", {"announcement": old})
    band.on_event("announcement.published", {"announcement": fresh})
    assert idle_until(lambda: band.figures is not None, 10)
    assert [a["id"] for a in band.announcements] == [fresh["id"]]
    assert lines(lobby)[0] == ("表彰", "2号窗口服务热情，特此表彰")
