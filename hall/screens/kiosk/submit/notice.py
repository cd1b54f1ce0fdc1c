"""自助申报, the result: the notice (受理通知书 / 补正材料通知书) on screen and on paper.

Shown only once the case is durable on the terminal. The key facts (title,
receipt number, promised date or every missing material) are shown in the
language chosen; below them the notice as printed (Chinese, the official
document) and its QR code. If the printer fails, the notice stays on screen
longer and asks the citizen to photograph it or note the receipt number.

Below the notice the citizen may rate the self-service (好差评): five levels
as large buttons, reason tags for 不满意 and 非常不满意, then a thank-you once
the rating is stored on the terminal. It never blocks: "done", the idle
time-out and going home leave without a rating.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from hall.kiosk.notices import Notice, notice_lines
from hall.kiosk.ticketing import PrintOutcome
from hall.screens.kiosk.ticket import qr_texture
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen

_PRINT_KEYS = {
    None: "notice.printing",
    PrintOutcome.PRINTED: "notice.printed",
    PrintOutcome.PAPER_OUT: "notice.paper_out",
    PrintOutcome.OFFLINE: "notice.printer_offline",
    PrintOutcome.NO_PRINTER: "notice.no_printer",
}
#: Rating levels left to right: 5 非常满意 ... 1 非常不满意; 1 and 2 are 差评 and ask why.
LEVELS = (5, 4, 3, 2, 1)
BAD_LEVELS = (1, 2)
#: Reason tags of a self-service case (hall/kiosk/locale/*/rating.yaml): no clerk served
#: it, so the window-service reasons (服务态度不好 ...) do not fit; the ledger gets the zh words.
REASON_KEYS = tuple(f"rating.self_tag_{i}" for i in range(1, 7))
_RATING_KEYS = {
    "ask": "rating.hint",
    "reasons": "rating.reasons",
    "saving": "rating.saving",
    "done": "rating.thanks",
    "failed": "rating.failed",
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
    #: 好差评: off (nothing to rate), ask, reasons (差评: choose tags), saving, done, failed.
    rating = OptionProperty("off", options=["off", "ask", "reasons", "saving", "done", "failed"])
    rating_text = StringProperty("")
    rating_level = NumericProperty(0)
    rating_tags = ListProperty([])  # indexes into REASON_KEYS

    def __init__(self, **kwargs: Any) -> None:
        self.notice: Notice | None = None
        self.case_id: str | None = None
        self.outcome: PrintOutcome | None = None
        self.shown_at = 0.0
        self._level_buttons: dict[int, FlatButton] = {}
        self._tag_buttons: list[FlatButton] = []
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        """Build the rating buttons once; their texts and colours follow the state."""
        for level in LEVELS:
            button = FlatButton(hall_id=f"rate-{level}", font_base=30)
            button.bind(on_release=lambda _b, n=level: self.choose_level(n))
            self.ids.rating_levels.add_widget(button)
            self._level_buttons[level] = button
        for i in range(len(REASON_KEYS)):
            button = FlatButton(hall_id=f"rating-tag-{i}", font_base=28)
            button.bind(on_release=lambda _b, n=i: self.toggle_tag(n))
            self.ids.rating_tags.add_widget(button)
            self._tag_buttons.append(button)
        self._paint()

    def on_rating(self, *_args: Any) -> None:
        """Kivy: the rating state changed."""
        self._paint()
        self._fit_rating()

    def _fit_rating(self) -> None:
        # The reasons of a 差评 need room: the notice text (printed, and its key facts
        # still shown above) steps aside until the rating is stored.
        aside = self.rating == "reasons"
        body, gap = self.ids.body_panel, self.ids.rating_gap
        body.size_hint_y = None if aside else 1
        body.height = 0
        body.opacity = 0 if aside else 1
        body.disabled = aside
        gap.size_hint_y = 1 if aside else None
        gap.height = 0

    def on_rating_level(self, *_args: Any) -> None:
        """Kivy: a level was chosen."""
        self._paint()

    def on_rating_tags(self, *_args: Any) -> None:
        """Kivy: a reason was chosen or dropped."""
        self._paint()

    def _paint(self) -> None:
        self.rating_text = ui.t(_RATING_KEYS[self.rating]) if self.rating != "off" else ""
        for level, button in self._level_buttons.items():
            chosen = level == self.rating_level
            button.text = ui.t(f"rating.level_{level}")
            button.bg = Palette.BLUE if chosen else Palette.PAGE
            button.fg = Palette.WHITE if chosen else Palette.BLUE
        for i, button in enumerate(self._tag_buttons):
            chosen = i in self.rating_tags
            button.text = ui.t(REASON_KEYS[i])
            button.bg = Palette.BLUE if chosen else Palette.PAGE
            button.fg = Palette.WHITE if chosen else Palette.BLUE

    def choose_level(self, level: int) -> None:
        """A level tapped: 3-5 is stored at once; 1-2 first asks for reasons."""
        if self.rating not in ("ask", "reasons"):
            return
        self.kiosk.submit.keep_notice()
        self.rating_level = level
        if level in BAD_LEVELS:
            self.rating = "reasons"
        else:
            self.kiosk.submit.rate(level, [])

    def toggle_tag(self, index: int) -> None:
        """A reason tag tapped: chosen or dropped."""
        if self.rating != "reasons":
            return
        self.kiosk.submit.keep_notice()
        tags = [i for i in self.rating_tags if i != index]
        self.rating_tags = tags if index in self.rating_tags else sorted([*tags, index])

    def send_rating(self) -> None:
        """差评 with its reasons: store it."""
        if self.rating != "reasons" or self.rating_level not in BAD_LEVELS:
            return
        zh = ui.strings.table["zh"]  # the ledger's words, whatever the screen's language
        self.kiosk.submit.rate(self.rating_level, [zh[REASON_KEYS[i]] for i in self.rating_tags])

    def rated(self, stored: bool) -> None:
        """The rating is on the terminal's disk (thank you), or could not be stored."""
        self.rating = "done" if stored else "failed"

    def show(self, notice: Notice, case_id: str | None = None) -> None:
        """Show a stored case's notice, "printing" until :meth:`show_print`.

        With ``case_id`` (the stored case) the citizen is asked for a rating.
        """
        self.notice = notice
        self.case_id = case_id
        self.rating_level = 0
        self.rating_tags = []
        self.rating = "ask" if case_id else "off"
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
        """Key facts, print status and rating buttons in the current language."""
        self._paint()
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
            if n.correct_by:
                self.key_text += "\n" + ui.t("notice.correct_by", date=n.correct_by.isoformat())
            if n.correct_place:
                self.key_text += "\n" + ui.t("notice.correct_place", place=n.correct_place)
        self.body_text = "\n".join(notice_lines(n)[2:])
        self.print_text = ui.t(_PRINT_KEYS[self.outcome], receipt=n.receipt)

    def clear_personal(self) -> None:
        """Take the notice off the screen."""
        self.notice = None
        self.outcome = None
        self.title = self.receipt = self.key_text = self.body_text = self.print_text = ""
        self.qr = None
        self.print_state = "none"
        self.case_id = None
        self.rating = "off"
        self.rating_level = 0
        self.rating_tags = []


Builder.load_file(str(Path(__file__).with_name("notice.kv")))
