"""自助申报, the result: the notice (受理通知书 / 补正材料通知书) on screen and on paper.

Shown only once the case is durable on the terminal. The key facts (title,
receipt number, promised date or every missing material) are shown in the
language chosen; below them the notice as printed (Chinese, the official
document) and its QR code. If the printer fails, the notice stays on screen
longer and asks the citizen to photograph it or note the receipt number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty

from hall.kiosk.notices import Notice, notice_lines
from hall.kiosk.ticketing import PrintOutcome
from hall.screens.kiosk_ticket import qr_texture
from hall.screens.kiosk_ui import ui
from hall.screens.kiosk_widgets import KioskScreen

_PRINT_KEYS = {
    None: "notice.printing",
    PrintOutcome.PRINTED: "notice.printed",
    PrintOutcome.PAPER_OUT: "notice.paper_out",
    PrintOutcome.OFFLINE: "notice.printer_offline",
    PrintOutcome.NO_PRINTER: "notice.no_printer",
}


class NoticeScreen(KioskScreen):
    """The notice of a stored case, what became of the paper, and "done"."""

    kind = OptionProperty("accept", options=["accept", "correct"])
    title = StringProperty("")
    receipt = StringProperty("")
    key_text = StringProperty("")
    body_text = StringProperty("")
    print_state = OptionProperty("none", options=["none", "printing", "printed", "failed"])
    print_text = StringProperty("")
    qr = ObjectProperty(None, allownone=True)
    countdown = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self.notice: Notice | None = None
        self.outcome: PrintOutcome | None = None
        self.shown_at = 0.0
        super().__init__(**kwargs)

    def show(self, notice: Notice) -> None:
        """Show a stored case's notice, "printing" until :meth:`show_print`."""
        self.notice = notice
        self.outcome = None
        self.shown_at = self.kiosk.clock()
        self.kind = "accept" if notice.is_acceptance else "correct"
        self.qr = qr_texture(notice.progress_url)
        self.print_state = "printing"
        self.relabel()
        self.ids.scroll.scroll_y = 1

    def show_print(self, outcome: PrintOutcome) -> None:
        """Whether the paper came out, and what to do if not."""
        self.outcome = outcome
        self.print_state = "printed" if outcome is PrintOutcome.PRINTED else "failed"
        self.relabel()

    def relabel(self) -> None:
        """Key facts and print status in the current language."""
        n = self.notice
        if n is None:
            return
        self.receipt = n.receipt
        if n.is_acceptance:
            self.title = ui.t("notice.title_accept")
            when = (
                ui.t("notice.promised", date=n.promised.isoformat())
                if n.promised
                else ui.t("notice.promised_now")
            )
            self.key_text = when
        else:
            self.title = ui.t("notice.title_correct")
            items = "\n".join(f"{i}. {name}" for i, name in enumerate(n.missing, 1))
            self.key_text = ui.t("notice.missing", count=len(n.missing)) + "\n" + items
        self.body_text = "\n".join(notice_lines(n)[2:])
        self.print_text = ui.t(_PRINT_KEYS[self.outcome], receipt=n.receipt)

    def clear_personal(self) -> None:
        """Take the notice off the screen."""
        self.notice = None
        self.outcome = None
        self.title = self.receipt = self.key_text = self.body_text = self.print_text = ""
        self.qr = None
        self.print_state = "none"


Builder.load_file(str(Path(__file__).with_name("kiosk_notice.kv")))
