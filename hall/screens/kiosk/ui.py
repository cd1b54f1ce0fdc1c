"""What every kiosk screen shares: language, text size (适老化) and colours.

``ui`` is the one :class:`KioskUi` of the process (one Kivy window, one kiosk
root). kv rules bind to it: ``text: ui.t("home.title", ui.lang)`` is
evaluated again when the language changes (the ``ui.lang`` argument is there
for the binding), and ``font_size: self.font_base * ui.scale`` when the
citizen switches to large text.
"""

from __future__ import annotations

import re

from kivy.event import EventDispatcher
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)

from hall.kiosk.i18n import Strings

#: Large-text mode (适老化) multiplies every font size by this.
LARGE_SCALE = 1.4
#: Boxes grow less than their text, so a screen still fits in large-text mode.
BOX_GROWTH = 0.5


#: A space Kivy never breaks a line at.
NBSP = "\u00a0"
_SPACED_NUMBERS = re.compile(r"(?<=\d) (?=\d)")


def keep_numbers(text: str) -> str:
    """Numbers with spaces inside stay on one line: "0571-8800 0101", "2026-12-07 09:00"."""
    return _SPACED_NUMBERS.sub(NBSP, text)


def rgb(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """A kv colour from "#RRGGBB"."""
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


class Palette:
    """High-contrast colours (text on background at least 4.5:1, WCAG AA)."""

    BLUE = rgb("#0B4EA2")  # 政务蓝: header, primary buttons
    BLUE_DOWN = rgb("#083A78")
    PAGE = rgb("#EEF2F7")
    CARD = rgb("#FFFFFF")
    INK = rgb("#1B1F24")
    MUTED = rgb("#4A5563")
    GREY_BG = rgb("#DADFE6")
    GREY_INK = rgb("#5A6270")
    RED = rgb("#C4161C")  # help, errors
    RED_DOWN = rgb("#931015")
    RED_BG = rgb("#FDECEC")
    GREEN = rgb("#1E7B34")  # take a number, printed
    GREEN_DOWN = rgb("#155726")
    GREEN_BG = rgb("#E7F4EA")
    AMBER_BG = rgb("#FFF4D6")
    AMBER_INK = rgb("#7A4B00")
    WHITE = rgb("#FFFFFF")


class KioskUi(EventDispatcher):
    """Language and text size now shown, and the strings of the kiosk."""

    lang = OptionProperty("zh", options=["zh", "en"])
    scale = NumericProperty(1.0)
    box = NumericProperty(1.0)
    large = BooleanProperty(False)
    hall_name = StringProperty("")  # in the language shown

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.strings = Strings()
        self.palette = Palette
        self.hall_names = {"zh": "", "en": ""}

    def attach(self, strings: Strings, hall_name: str, hall_name_en: str = "") -> None:
        """Start a new kiosk session: its strings, default language, normal text size.

        ``hall_name_en`` (config ``hall.name_en``) shows in English; "" = the Chinese name.
        """
        self.strings = strings
        self.hall_names = {"zh": hall_name, "en": hall_name_en or hall_name}
        self.lang = strings.language
        self.hall_name = self.hall_names[self.lang]
        self.set_large(False)

    def on_lang(self, _ui: object, lang: str) -> None:
        """The hall's name follows the language."""
        self.hall_name = self.hall_names.get(lang, "")

    def t(self, key: str, _lang: str | None = None, **values: object) -> str:
        """The string ``key`` in the current language (``_lang`` only makes kv rebind)."""
        return self.strings.t(key, **values)

    def set_language(self, lang: str) -> None:
        """Show ``lang`` ("zh" or "en") from now on."""
        self.strings.language = lang
        self.lang = lang

    def toggle_language(self) -> None:
        """Switch between Chinese and English."""
        self.set_language("en" if self.lang == "zh" else "zh")

    def set_large(self, large: bool) -> None:
        """Large-text mode on or off."""
        self.large = large
        self.scale = LARGE_SCALE if large else 1.0
        self.box = 1.0 + (self.scale - 1.0) * BOX_GROWTH

    def toggle_large(self) -> None:
        """Switch large-text mode."""
        self.set_large(not self.large)


#: The process's kiosk UI state (kv files ``#:import ui hall.screens.kiosk.ui.ui``).
ui = KioskUi()
