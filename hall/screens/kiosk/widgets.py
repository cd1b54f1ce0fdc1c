"""Base widgets of the kiosk screens: labels, flat buttons, panels, the header, KioskScreen.

Fonts follow the text-size mode: ``font_size = font_base * ui.scale``.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from hall.screens.kiosk.ui import Palette


class KLabel(Label):
    """A label whose font follows the text-size mode; ``font_base`` is its normal size (px)."""

    hall_id = StringProperty("")
    font_base = NumericProperty(32)


class WrapLabel(Label):
    """A label as tall as its wrapped text (for lists, paragraphs and card lines)."""

    hall_id = StringProperty("")
    font_base = NumericProperty(30)


class FlatButton(ButtonBehavior, Label):
    """A flat, rounded, high-contrast touch button."""

    hall_id = StringProperty("")
    font_base = NumericProperty(36)
    bg = ColorProperty(Palette.BLUE)
    bg_down = ColorProperty(Palette.BLUE_DOWN)
    fg = ColorProperty(Palette.WHITE)


class Panel(BoxLayout):
    """A white rounded box."""

    hall_id = StringProperty("")
    bg = ColorProperty(Palette.CARD)


class KioskScreen(Screen):
    """A screen of the kiosk; ``kiosk`` is the :class:`~hall.screens.kiosk.root.KioskRoot`."""

    kiosk = ObjectProperty(None)

    def clear_personal(self) -> None:
        """Forget anything personal shown or typed (called on idle and on leaving)."""

    def relabel(self) -> None:
        """Redo texts built in Python after the language changed."""


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))
