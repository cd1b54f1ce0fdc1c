"""自助申报, step 3: the matter's application form (申请表), one row per field.

Text fields are typed on the on-screen pinyin/ABC keyboard under the form
(hall/screens/kiosk/pinyin.py; a system input method still works where there
is one); numbers, dates, phones and ID numbers on the keypad under the form
(tap a field to type into it); choices are buttons. A field required only
for some choice (the mailing address of 邮寄到家) says so in its label.
"Next" checks the whole form with :func:`hall.catalogue.validate_form` and
shows each problem under its field, in the language shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.stacklayout import StackLayout
from kivy.uix.textinput import TextInput

from hall.catalogue import FieldType, FormField
from hall.kiosk.entry import KeypadEntry
from hall.kiosk.form_entry import KEYS, entry_for
from hall.kiosk.submission import keypad_type
from hall.screens.kiosk.pinyin import PinyinKeyboard  # noqa: F401 - used in kv
from hall.screens.kiosk.submit.identify import EntryBox
from hall.screens.kiosk.submit.matters import text_width
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen, WrapLabel


class FormInput(TextInput):
    """A text field of the form (system input method; look in kiosk_form.kv)."""

    hall_id = StringProperty("")


class FormScreen(KioskScreen):
    """The form of the chosen matter; errors under each field after "next"."""

    active = StringProperty("")  # the keypad field typed into now
    typing = StringProperty("")  # the text field typed into on the keyboard now
    checked = BooleanProperty(False)  # "next" was pressed: show every error
    summary = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.entries: dict[str, KeypadEntry] = {}
        self.boxes: dict[str, Any] = {}
        self.errors: dict[str, WrapLabel] = {}
        super().__init__(**kwargs)

    @property
    def flow(self) -> Any:
        """The submission in progress."""
        return self.kiosk.submit.flow

    def open(self) -> None:
        """Show the form of the flow's matter, with anything typed before."""
        self.checked = False
        self.active = ""
        self._stop_typing()
        self.relabel()
        self.ids.scroll.scroll_y = 1

    def relabel(self) -> None:
        """(Re)build every field row in the current language."""
        rows = self.ids.rows
        rows.clear_widgets()
        self.entries, self.boxes, self.errors = {}, {}, {}
        if not self.kiosk or self.kiosk.submit is None or self.flow.matter is None:
            return
        for field in self.flow.form_fields():
            self._row(rows, field)
        self.ids.keypad.relabel()
        self._show_errors()

    def _row(self, rows: Any, field: FormField) -> None:
        label = field.label_zh if ui.lang == "zh" else field.label_en
        if field.required_when:
            option = next(o for opts in field.required_when.values() for o in opts)
            label += ui.t("submit.required_when", option=option)
        elif not field.required:
            label += ui.t("submit.optional_field")
        value = self.flow.values.get(field.name, "")
        rows.add_widget(WrapLabel(text=label, font_base=32, bold=True, color=Palette.INK))
        if field.type is FieldType.CHOICE:
            box = StackLayout(spacing=14, size_hint_y=None)
            box.bind(minimum_height=box.setter("height"))
            for i, option in enumerate(field.options):
                chosen = option == value
                button = FlatButton(
                    hall_id=f"opt-{field.name}-{i}",
                    text=option,
                    font_base=32,
                    size_hint=(None, None),
                    height=100 * ui.box,
                    width=max(180, text_width(option, 32 * ui.scale) + 64),
                    bg=Palette.BLUE if chosen else Palette.PAGE,
                    bg_down=Palette.BLUE_DOWN,
                    fg=Palette.WHITE if chosen else Palette.BLUE,
                )
                button.bind(on_release=lambda _b, f=field.name, o=option: self.choose(f, o))
                box.add_widget(button)
        elif keypad_type(field):
            entry = entry_for(field.type.value, field.max_length)
            entry.value = value.replace("-", "") if field.type is FieldType.DATE else value
            self.entries[field.name] = entry
            box = EntryBox(hall_id=f"field-{field.name}", value=entry.display())
            box.placeholder = ui.t(f"submit.placeholder_{field.type.value}")
            box.active = field.name == self.active
            box.bind(on_release=lambda _b, f=field.name: self.activate(f))
            box.height = 110 * ui.box
        else:
            box = FormInput(
                text=value,
                multiline=False,
                write_tab=False,
                font_size=40 * ui.scale,
                size_hint_y=None,
                height=110 * ui.box,
                padding=(24, 30 * ui.box),
                hint_text=ui.t("submit.placeholder_text"),
            )
            box.hall_id = f"field-{field.name}"
            box.bind(text=lambda w, t, f=field.name, n=field.max_length: self.typed(w, f, t, n))
            box.bind(focus=lambda w, on, f=field.name: self.type_into(f, w) if on else None)
        self.boxes[field.name] = box
        rows.add_widget(box)
        error = WrapLabel(text="", font_base=28, bold=True, color=Palette.RED)
        error.hall_id = f"error-{field.name}"
        self.errors[field.name] = error
        rows.add_widget(error)

    def type_into(self, name: str, widget: TextInput) -> None:
        """Type into text field ``name`` on the on-screen keyboard."""
        self.activate("")
        self.typing = name
        keyboard = self.ids.keyboard
        keyboard.target = widget
        keyboard.reset()
        # The keyboard takes room from the form: keep the field in sight once laid out.
        Clock.schedule_once(lambda _dt: self._show_field(widget), 0)

    def _show_field(self, widget: TextInput) -> None:
        if widget.parent is not None:
            self.ids.scroll.scroll_to(widget, padding=40, animate=False)

    def activate(self, name: str) -> None:
        """Type into keypad field ``name`` ("" hides the keypad)."""
        self.active = name
        if name:
            self._stop_typing()
        for field, box in self.boxes.items():
            if isinstance(box, EntryBox):
                box.active = field == name
        field = next((f for f in self.flow.form_fields() if f.name == name), None)
        if field is not None:
            self.ids.keypad.keys = KEYS[field.type.value]
            self.ids.keypad.disabled_keys = "-" if field.type is FieldType.DATE else ""

    def press(self, key: str) -> None:
        """A keypad key, into the active field."""
        entry = self.entries.get(self.active)
        if entry is None:
            return
        entry.press(key)
        self.flow.values[self.active] = entry.text
        self.boxes[self.active].value = entry.display()
        self._show_errors()

    def typed(self, widget: TextInput, name: str, text: str, max_length: int | None) -> None:
        """A text field changed (IME, or tests setting ``text``)."""
        if max_length and len(text) > max_length:
            widget.text = text[:max_length]
            return
        self.flow.values[name] = text
        self._show_errors()

    def choose(self, name: str, option: str) -> None:
        """A choice button."""
        self.flow.values[name] = option
        for button in self.boxes[name].children:
            chosen = button.text == option
            button.bg = Palette.BLUE if chosen else Palette.PAGE
            button.fg = Palette.WHITE if chosen else Palette.BLUE
        self.activate("")
        self._stop_typing()
        self._show_errors()

    def next(self) -> None:
        """On to the materials if the form is valid; else show every problem."""
        self.checked = True
        if not self._show_errors():
            self.kiosk.submit.open_capture()

    def _show_errors(self) -> dict[str, Any]:
        errors = self.flow.form_errors()
        for name, label in self.errors.items():
            problem = errors.get(name)
            label.text = (
                (problem.zh if ui.lang == "zh" else problem.en) if problem and self.checked else ""
            )
            box = self.boxes[name]
            if isinstance(box, EntryBox):
                box.error = bool(label.text)
        self.summary = (
            ui.t("submit.form_errors", count=len(errors)) if errors and self.checked else ""
        )
        return errors

    def _stop_typing(self) -> None:
        self.typing = ""
        self.ids.keyboard.target = None
        self.ids.keyboard.reset()
        for box in self.boxes.values():
            if isinstance(box, TextInput):
                box.focus = False

    def clear_personal(self) -> None:
        """Take every typed value off the screen."""
        self._stop_typing()
        self.ids.rows.clear_widgets()
        self.entries, self.boxes, self.errors = {}, {}, {}
        self.active = self.summary = ""
        self.checked = False


Builder.load_file(str(Path(__file__).with_name("form.kv")))
