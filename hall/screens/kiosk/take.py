"""Take a number (取号) for one service: optional ID number, appointment code, priority.

In the appointment mode two more ways sit beside the code: the ID number and,
where the kiosk has a face camera, 刷脸 (:mod:`hall.screens.kiosk.appointment`).
Both entries are typed on an on-screen keypad and checked as they are typed
(:mod:`hall.kiosk.entry`): a wrong ID number says why at once and the "take
number" button stays disabled until it is fixed or deleted. The daemon's
refusals (cap reached, per-person limit, unknown appointment ...) are shown
in the current language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)

from hall.kiosk.client import DaemonError
from hall.kiosk.entry import CodeEntry, IdEntry
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen

#: The keypad, row by row; "del" deletes the last character.
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "del")
#: A key row's height in normal text (px at 1080 wide); large text grows it up to x ui.box.
KEY_HEIGHT = 130


class TakeScreen(KioskScreen):
    """ID number / appointment code on a keypad, priority choice, and the take button."""

    service = DictProperty({})
    service_name = StringProperty("")
    mode = OptionProperty("id", options=["id", "code"])
    shown = StringProperty("")  # the entry as displayed
    hint = StringProperty("")
    problem = StringProperty("")  # what is wrong with the entry, in the current language
    error = StringProperty("")  # the daemon's refusal
    priority = BooleanProperty(False)
    allow_priority = BooleanProperty(False)
    can_take = BooleanProperty(True)
    busy = BooleanProperty(False)
    face_checkin = BooleanProperty(False)  # 刷脸签到 offered (hall.screens.kiosk.appointment)
    key_height = NumericProperty(KEY_HEIGHT)  # a keypad row (fit_keys)

    def __init__(self, **kwargs: Any) -> None:
        self.id_entry = IdEntry()
        self.code_entry = CodeEntry()
        super().__init__(**kwargs)

    def open(self, service: dict[str, Any]) -> None:
        """Start taking a number for ``service`` (an item of ``GET /services``)."""
        self.clear_personal()
        self.service = service
        self.allow_priority = bool(service.get("allow_priority"))
        self.face_checkin = self.kiosk.appointment.face_available
        self.relabel()

    @property
    def entry(self) -> IdEntry | CodeEntry:
        """The entry the keypad types into now."""
        return self.id_entry if self.mode == "id" else self.code_entry

    def set_mode(self, mode: str) -> None:
        """Type the ID number ("id") or an appointment code ("code")."""
        self.mode = mode
        self.error = ""
        self._update()

    def card_read(self, number: str) -> None:
        """The ID card reader read a (checked) number: use it as if typed."""
        self.mode = "id"
        self.id_entry.value = number
        self._update()

    def press(self, key: str) -> None:
        """A keypad key."""
        if self.entry.press(key):
            self.error = ""
        self._update()

    def toggle_priority(self) -> None:
        """优先 / 绿色通道 on or off."""
        self.priority = not self.priority and self.allow_priority

    def take(self) -> None:
        """Ask for the number (on the worker); the kiosk shows the ticket when it comes."""
        if self.busy or not self.can_take or not self.service:
            return
        self.busy = True
        self.error = ""
        self.kiosk.take_number(
            self.service["code"],
            priority=self.priority,
            id_number=self.id_entry.value or None,
            appointment_code=self.code_entry.value or None,
        )

    def show_refusal(self, err: DaemonError) -> None:
        """The daemon said no: say why, in the language shown."""
        self.busy = False
        self.error = err.text(ui.lang)

    def clear_personal(self) -> None:
        """Forget the typed ID number and appointment code."""
        self.id_entry.clear()
        self.code_entry.clear()
        self.priority = False
        self.busy = False
        self.error = ""
        self.mode = "id"
        self._update()

    def relabel(self) -> None:
        """Texts built here, in the new language."""
        names = self.service.get("name") or {}
        self.service_name = names.get(ui.lang, "")
        self._update()

    def on_kv_post(self, base_widget: Any) -> None:
        """Build the keypad (12 keys, ``hall_id`` key-1 ... key-X, key-0, key-del)."""
        for key in KEYS:
            button = FlatButton(hall_id=f"key-{key}", text=key, font_base=54)
            if key == "del":
                button.bg, button.bg_down = Palette.MUTED, Palette.INK
            button.bind(on_release=lambda _b, k=key: self.press(k))
            self.ids.keypad.add_widget(button)
        self.ids.scroll.bind(height=self.fit_keys)
        self.ids.content.bind(height=self.fit_keys)
        ui.bind(box=self.fit_keys)
        self._update()
        self.fit_keys()

    def fit_keys(self, *_args: Any) -> None:
        """Key rows as tall as large text wants, but short enough for the screen to fit.

        A screen that overflows by a few rows' worth hides the priority button
        or half a row of keys below the edge, with nothing to say it scrolls;
        the keys give up their large-text growth first (never their normal height).
        """
        pad = self.ids.keypad
        rows = -(-len(pad.children) // pad.cols) if pad.children else 4
        others = self.ids.content.height - pad.height
        room = self.ids.scroll.height - others - pad.spacing[1] * (rows - 1)
        self.key_height = max(KEY_HEIGHT, min(KEY_HEIGHT * ui.box, room / rows))

    def _update(self) -> None:
        if self.mode == "id":
            self.shown = self.id_entry.display_masked()
            self.problem = self.id_entry.problem(ui.lang) or ""
            self.hint = ui.t(
                "take.id_hint" if self.id_entry.empty else "take.id_count",
                count=len(self.id_entry.value),
            )
        else:
            self.shown = self.code_entry.value
            self.problem = ""
            self.hint = ui.t("take.code_hint")
        self.can_take = self.id_entry.acceptable and self.code_entry.acceptable
        if "keypad" in self.ids:
            for button in self.ids.keypad.children:
                if button.hall_id == "key-del":
                    button.text = ui.t("take.delete")
                elif button.hall_id == "key-X":
                    button.disabled = self.mode == "code"


Builder.load_file(str(Path(__file__).with_name("take.kv")))
