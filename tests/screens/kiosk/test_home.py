"""Home: services as large targets, closed ones greyed with the reason, language, text size, help, guide."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import tests.kivy_harness as h
from tests.sse import SseReader
from tests.support import Daemon

HAN = re.compile(r"[\u3400-\u9fff]")
CODES = ["general", "vip", "other", "capped", "daytime"]

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def assert_rows_line_up(kiosk_ui: Kiosk) -> None:
    """The cards of each row of the services grid have the same top and height."""
    grid = kiosk_ui.root.home.ids.grid
    cards = list(reversed(grid.children))
    rows = [cards[i : i + grid.cols] for i in range(0, len(cards), grid.cols)]
    for row in rows:
        assert len({(round(c.top), round(c.height)) for c in row}) == 1, [
            (c.code, c.top, c.height, c.natural_height) for c in row
        ]


def test_services_are_large_targets_and_closed_ones_say_why(kiosk_ui: Kiosk) -> None:
    home = kiosk_ui.root.home
    for code in CODES:
        button = kiosk_ui.widget(f"service-{code}")
        assert button.height >= 120 and button.width >= 300
        assert button.accepting == (code != "daytime")
    assert kiosk_ui.widget("service-general").title == "综合受理"
    assert kiosk_ui.widget("service-general").status in ("当前无需等候",) or "等候" in (
        kiosk_ui.widget("service-general").status
    )
    closed = kiosk_ui.widget("service-daytime")
    assert closed.disabled and closed.status == "暂停取号"
    assert "下次取号时间" in closed.reason and "09:00" in closed.reason
    assert "下次取号时间" in " ".join(h.texts(closed))
    kiosk_ui.tap("service-daytime")  # greyed: nothing happens
    assert kiosk_ui.root.current == "home"
    assert home.loaded and kiosk_ui.widget("help").height >= 120
    # No 自助申报 on this kiosk: 办件查询 takes the whole row, with no gap before it.
    assert kiosk_ui.widget("submit").opacity == 0
    assert round(kiosk_ui.widget("progress").x) == round(kiosk_ui.widget("guide").x)
    h.screenshot("kiosk-home")


def test_cards_of_a_row_line_up_when_one_name_is_long(kiosk_ui: Kiosk) -> None:
    home = kiosk_ui.root.home
    services = [dict(s) for s in home.services]
    vip = next(s for s in services if s["code"] == "vip")  # row 1, beside "general"
    vip["name"] = {**vip["name"], "zh": "企业开办（三证合一）及变更、注销一窗通办专区"}
    home.show_services(services)
    h.idle(3)
    general, long_one = kiosk_ui.widget("service-general"), kiosk_ui.widget("service-vip")
    assert long_one.natural_height > general.natural_height  # the long name needs more room ...
    assert_rows_line_up(kiosk_ui)  # ... and its neighbour grows with it
    h.screenshot("kiosk-home-long-name")


def test_cap_reached_is_greyed_with_the_reason(hall_daemon: Daemon, make_kiosk) -> None:
    api = hall_daemon.api("kiosk-token-1")
    while api.post("/tickets", {"service": "capped"}).status_code == 201:
        pass
    kiosk_ui = make_kiosk(hall_daemon.base)
    capped = kiosk_ui.widget("service-capped")
    assert capped.disabled and "号源已满" in capped.reason


def test_language_switch_shows_english(kiosk_ui: Kiosk) -> None:
    kiosk_ui.tap("language")
    kiosk_ui.wait(lambda: kiosk_ui.widget("home-title").text == "Choose a service")
    assert kiosk_ui.widget("service-general").title == "General"
    assert "next opening" in kiosk_ui.widget("service-daytime").reason
    assert kiosk_ui.widget("help").text == "Call staff for help"
    assert kiosk_ui.widget("language").text == "中文"
    h.screenshot("kiosk-home-en")
    kiosk_ui.tap("language")
    kiosk_ui.wait(lambda: kiosk_ui.widget("home-title").text == "请选择要办理的业务")


def test_large_text_mode_enlarges_every_font_and_still_fits(kiosk_ui: Kiosk) -> None:
    before = {
        hall_id: kiosk_ui.widget(hall_id).font_size for hall_id in ("home-title", "help", "guide")
    }
    kiosk_ui.tap("large-text")
    h.idle(3)
    for hall_id, size in before.items():
        assert kiosk_ui.widget(hall_id).font_size >= 1.35 * size
    assert kiosk_ui.widget("large-text").text == "标准字"
    assert_rows_line_up(kiosk_ui)
    h.screenshot("kiosk-home-large")
    # The take screen still fits the window in large text: the take button is on screen.
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    take = kiosk_ui.widget("take")
    x, y = take.to_window(take.x, take.y)
    assert y >= 0 and take.height >= 120
    kiosk_ui.tap("back")
    kiosk_ui.on("home")
    kiosk_ui.tap("large-text")
    assert kiosk_ui.widget("home-title").font_size == before["home-title"]


def test_help_button_reaches_the_staff(hall_daemon: Daemon, make_kiosk) -> None:
    kiosk_ui = make_kiosk(hall_daemon.base, name="kiosk-help")
    # Staff and managers are told; the lobby display gets calls and counts only (issue 13).
    events = SseReader(hall_daemon.base, "manager-token-1")
    try:
        kiosk_ui.tap("help")
        kiosk_ui.wait(lambda: kiosk_ui.root.home.note_kind == "ok")
        assert kiosk_ui.widget("home-note").text == "已通知工作人员，请在此稍候"
        assert events.next_of("help.requested").data["where"] == "kiosk-help"
    finally:
        events.close()
    # The note goes away by itself.
    kiosk_ui.root.tick(kiosk_ui.root.note_until)
    assert kiosk_ui.root.home.note == ""


def test_guide_is_browsable(kiosk_ui: Kiosk) -> None:
    kiosk_ui.tap("guide")
    kiosk_ui.on("guide")
    assert kiosk_ui.widget("guide-title").text == "综合受理（一窗通办）"
    shown = h.texts(kiosk_ui.root.guide)
    assert "申请材料" in shown and "投诉电话 12345" in shown
    assert any(text.startswith("1、申请人有效身份证件") for text in shown)
    kiosk_ui.tap("guide-real_estate")
    kiosk_ui.wait(lambda: kiosk_ui.widget("guide-title").text == "不动产登记")
    assert "承诺时限：5 个工作日" in h.texts(kiosk_ui.root.guide)
    h.screenshot("kiosk-guide")
    kiosk_ui.tap("language")
    kiosk_ui.wait(lambda: kiosk_ui.widget("guide-title").text == "Real estate registration")
    assert "What to bring" in h.texts(kiosk_ui.root.guide)
    kiosk_ui.tap("back")
    kiosk_ui.on("home")


def test_english_mode_shows_the_hall_name_and_footer_in_english(
    hall_daemon: Daemon, make_kiosk
) -> None:
    kiosk_ui = make_kiosk(hall_daemon.base, ctx_extra={"hall_name_en": "Test Service Hall"})
    assert kiosk_ui.widget("hall-name").text == "测试大厅"
    kiosk_ui.tap("language")
    kiosk_ui.wait(lambda: kiosk_ui.widget("home-title").text == "Choose a service")
    assert kiosk_ui.widget("hall-name").text == "Test Service Hall"
    footer = kiosk_ui.widget("home-footer").text
    assert footer and not HAN.search(footer), footer
    # 自助申报 is submitting here, at this kiosk, at any hour: not "online".
    assert kiosk_ui.widget("submit").text == "Self-service application (24 h)"
    kiosk_ui.tap("language")
    kiosk_ui.wait(lambda: kiosk_ui.widget("hall-name").text == "测试大厅")
    assert kiosk_ui.widget("submit").text == "自助申报（24小时）"


def test_appointment_check_in_starts_from_home(kiosk_ui: Kiosk) -> None:
    kiosk_ui.tap("home-checkin")
    assert kiosk_ui.widget("home-title").text == "预约签到：请选择您预约的业务"
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    take = kiosk_ui.root.take
    assert take.mode == "code" and kiosk_ui.widget("appt-by-id").opacity == 1
    kiosk_ui.tap("back")
    kiosk_ui.on("home")
    # Back home the cards take numbers again.
    assert kiosk_ui.widget("home-title").text == "请选择要办理的业务"
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    assert kiosk_ui.root.take.mode == "id"
    kiosk_ui.tap("back")
    kiosk_ui.on("home")
