"""Home (首页): the hall's services as large touch targets, help, guide, language, text size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from hall.kiosk.outbox_status import StatusLine
from hall.kiosk.ticketing import ServiceCard, service_cards
from hall.screens.kiosk.ui import keep_numbers, ui
from hall.screens.kiosk.widgets import KioskScreen

#: A service card is at least this tall (px) at normal text size.
CARD_HEIGHT = 150
#: Half-width marks in Chinese text from the daemon, shown full-width (（） break better).
_FULL_WIDTH = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}
_BESIDE_HAN = re.compile(r"(?<=[\u3400-\u9fff])[(),:;]|[(),:;](?=[\u3400-\u9fff])")


def reason_text(reason: str, lang: str) -> str:
    r"""Why a service is closed, one clause a line: "当前不在取号时间，\n下次取号时间：…".

    Kivy breaks Chinese anywhere, "12月 / 7日" too; a line per clause keeps dates whole.
    """
    if lang != "zh":
        return keep_numbers(reason)
    text = _BESIDE_HAN.sub(lambda m: _FULL_WIDTH[m.group(0)], reason)
    for mark in ("，", "；", "。"):
        text = text.replace(mark, mark + "\n")
    return keep_numbers(text.strip())


class ServiceButton(ButtonBehavior, BoxLayout):
    """One service: name, people waiting and estimated wait, or why it is closed."""

    hall_id = StringProperty("")
    code = StringProperty("")
    title = StringProperty("")
    prefix = StringProperty("")
    status = StringProperty("")
    reason = StringProperty("")
    accepting = BooleanProperty(True)
    natural_height = NumericProperty(0)  # what its own texts need
    row_height = NumericProperty(0)  # the tallest card of its row: a row's cards line up

    def show(self, card: ServiceCard) -> None:
        """Show one service card."""
        self.code = card.code
        self.hall_id = f"service-{card.code}"
        self.title = card.name
        self.prefix = card.prefix
        self.accepting = card.accepting
        if not card.accepting:
            self.status = ui.t("home.not_accepting")
            self.reason = reason_text(card.reason or "", ui.lang)
        else:
            self.reason = ""
            if card.waiting == 0:
                self.status = ui.t("home.no_wait")
            else:
                self.status = ui.t("home.waiting", waiting=card.waiting, minutes=card.wait_min)
        self.disabled = not card.accepting


class HomeScreen(KioskScreen):
    """The services grid; a note line confirms help calls."""

    note = StringProperty("")
    note_kind = StringProperty("")  # "", "info", "ok", "error"
    loaded = BooleanProperty(False)
    services = ListProperty([])
    checkin = BooleanProperty(False)  # 预约签到: the next card opens check-in, not a number
    outbox_note = StringProperty("")  # the outbox's state for staff; "" when all is forwarded
    _outbox_line: StatusLine | None = None

    def show_services(self, services: list[dict[str, Any]]) -> None:
        """Show the daemon's services (reusing the cards when the list is the same)."""
        self.services = services
        self.loaded = True
        grid = self.ids.grid
        cards = service_cards(services, ui.lang)
        buttons = list(reversed(grid.children))
        if [b.code for b in buttons] != [c.code for c in cards]:
            grid.clear_widgets()
            buttons = []
            for _ in cards:
                button = ServiceButton()
                button.bind(on_release=self._chosen, natural_height=self._line_up)
                grid.add_widget(button)
                buttons.append(button)
        for button, card in zip(buttons, cards, strict=True):
            button.show(card)

    def _line_up(self, *_args: Any) -> None:
        """Cards of one row get the same height (a GridLayout bottom-aligns shorter ones)."""
        grid = self.ids.grid
        buttons = list(reversed(grid.children))
        for start in range(0, len(buttons), grid.cols):
            row = buttons[start : start + grid.cols]
            tallest = max(b.natural_height for b in row)
            for b in row:
                b.row_height = tallest

    def _chosen(self, button: ServiceButton) -> None:
        self.kiosk.open_service(button.code)

    def toggle_checkin(self) -> None:
        """预约签到 on home: the citizen then picks the booked service (again: cancel)."""
        self.checkin = not self.checkin

    def set_note(self, text: str, kind: str) -> None:
        """A line under the services (``kind`` picks its colour); empty text hides it."""
        self.note = text
        self.note_kind = kind if text else ""

    def show_outbox(self, line: StatusLine | None) -> None:
        """The line about the terminal's outbox at the foot (None hides it)."""
        self._outbox_line = line
        self.outbox_note = ui.t(line.key, **line.values) if line else ""

    def service_button(self, code: str) -> ServiceButton:
        """The card of one service (for the kiosk and for tests)."""
        for button in self.ids.grid.children:
            if button.code == code:
                return button
        raise LookupError(f"no service {code!r} on the home screen")

    def relabel(self) -> None:
        """Service names and waiting lines in the new language."""
        if self.services:
            self.show_services(self.services)
        self.show_outbox(self._outbox_line)
        self.note = ""
        self.note_kind = ""


Builder.load_file(str(Path(__file__).with_name("home.kv")))
