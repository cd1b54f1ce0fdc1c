"""What the caller's screens share: the picker, case types, waiting counts.

:class:`CallerChoiceSheet` is the picker (transfer target, case type,
returning no-show) laid over the panel: a widget inside it, not a separate
popup window, so it is part of the screen's widget tree like every other
control. :class:`CallerCount` is a waiting count that wraps after the service
name rather than cut. :class:`FitLabel` (one line sized to fit, never cut) lives in
:mod:`hall.screens.common.fit_label`; the caller and the lobby use it.

Importing this module loads ``widgets.kv``: the rules of these widgets and the
palette, label, button and card styles that ``login.kv``, ``panel.kv`` and
``face.kv`` use. Each screen module whose rules use them imports this one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label

from hall.words import CaseType

#: 办件类型 as the daemon records them (:class:`hall.words.CaseType`), with the
#: string key of their label ("caller.case_immediate" ...).
CASE_TYPES = tuple((c.value, f"caller.case_{c.name.lower()}") for c in CaseType)


def case_type_key(case_type: str) -> str:
    """The string key naming a case type on screen."""
    return dict(CASE_TYPES)[case_type]


class CallerChoiceSheet(FloatLayout):
    """A title, one big button per option (``hall_id`` "choice-<value>") and cancel."""

    hall_id = StringProperty("choice-sheet")
    title = StringProperty("")
    cancel_text = StringProperty("")

    def fill(
        self,
        options: list[tuple[str, str]],
        on_pick: Callable[[str], None],
        on_cancel: Callable[[], None],
    ) -> None:
        """Add a button per ``(value, label)``; tapping one calls ``on_pick(value)``."""
        grid = self.ids.grid
        grid.clear_widgets()
        for value, label in options:
            button = Factory.CallerChoiceButton(text=label, hall_id=f"choice-{value}")
            button.bind(on_release=lambda _b, v=value: on_pick(v))
            grid.add_widget(button)
        self.ids.cancel.bind(on_release=lambda _b: on_cancel())

    def on_touch_down(self, touch: object) -> bool:
        """Nothing under the sheet can be touched while it is open."""
        super().on_touch_down(touch)
        return True


class SheetHost:
    """Mixin for a screen that opens a :class:`CallerChoiceSheet` over itself."""

    _sheet: CallerChoiceSheet | None = None

    def open_sheet(
        self,
        title_key: str,
        options: list[tuple[str, str]],
        on_pick: Callable,
        title: str = "",
    ) -> None:
        """Show a picker titled ``title_key`` (or ``title``); ``on_pick(value)`` once tapped."""
        self.close_sheet()

        def picked(value: str) -> None:
            self.close_sheet()
            on_pick(value)

        self._sheet = CallerChoiceSheet(
            title=title or self.tr(title_key), cancel_text=self.tr("app.cancel")
        )
        self._sheet.fill(options, picked, self.close_sheet)
        self.add_widget(self._sheet)

    def close_sheet(self) -> None:
        """Take the picker away (if one is open)."""
        sheet, self._sheet = self._sheet, None
        if sheet is not None:
            self.remove_widget(sheet)


def _line_width(text: str, label: Label, font_size: float) -> float:
    """Width of ``text`` on one line in ``label``'s font at ``font_size``."""
    core = CoreLabel(text=text, font_size=font_size, font_name=label.font_name, bold=label.bold)
    core.refresh()
    return core.content_size[0]


class CallerCount(Label):
    """The waiting count of one of the window's services, whole at any name length.

    ``text`` is shown on one line when it fits; otherwise on two, broken after
    the service name and its colon ("综合受理（一窗通办）：" / "1 人"), never inside a
    Chinese name; English lines wrap at spaces. Only a single word wider than the
    row (a long name without spaces) makes the font smaller. The height follows
    the text, so the box of counts grows instead of cutting it.
    """

    hall_id = StringProperty("")
    name = StringProperty("")  # the service's name, at the start of ``text``
    max_font_size = NumericProperty(32)

    def __init__(self, **kwargs: object) -> None:
        self._full = self._shown = ""
        super().__init__(**kwargs)  # on_text keeps the text given as the full one
        self.fbind("width", self._fit)
        self.fbind("max_font_size", self._fit)
        self._fit()

    def on_text(self, _w: object, text: str) -> None:
        """Text set from outside (not by :meth:`_fit`) is the full one-line text."""
        if text != self._shown:
            self._full = text
            self._fit()

    def _two_lines(self) -> str:
        """The text broken after the name and the punctuation that follows it."""
        full, name = self._full, self.name
        if not name or not full.startswith(name):
            return full
        i = len(name)
        while i < len(full) and not full[i].isalnum() and not full[i].isspace():
            i += 1  # "：" or ":" stays with the name
        rest = full[i:].strip()
        return f"{full[:i]}\n{rest}" if rest else full

    def _fit(self, *_args: object) -> None:
        if not self._full or self.width <= 1:
            return
        room = max(1.0, self.width - self.padding[0] - self.padding[2] - 2)
        size = float(self.max_font_size)
        text = self._full
        if _line_width(text, self, size) > room:
            text = self._two_lines()
            words = [w for line in text.split("\n") for w in line.split()]
            widest = max(_line_width(w, self, size) for w in words)
            if widest > room:
                size = max(6.0, size * room / widest)
        self.font_size = size
        self._shown = text
        self.text = text


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))
