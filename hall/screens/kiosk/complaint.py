"""投诉建议 at the kiosk: a few large topic buttons, the window (optional), a printed receipt.

Reached from home (the 投诉建议 button). The citizen taps what the complaint is about
(hall/kiosk/complaint_receipt.py TOPICS), may type the window's number on the keypad, and
sends it; the daemon answers the complaint number, the reply deadline and a follow key,
shown with the follow-up page's QR code and printed on the ticket printer. Idle returns
home and clears everything (the root's idle rule); leaving clears it too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ObjectProperty, OptionProperty, StringProperty

from hall.drivers.errors import DriverError, PaperOut
from hall.kiosk.client import DaemonError
from hall.kiosk.complaint_receipt import TOPICS, ComplaintReceipt, body, receipt_elements
from hall.kiosk.entry import DELETE
from hall.screens.kiosk.keypad import Keypad  # noqa: F401 - used in kv
from hall.screens.kiosk.ticket import qr_matrix, qr_texture
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen

log = logging.getLogger(__name__)
#: Window numbers are at most this many digits (config windows: 1..999).
WINDOW_DIGITS = 3


class ComplaintScreen(KioskScreen):
    """The form (topic, window), then the receipt."""

    topic = StringProperty("")
    window_text = StringProperty("")
    state = OptionProperty("form", options=["form", "sending", "done"])
    error = StringProperty("")
    receipt_id = StringProperty("")
    follow_key = StringProperty("")
    due_text = StringProperty("")
    print_text = StringProperty("")
    qr = ObjectProperty(None, allownone=True)
    print_state = StringProperty("")  # printed | paper_out | offline | no_printer

    def __init__(self, **kwargs: Any) -> None:
        self.receipt: ComplaintReceipt | None = None
        super().__init__(**kwargs)
        self._build_topics()

    def _build_topics(self) -> None:
        grid = self.ids.topics
        grid.clear_widgets()
        for code in TOPICS:
            chosen = code == self.topic
            button = FlatButton(
                hall_id=f"topic-{code}",
                text=ui.t(f"complaint.topic_{code}"),
                font_base=34,
                size_hint_y=None,
                height=120 * ui.box,
                bg=Palette.BLUE if chosen else Palette.CARD,
                fg=Palette.WHITE if chosen else Palette.BLUE,
            )
            button.bind(
                on_release=lambda _b, c=code: self.choose(c),
                texture_size=lambda b, size: setattr(b, "height", max(120 * ui.box, size[1] + 24)),
            )
            grid.add_widget(button)

    def open(self) -> None:
        """A fresh form."""
        self.clear_personal()

    def choose(self, code: str) -> None:
        """A topic was tapped (tapping another changes it)."""
        self.topic = code
        self.error = ""
        self._build_topics()

    def press(self, key: str) -> None:
        """A keypad key: the window's number."""
        if key == DELETE:
            self.window_text = self.window_text[:-1]
        elif len(self.window_text) < WINDOW_DIGITS and not (key == "0" and not self.window_text):
            self.window_text += key

    def send(self) -> None:
        """Lodge the complaint on the worker, then print the receipt there."""
        if not self.topic or self.state != "form" or self.kiosk is None:
            return
        self.state = "sending"
        self.error = ""
        window = int(self.window_text) if self.window_text else None
        kiosk = self.kiosk

        def job() -> tuple[ComplaintReceipt, list[list[bool]], str]:
            receipt = ComplaintReceipt.of(
                kiosk.ctx.client.lodge_complaint(body(self.topic, window))
            )
            matrix = qr_matrix(receipt.follow_url)
            return receipt, matrix, self._print(receipt)

        kiosk.run_job(job, self._done, self._refused)

    def _print(self, receipt: ComplaintReceipt) -> str:
        """Print the receipt (worker thread): what became of the paper."""
        printer = self.kiosk.ctx.printer
        if printer is None:
            return "no_printer"
        try:
            printer.print_elements(
                receipt_elements(self.kiosk.ctx.hall_name, receipt), f"投诉回执 {receipt.id}"
            )
            outcome = "printed"
        except PaperOut:
            outcome = "paper_out"
        except DriverError as exc:  # PrinterOffline and any other driver failure
            log.warning("complaint receipt %s not printed: %s", receipt.id, exc)
            outcome = "offline"
        self.kiosk.desk.report_printer(printer.health)  # as after a ticket (ticketing.py)
        return outcome

    def _done(self, found: tuple[ComplaintReceipt, list[list[bool]], str]) -> None:
        receipt, matrix, printed = found
        if self.state != "sending":  # left (idle) while it was sent: show nothing
            return
        self.receipt = receipt
        self.print_state = printed
        self.qr = qr_texture(receipt.follow_url, matrix)
        self.state = "done"
        self.relabel()

    def _refused(self, err: DaemonError) -> None:
        self.state = "form"
        self.error = err.text(ui.lang)

    def relabel(self) -> None:
        """Topic buttons and the receipt's lines in the current language."""
        self._build_topics()
        if self.receipt is None:
            return
        self.receipt_id = ui.t("complaint.receipt_id", id=self.receipt.id)
        self.follow_key = ui.t("complaint.receipt_key", code=self.receipt.follow_key)
        self.due_text = ui.t("complaint.receipt_due", day=self.receipt.due_on)
        self.print_text = ui.t(f"complaint.print_{self.print_state}")

    def clear_personal(self) -> None:
        """Forget the topic, window and receipt (idle, home)."""
        self.receipt = None
        self.print_state = ""
        self.topic = self.window_text = self.error = ""
        self.receipt_id = self.follow_key = self.due_text = self.print_text = ""
        self.qr = None
        self.state = "form"
        if "topics" in self.ids:
            self._build_topics()


Builder.load_file(str(Path(__file__).with_name("complaint.kv")))
