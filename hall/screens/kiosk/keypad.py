"""The on-screen keypad of the self-service screens: 3 columns of large keys plus delete.

``keys`` is a string of one-character keys (e.g. "123456789X0"; keys in
``disabled_keys`` are shown greyed, so layouts stay the same); the keypad adds a delete key and fires ``on_key(key)`` with the character or "del".
Keys have ``hall_id`` ``key-<char>`` and ``key-del`` (``prefix`` changes "key-").
"""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from hall.kiosk.entry import DELETE
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton


class Keypad(GridLayout):
    """Large keys in three columns; fires ``on_key``."""

    keys = StringProperty("1234567890")
    prefix = StringProperty("key-")
    disabled_keys = StringProperty("")
    font_base = NumericProperty(50)

    def __init__(self, **kwargs: object) -> None:
        self.register_event_type("on_key")
        kwargs.setdefault("cols", 3)
        kwargs.setdefault("spacing", 14)
        super().__init__(**kwargs)
        self.bind(keys=self._build, prefix=self._build, disabled_keys=self._build)
        self._build()

    def on_key(self, key: str) -> None:
        """Default handler (the screen binds its own)."""

    def _build(self, *_args: object) -> None:
        self.clear_widgets()
        for key in [*self.keys, DELETE]:
            button = FlatButton(hall_id=f"{self.prefix}{key}", text=key, font_base=self.font_base)
            button.disabled = key in self.disabled_keys
            if key == DELETE:
                button.text = ui.t("take.delete")
                button.font_base = 40
                button.bg, button.bg_down = Palette.MUTED, Palette.INK
            button.bind(on_release=lambda _b, k=key: self.dispatch("on_key", k))
            self.add_widget(button)

    def relabel(self) -> None:
        """The delete key in the current language."""
        for button in self.children:
            if button.hall_id.endswith(DELETE):
                button.text = ui.t("take.delete")
