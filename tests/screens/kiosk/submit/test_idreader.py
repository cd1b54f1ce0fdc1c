"""An ID card reader on the kiosk: a card read fills the ID where the citizen is asked for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hall.drivers.idreader import IdCardReader
from tests.kivy_harness import idle, idle_until
from tests.support import Daemon, make_id

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, make_kiosk

NUMBER = make_id("11010519800101123")


def test_a_card_on_the_take_screen_fills_the_id(hall_daemon: Daemon, make_kiosk) -> None:
    reader = IdCardReader(on_card=lambda _card: None)
    kiosk_ui: Kiosk = make_kiosk(
        hall_daemon.base, name="kiosk-idr", ctx_extra={"id_reader": reader}
    )
    reader.feed(f"{NUMBER},张三\r\n".encode())  # on the home screen: ignored, nothing kept
    idle(3)  # the card's callback runs on the next frames
    kiosk_ui.tap("service-general")
    kiosk_ui.on("take")
    assert kiosk_ui.root.take.id_entry.value == ""
    reader.feed(f"{NUMBER},张三\r\n".encode())  # the reader's thread in real life
    assert idle_until(lambda: kiosk_ui.root.take.id_entry.value == NUMBER, 5)
    assert not kiosk_ui.widget("take").disabled
    kiosk_ui.tap("take")
    kiosk_ui.on("ticket")
    ticket = hall_daemon.api("kiosk-token-1").get(f"/tickets/{kiosk_ui.root.ticket.ticket_id}")
    assert ticket.json()["status"] == "waiting"
