"""自助申报, step 1: choose a matter by keyword or by department.

Chinese text is hard to type on a touch screen without an input method, so
the search is by keyword buttons (common words of the matter names, only
those that find something) instead of a typed box; departments list the
matters of each. The list is rebuilt from the catalogue in the language shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from hall.catalogue import Matter
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen

#: Keyword buttons, in this order; a keyword that finds no matter is not shown.
KEYWORDS = (
    "补领",
    "补办",
    "身份证",
    "户口",
    "驾驶证",
    "营业执照",
    "许可",
    "登记",
    "不动产",
    "社保",
    "生育",
    "港澳",
)


class MatterButton(ButtonBehavior, BoxLayout):
    """One matter: name, department and time limit."""

    hall_id = StringProperty("")
    code = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")


def text_width(text: str, font_size: float) -> float:
    """About how wide ``text`` is drawn: CJK characters are square, others about half."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text) * font_size


def matter_title(matter: Matter) -> str:
    """The matter's name in the language shown (English name when there is one)."""
    return matter.name_en if ui.lang == "en" and matter.name_en else matter.name


class MattersScreen(KioskScreen):
    """Keyword buttons, department buttons and the matching matters."""

    keyword = StringProperty("")
    department = StringProperty("")
    summary = StringProperty("")

    @property
    def catalogue(self) -> Any:
        """The kiosk's catalogue (hall.catalogue.Catalogue)."""
        return self.kiosk.ctx.catalogue

    def open(self) -> None:
        """Show every matter."""
        self.keyword = self.department = ""
        self.relabel()

    def choose_keyword(self, word: str) -> None:
        """Filter by ``word`` (tapping it again shows everything)."""
        self.keyword = "" if word == self.keyword else word
        self.department = ""
        self.relabel()

    def choose_department(self, name: str) -> None:
        """The matters of one department (tapping it again shows everything)."""
        self.department = "" if name == self.department else name
        self.keyword = ""
        self.relabel()

    def shown(self) -> list[Matter]:
        """The matters listed now."""
        if self.keyword:
            return self.catalogue.search(self.keyword)
        if self.department:
            return self.catalogue.by_department(self.department)
        return list(self.catalogue)

    def relabel(self) -> None:
        """Rebuild the buttons and the list in the current language."""
        if not self.kiosk or self.catalogue is None:
            return
        chips = self.ids.keywords
        chips.clear_widgets()
        for word in (w for w in KEYWORDS if self.catalogue.search(w)):
            chips.add_widget(
                self._chip(f"kw-{word}", word, word == self.keyword, self.choose_keyword, word)
            )
        depts = self.ids.departments
        depts.clear_widgets()
        for i, name in enumerate(self.catalogue.departments()):
            depts.add_widget(
                self._chip(f"dept-{i}", name, name == self.department, self.choose_department, name)
            )
        matters = self.shown()
        box = self.ids.matters
        box.clear_widgets()
        for matter in matters:
            button = MatterButton(hall_id=f"matter-{matter.code}", code=matter.code)
            button.title = matter_title(matter)
            days = matter.promised_days
            limit = ui.t("submit.limit_days", days=days) if days else ui.t("submit.limit_now")
            button.detail = f"{matter.department} · {limit}"
            button.bind(on_release=lambda b: self.kiosk.submit.open_matter(b.code))
            box.add_widget(button)
        what = self.keyword or self.department
        self.summary = (
            ui.t("submit.found", what=what, count=len(matters))
            if what
            else ui.t("submit.all", count=len(matters))
        )

    def _chip(self, hall_id: str, text: str, chosen: bool, action: Any, value: str) -> FlatButton:
        button = FlatButton(
            hall_id=hall_id,
            text=text,
            font_base=30,
            size_hint=(None, None),
            height=84 * ui.box,
            bg=Palette.BLUE if chosen else Palette.CARD,
            bg_down=Palette.BLUE_DOWN,
            fg=Palette.WHITE if chosen else Palette.BLUE,
        )
        button.width = max(150, text_width(text, 30 * ui.scale) + 64)
        button.bind(on_release=lambda _b: action(value))
        return button


Builder.load_file(str(Path(__file__).with_name("matters.kv")))
