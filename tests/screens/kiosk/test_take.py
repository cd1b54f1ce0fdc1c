"""The take-a-number screen: ID number keypad, appointment check-in, priority, refusals."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import tests.kivy_harness as h
from hall.idnumber import check_char, mask_id_number
from tests.support import Daemon

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def valid_id(first17: str) -> str:
    return first17 + check_char(first17)


def open_take(kiosk_ui: Kiosk, code: str = "general") -> None:
    kiosk_ui.tap(f"service-{code}")
    kiosk_ui.on("take")


def issued_ticket(daemon: Daemon, kiosk_ui: Kiosk) -> dict:
    kiosk_ui.on("ticket")
    return daemon.api("kiosk-token-1").get(f"/tickets/{kiosk_ui.root.ticket.ticket_id}").json()


def test_wrong_check_digit_is_shown_and_blocks_taking(hall_daemon: Daemon, kiosk_ui: Kiosk) -> None:
    good = valid_id("11010519800101123")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    open_take(kiosk_ui)
    kiosk_ui.type(wrong[:17])
    assert kiosk_ui.widget("entry-hint").text == "已输入 17 / 18 位"
    assert kiosk_ui.widget("take").disabled  # 17 characters: not a number yet
    kiosk_ui.type(wrong[17])
    assert kiosk_ui.widget("entry-hint").text == "身份证号码校验位不正确,请核对号码"
    assert kiosk_ui.widget("take").disabled
    kiosk_ui.root.take.take()  # even when called directly, nothing is asked of the daemon
    assert kiosk_ui.root.current == "take" and not kiosk_ui.root.take.busy
    kiosk_ui.type("<" + good[17])
    assert kiosk_ui.widget("entry").text == mask_id_number(good)  # complete: masked
    assert kiosk_ui.widget("entry-hint").text == "已输入 18 / 18 位"
    assert not kiosk_ui.widget("take").disabled
    kiosk_ui.tap("take")
    assert issued_ticket(hall_daemon, kiosk_ui)["number"] == kiosk_ui.root.ticket.number
    assert kiosk_ui.root.take.id_entry.empty  # cleared once the ticket is out


def test_an_x_in_the_middle_is_refused_at_once(kiosk_ui: Kiosk) -> None:
    open_take(kiosk_ui)
    kiosk_ui.type("1101X")
    assert "最后一位为数字或X" in kiosk_ui.widget("entry-hint").text
    assert kiosk_ui.widget("take").disabled
    kiosk_ui.type("<")
    assert kiosk_ui.widget("entry-hint").text == "已输入 4 / 18 位"


def test_daemon_refusal_is_shown_in_the_current_language(
    hall_daemon: Daemon, kiosk_ui: Kiosk
) -> None:
    person = valid_id("32010619750505223")
    api = hall_daemon.api("kiosk-token-1")
    for _ in range(2):  # general: per_person_daily_limit 2
        assert api.post("/tickets", {"service": "general", "id_number": person}).ok
    open_take(kiosk_ui)
    kiosk_ui.type(person)
    kiosk_ui.tap("take")
    kiosk_ui.wait(lambda: kiosk_ui.root.take.error)
    assert kiosk_ui.root.current == "take" and kiosk_ui.widget("take-error").text
    zh = kiosk_ui.widget("take-error").text
    assert any("\u4e00" <= c <= "\u9fff" for c in zh)
    kiosk_ui.tap("language")
    kiosk_ui.tap("take")
    kiosk_ui.wait(lambda: kiosk_ui.root.take.error and kiosk_ui.root.take.error != zh)
    assert kiosk_ui.widget("take-error").text.isascii()


def test_appointment_check_in_by_code(hall_daemon: Daemon, kiosk_ui: Kiosk) -> None:
    now = hall_daemon.now()
    slot = {
        "service": "vip",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
    }
    code = hall_daemon.api("manager-token-1").post("/appointments", slot).json()["code"]
    open_take(kiosk_ui, "vip")
    kiosk_ui.tap("mode-code")
    assert kiosk_ui.widget("key-X").disabled
    kiosk_ui.type(code[:7])
    assert kiosk_ui.widget("take").disabled
    kiosk_ui.type(code[7])
    assert kiosk_ui.widget("entry").text == code
    kiosk_ui.tap("take")
    assert issued_ticket(hall_daemon, kiosk_ui)["kind"] == "appointment"


def test_priority_where_the_service_allows_it(hall_daemon: Daemon, kiosk_ui: Kiosk) -> None:
    open_take(kiosk_ui, "other")  # allow_priority: false
    assert kiosk_ui.widget("priority").disabled and kiosk_ui.widget("priority").height == 0
    kiosk_ui.tap("back")
    kiosk_ui.on("home")
    open_take(kiosk_ui, "vip")
    kiosk_ui.tap("priority")
    assert kiosk_ui.root.take.priority and "已选择" in kiosk_ui.widget("priority").text
    kiosk_ui.tap("take")
    assert issued_ticket(hall_daemon, kiosk_ui)["kind"] == "priority"


def test_a_complete_id_number_is_masked_on_screen(kiosk_ui: Kiosk) -> None:
    good = valid_id("11010519800101123")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    open_take(kiosk_ui)
    kiosk_ui.type(wrong)  # an error: the number stays on screen while the citizen reads why
    assert (
        kiosk_ui.widget("entry").text == mask_id_number(wrong) == wrong[:4] + "*" * 10 + wrong[-4:]
    )
    assert "校验位" in kiosk_ui.widget("entry-hint").text
    screen = " ".join(h.texts(kiosk_ui.root.take))
    assert wrong not in screen.replace(" ", "") and wrong[6:14] not in screen
    kiosk_ui.type("<")  # 17 again: shown to be corrected, grouped for reading
    assert kiosk_ui.widget("entry").text == f"{good[:6]} {good[6:14]} {good[14:17]}"


def test_mask_id_number() -> None:
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("1101") == "1101"  # too short to hide anything
