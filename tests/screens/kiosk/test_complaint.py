"""投诉建议 at the kiosk in real Kivy frames: topics, window, the printed receipt, idle, layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from kivy.metrics import dp

import tests.kivy_harness as h
from hall.screens.kiosk.ui import ui
from tests.escpos_decode import decode
from tests.support import Daemon

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def fill_form(kiosk_ui: Kiosk, topic: str = "attitude", window: str = "2") -> None:
    kiosk_ui.tap("complaint")
    kiosk_ui.on("complaint")
    kiosk_ui.tap(f"topic-{topic}")
    for key in window:
        kiosk_ui.tap(f"complaint-key-{key}")


def test_a_complaint_from_home_prints_a_receipt_with_its_follow_key(
    hall_daemon: Daemon, kiosk_ui: Kiosk
) -> None:
    screen = kiosk_ui.root.complaint
    kiosk_ui.tap("complaint")
    kiosk_ui.on("complaint")
    assert kiosk_ui.widget("complaint-send").disabled  # nothing chosen yet
    kiosk_ui.tap("topic-wait")
    kiosk_ui.tap("topic-attitude")  # another tap changes the topic
    for key in "0120":  # a leading 0 is ignored; three digits at most
        kiosk_ui.tap(f"complaint-key-{key}")
    assert kiosk_ui.widget("complaint-window").text == "120"
    kiosk_ui.tap("complaint-key-del")
    kiosk_ui.tap("complaint-key-del")
    assert kiosk_ui.widget("complaint-window").text == "1"
    kiosk_ui.tap("complaint-send")
    kiosk_ui.wait(lambda: screen.state == "done" and screen.print_state == "printed")
    receipt = screen.receipt
    # Received Tue 06-02; the test hall is closed 06-02 and 06-03: Thu 04, Fri 05, Mon 08.
    assert receipt.id.startswith("TS20260602") and receipt.due_on == "2026-06-08"
    assert kiosk_ui.widget("complaint-receipt-id").text == f"投诉编号：{receipt.id}"
    assert kiosk_ui.widget("complaint-key").text == f"查询码：{receipt.follow_key}"
    assert "请取走投诉回执" in kiosk_ui.widget("complaint-print").text
    assert screen.qr is not None
    h.screenshot("kiosk-complaint-receipt")
    stored = hall_daemon.api("manager-token-1").get(f"/complaints/{receipt.id}").json()
    assert (stored["channel"], stored["taken_by"], stored["subject_window"]) == (
        "kiosk",
        "kiosk kiosk-t",
        1,
    )
    assert stored["summary"] == "自助终端投诉：服务态度不好（1号窗口）"
    printed = decode(kiosk_ui.sim.output)
    assert {"投诉回执", f"投诉编号 {receipt.id}", f"查询码 {receipt.follow_key}"} <= set(
        printed.text_lines
    )
    assert "答复期限 2026-06-08" in printed.text_lines
    assert printed.qr == [receipt.follow_url] and printed.cuts == 1
    assert receipt.follow_url.endswith(f"/complaint?id={receipt.id}&k={receipt.follow_key}")
    page = requests.get(  # what a phone opens from the QR code (same host in the tests)
        hall_daemon.base + "/complaint",
        params={"id": receipt.id, "k": receipt.follow_key},
        timeout=10,
    )
    assert page.status_code == 200 and receipt.id in page.text
    kiosk_ui.tap("complaint-back")  # 返回首页
    kiosk_ui.on("home")
    assert screen.receipt is None and screen.qr is None and screen.topic == ""


def test_idle_returns_home_and_clears_the_form(kiosk_ui: Kiosk) -> None:
    root = kiosk_ui.root
    fill_form(kiosk_ui)
    assert root.complaint.topic == "attitude" and root.complaint.window_text == "2"
    kiosk_ui.clock.now = root.last_touch + kiosk_ui.settings.idle_timeout_s
    root.tick()
    kiosk_ui.on("home")
    assert root.complaint.topic == "" and root.complaint.window_text == ""


def test_the_screen_fits_in_every_mode_with_large_targets(kiosk_ui: Kiosk) -> None:
    from tests.screens.kiosk_support import layout_problems, target_sizes

    def one_line(widget: object) -> bool:  # Chinese buttons take one line
        return ui.lang == "zh" and type(widget).__name__ == "FlatButton"

    found, sizes = {}, {}
    try:
        for lang in ("zh", "en"):
            for large in (False, True):
                ui.set_language(lang)
                ui.set_large(large)
                kiosk_ui.root.go_home()
                kiosk_ui.on("home")
                fill_form(kiosk_ui, "runs", "12")
                h.idle(3)
                screen = kiosk_ui.root.current_screen
                found[lang, large] = layout_problems(screen, one_line)
                sizes[lang, large] = target_sizes(screen)
                h.screenshot(f"kiosk-complaint-{lang}-{'large' if large else 'normal'}")
    finally:
        ui.set_language("zh")
        ui.set_large(False)
    assert {k: v for k, v in found.items() if v} == {}
    for lang in ("zh", "en"):
        for hall_id, (w, h_) in sizes[lang, True].items():
            assert min(w, h_) >= dp(60), (lang, hall_id, w, h_)
            nw, nh = sizes[lang, False][hall_id]
            assert w >= nw - 1 and h_ >= nh - 1, (lang, hall_id)
