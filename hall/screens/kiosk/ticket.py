"""The ticket (号票) on screen: number, service, time, people ahead, wait, QR code.

It shows as soon as the daemon issued the number, says "printing" until the
printer answered, then either "please take your ticket" or, when the printer
needs attention, asks the citizen to remember the number (and stays longer).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import qrcode
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty

from hall.kiosk.ticketing import IssuedTicket, PrintOutcome, TakeResult, wait_line
from hall.screens.kiosk.ui import keep_numbers, ui
from hall.screens.kiosk.widgets import KioskScreen


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules of ``payload`` (~35 ms of pure Python: call it off the UI thread)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def qr_texture(payload: str, matrix: list[list[bool]] | None = None) -> Texture:
    """A QR code of ``payload`` as a texture, one texel per module (draw it with nearest filtering)."""
    matrix = matrix or qr_matrix(payload)
    size = len(matrix)
    # RGBA keeps every row 4-byte aligned whatever the module count; rows go bottom-up in GL.
    dark, light = b"\x00\x00\x00\xff", b"\xff\xff\xff\xff"
    pixels = b"".join(dark if cell else light for row in reversed(matrix) for cell in row)
    texture = Texture.create(size=(size, size), colorfmt="rgba")
    texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class TicketScreen(KioskScreen):
    """The issued ticket, its QR code and what became of the paper ticket."""

    ticket_id = StringProperty("")
    number = StringProperty("")
    service_name = StringProperty("")
    kind_text = StringProperty("")  # 优先 / 预约: called before the others
    area_text = StringProperty("")  # where to wait
    ahead_text = StringProperty("")
    wait_text = StringProperty("")
    time_text = StringProperty("")
    qr_payload = StringProperty("")
    qr = ObjectProperty(None, allownone=True)
    print_state = OptionProperty("none", options=["none", "printing", "printed", "failed"])
    print_text = StringProperty("")
    countdown = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self.issued: IssuedTicket | None = None
        self.result: TakeResult | None = None
        self.shown_at = 0.0
        super().__init__(**kwargs)

    def show(self, issued: IssuedTicket, matrix: list[list[bool]] | None = None) -> None:
        """Show a newly issued ticket, "printing" until :meth:`show_print`."""
        self.issued = issued
        self.result = None
        self.shown_at = self.kiosk.clock() if self.kiosk else time.monotonic()
        self.ticket_id = issued.ticket["id"]
        self.qr_payload = issued.layout.qr_payload
        self.qr = qr_texture(self.qr_payload, matrix)
        self.print_state = "printing"
        self.relabel()

    def show_print(self, result: TakeResult) -> None:
        """Whether the paper ticket came out, and what to do if not."""
        self.result = result
        self.print_state = "printed" if result.printed else "failed"
        self.relabel()

    def relabel(self) -> None:
        """Every text of the ticket in the current language."""
        if self.issued is None:
            return
        layout = self.issued.layout
        self.number = layout.number
        self.service_name = self.issued.service_name(ui.lang)
        self.kind_text = (
            ui.t(f"ticket.kind_{layout.kind}") if layout.kind in ("priority", "appointment") else ""
        )
        self.area_text = ui.t("ticket.area", area=layout.area) if layout.area else ""
        self.ahead_text = ui.t("ticket.ahead", ahead=layout.ahead)
        self.wait_text = wait_line(self.issued.ticket, ui.t)
        self.time_text = ui.t(
            "ticket.time", time=keep_numbers(f"{layout.issued_at:%Y-%m-%d %H:%M}")
        )
        outcome = self.result.outcome if self.result else None
        self.print_text = {
            None: ui.t("ticket.printing"),
            PrintOutcome.PRINTED: ui.t("ticket.printed"),
            PrintOutcome.PAPER_OUT: ui.t("ticket.paper_out"),
            PrintOutcome.OFFLINE: ui.t("ticket.printer_offline"),
            PrintOutcome.NO_PRINTER: ui.t("ticket.no_printer"),
        }[outcome]

    def clear_personal(self) -> None:
        """Take the ticket off the screen."""
        self.issued = None
        self.result = None
        self.ticket_id = self.number = self.service_name = ""
        self.kind_text = self.area_text = ""
        self.ahead_text = self.wait_text = self.time_text = self.print_text = ""
        self.qr_payload = ""
        self.qr = None
        self.print_state = "none"


Builder.load_file(str(Path(__file__).with_name("ticket.kv")))
