"""Tap → ticket on screen and on paper; paper out; ticket and idle time-outs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

import tests.kivy_harness as h
from hall.drivers.sim.printer import SimState
from tests.escpos_decode import decode
from tests.support import Daemon

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def devices(daemon: Daemon) -> dict[str, dict]:
    return {d["id"]: d for d in daemon.api("manager-token-1").get("/devices").json()}


def take_general(kiosk_ui: Kiosk) -> None:
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    kiosk_ui.tap("take")
    kiosk_ui.on("ticket")


def test_tap_shows_and_prints_the_ticket_the_daemon_issued(
    hall_daemon: Daemon, kiosk_ui: Kiosk
) -> None:
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    h.screenshot("kiosk-take")
    kiosk_ui.tap("take")
    kiosk_ui.on("ticket")
    ticket_screen = kiosk_ui.root.ticket
    kiosk_ui.wait(lambda: ticket_screen.print_state == "printed")
    issued = hall_daemon.api("kiosk-token-1").get(f"/tickets/{ticket_screen.ticket_id}").json()
    number = issued["number"]
    assert kiosk_ui.widget("ticket-number").text == number and number.startswith("A")
    assert kiosk_ui.widget("ticket-service").text == "综合受理"
    assert kiosk_ui.widget("ticket-ahead").text == f"前面还有 {issued['ahead']} 人等候"
    assert "请取走号票" in kiosk_ui.widget("print-status").text
    # The ticket page's link with the ticket's rating key (k=), which no other view shows.
    follow = ticket_screen.qr_payload
    assert follow.startswith(f"{hall_daemon.base}/t/{issued['id']}?k=")
    assert len(follow.partition("?k=")[2]) >= 22 and ticket_screen.qr is not None
    page = requests.get(follow, timeout=10)  # what a phone opens from the QR code
    assert page.status_code == 200 and number in page.text
    printed = decode(kiosk_ui.sim.output)
    assert {number, "综合受理", kiosk_ui.root.ctx.hall_name} <= set(printed.text_lines)
    assert printed.qr == [follow] and printed.cuts == 1
    h.screenshot("kiosk-ticket")
    # The ticket leaves after ticket_screen_s and nothing of it stays on screen.
    kiosk_ui.root.tick(kiosk_ui.root.ticket_deadline - 0.1)
    assert kiosk_ui.root.current == "ticket"
    kiosk_ui.root.tick(kiosk_ui.root.ticket_deadline)
    kiosk_ui.on("home")
    assert ticket_screen.number == "" and ticket_screen.qr is None


def test_paper_out_keeps_the_number_on_screen_and_tells_the_daemon(
    hall_daemon: Daemon, make_kiosk
) -> None:
    kiosk_ui = make_kiosk(hall_daemon.base, name="kiosk-paper")
    kiosk_ui.sim.model.state = SimState.PAPER_OUT
    take_general(kiosk_ui)
    ticket_screen = kiosk_ui.root.ticket
    kiosk_ui.wait(lambda: ticket_screen.print_state == "failed")
    assert ticket_screen.number.startswith("A") and kiosk_ui.sim.output == b""
    notice = kiosk_ui.widget("print-status").text
    assert "缺纸" in notice and "请记住您的号码" in notice
    reported = devices(hall_daemon)["printer@kiosk-paper"]
    assert reported["status"] == "paper_out" and reported["kind"] == "printer"
    # Stays ticket_screen_no_print_s (30 s here), not ticket_screen_s (10 s).
    shown = ticket_screen.shown_at
    kiosk_ui.root.tick(shown + 20)
    assert kiosk_ui.root.current == "ticket"
    kiosk_ui.root.tick(shown + 30)
    kiosk_ui.on("home")


def test_idle_timeout_returns_home_and_clears_the_typed_id(kiosk_ui: Kiosk) -> None:
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    kiosk_ui.type("110105194912")
    assert kiosk_ui.widget("entry").text == "110105 194912"
    touched = kiosk_ui.root.last_touch
    kiosk_ui.root.tick(touched + 4.9)  # idle_timeout_s is 5 here
    assert kiosk_ui.root.current == "take"
    kiosk_ui.clock.advance(5)
    kiosk_ui.on("home")
    assert kiosk_ui.root.take.id_entry.value == "" and kiosk_ui.root.take.shown == ""
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    assert kiosk_ui.widget("entry").text != "110105 194912" and kiosk_ui.root.take.id_entry.empty


def test_refresh_after_a_ticket_shows_the_new_waiting_count(kiosk_ui: Kiosk) -> None:
    before = kiosk_ui.root.home.service_button("vip").status
    kiosk_ui.tap("service-vip")
    kiosk_ui.on("take")
    kiosk_ui.tap("take")
    kiosk_ui.on("ticket")
    kiosk_ui.wait(lambda: kiosk_ui.root.ticket.print_state == "printed")
    kiosk_ui.tap("done")
    kiosk_ui.on("home")
    kiosk_ui.wait(lambda: kiosk_ui.root.home.service_button("vip").status != before)
    assert "等候" in kiosk_ui.root.home.service_button("vip").status


def test_priority_ticket_shows_its_kind_and_waiting_area(hall_daemon: Daemon, make_kiosk) -> None:
    kiosk_ui = make_kiosk(
        hall_daemon.base, name="kiosk-area", ctx_extra={"service_areas": {"general": "综合受理区"}}
    )
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    kiosk_ui.tap("priority")
    kiosk_ui.tap("take")
    kiosk_ui.on("ticket")
    kiosk_ui.wait(lambda: kiosk_ui.root.ticket.print_state == "printed")
    assert kiosk_ui.widget("ticket-kind").text == "优先办理（绿色通道）"
    assert kiosk_ui.widget("ticket-area").text == "请到 综合受理区 等候"
    issued = kiosk_ui.root.ticket.issued.ticket
    ahead = kiosk_ui.widget("ticket-wait").text
    assert issued["ahead"] == 0 or "很快" not in ahead
    printed = decode(kiosk_ui.sim.output).text_lines
    assert "优先办理（绿色通道）" in printed and "请到 综合受理区 等候" in printed
    h.screenshot("kiosk-ticket-priority")
    kiosk_ui.tap("language")
    assert kiosk_ui.widget("ticket-kind").text == "Priority (green channel)"
    assert kiosk_ui.widget("ticket-area").text == "Please wait in: 综合受理区"
    kiosk_ui.tap("language")


def test_normal_ticket_shows_no_priority_line(kiosk_ui: Kiosk) -> None:
    take_general(kiosk_ui)
    assert kiosk_ui.widget("ticket-kind").text == ""
    assert kiosk_ui.widget("ticket-kind").height == 0
