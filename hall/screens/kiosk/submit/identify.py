"""自助申报, step 2: identify (身份核验) — ID number, name and mobile number.

The ID number and the mobile number are typed on the keypad; the ID number is
checked as it is typed (check digit and birth date when all 18 are in). The
name is typed on the on-screen pinyin keyboard (hall/screens/kiosk/pinyin.py:
pinyin with candidates from a packaged character table, capitals for foreign
names), which takes the keypad's place while the name is active; a system
input method, where the terminal has one, still works. An ID card reader, when one is
configured (hall/drivers/idreader.py), fills the number and the name, and its
photo (when the reader gives one) is held for the 人证比对 step that follows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from hall.kiosk.submission import NAME_MAX
from hall.screens.kiosk.keypad import Keypad  # noqa: F401 - used in kv
from hall.screens.kiosk.pinyin import PinyinKeyboard  # noqa: F401 - used in kv
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import KioskScreen


class EntryBox(ButtonBehavior, BoxLayout):
    """A labelled value typed on the keypad; tap to type into it."""

    hall_id = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    placeholder = StringProperty("")
    active = BooleanProperty(False)
    error = BooleanProperty(False)
    frame = ColorProperty(Palette.GREY_BG)


class IdentifyScreen(KioskScreen):
    """Three entries, the keypad, and what is still missing."""

    active = OptionProperty("id", options=["id", "name", "phone"])
    id_text = StringProperty("")
    phone_text = StringProperty("")
    hint = StringProperty("")
    problem = StringProperty("")
    ready = BooleanProperty(False)

    @property
    def flow(self) -> Any:
        """The submission in progress (hall.kiosk.submission.SubmissionFlow)."""
        return self.kiosk.submit.flow

    def open(self) -> None:
        """Start (or come back to) the identify step."""
        self.ids.name.text = self.flow.name
        self.activate("id" if not self.flow.id_entry.complete else "phone")

    def activate(self, which: str) -> None:
        """Type into ``which`` ("id", "name" or "phone")."""
        self.active = which
        self.ids.name.focus = which == "name"
        self.ids.keyboard.reset()
        self._update()

    def press(self, key: str) -> None:
        """A keypad key, into the ID or phone entry."""
        if self.active == "name":
            self.activate("id")
        entry = self.flow.id_entry if self.active == "id" else self.flow.phone_entry
        entry.press(key)
        if self.active == "id":
            self.flow.number_changed()  # a card photo belongs to the card's number only
        if self.active == "id" and entry.complete and not self.flow.name:
            self.activate("name")
        self._update()

    def card_read(self, number: str, name: str | None, photo: Any | None = None) -> None:
        """The ID card reader read a card: number (and name) filled, on to the phone.

        ``photo`` (the card's portrait, if the reader sends it) stays with the
        flow for the 人证比对 step only.
        """
        self.flow.card_read(number, name, photo)
        if name:
            self.ids.name.text = self.flow.name
        self.activate("phone" if self.flow.name else "name")

    def name_changed(self, text: str) -> None:
        """The name box changed (IME or tests)."""
        if len(text) > NAME_MAX:
            self.ids.name.text = text[:NAME_MAX]
            return
        self.flow.name = text
        self._update()

    def next(self) -> None:
        """On to the form once all three are valid."""
        if self.flow.applicant_problem(ui.lang) is None:
            self.ids.name.focus = False
            self.kiosk.submit.after_identify()

    def clear_personal(self) -> None:
        """Forget what is shown (the flow holds the values and is cleared by the kiosk)."""
        self.ids.name.focus = False
        self.ids.name.text = ""
        self.ids.keyboard.reset()
        self.id_text = self.phone_text = self.problem = ""
        self.active = "id"

    def relabel(self) -> None:
        """Texts in the current language."""
        self.ids.keypad.relabel()
        self.ids.keyboard.relabel()
        self._update()

    def _update(self) -> None:
        if not self.kiosk or self.kiosk.submit is None:
            return
        flow = self.flow
        self.id_text = flow.id_entry.display()
        self.phone_text = flow.phone_entry.display()
        self.ids.keypad.disabled_keys = "" if self.active == "id" else "X"
        self.ids.keypad.disabled = self.active == "name"
        id_problem = flow.id_entry.problem(ui.lang) or ""
        self.problem = id_problem
        if self.active == "id":
            self.hint = ui.t("take.id_count", count=len(flow.id_entry.value))
        elif self.active == "name":
            self.hint = ui.t("submit.name_hint")
        else:
            self.hint = ui.t("submit.phone_hint", count=len(flow.phone_entry.value))
        self.ready = flow.applicant_problem(ui.lang) is None


Builder.load_file(str(Path(__file__).with_name("identify.kv")))
