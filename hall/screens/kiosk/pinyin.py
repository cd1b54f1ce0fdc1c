"""The on-screen keyboard of the self-service text fields: pinyin, Latin letters and digits.

Without an ID card reader a citizen types a name (and the form's text fields)
here; no system input method is needed. In 拼音 mode letters go to a
:class:`~hall.kiosk.pinyin.PinyinComposer` and a row of large candidate
buttons offers the characters (tap one to write it); in ABC mode letters are
written as capitals (foreign names, as on a passport). Digits, "·" (the
separator of names such as 买买提·艾力) and space are written as they are.

The keyboard writes into ``target`` (a TextInput) by appending and deleting
at the end, which is how a name or an address is typed on a kiosk; the
target's own ``on_text`` handlers see every change. Keys have ``hall_id``
``kb-<key>`` (``kb-a``, ``kb-1``, ``kb-del``, ``kb-mode``, ``kb-dot``,
``kb-space``); candidates ``cand-<n>``, ``cand-prev``, ``cand-next``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from hall.kiosk.pinyin import PAGE_SIZE, PinyinComposer
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class PinyinKeyboard(BoxLayout):
    """Pinyin / ABC keyboard with a candidate row; writes into ``target``."""

    target = ObjectProperty(None, allownone=True)
    mode = OptionProperty("pinyin", options=["pinyin", "abc"])
    letters = StringProperty("")  # the pinyin typed so far, shown before the candidates
    full_height = NumericProperty(0)  # its height when shown (kiosk_pinyin.kv)

    def __init__(self, **kwargs: Any) -> None:
        self.composer = PinyinComposer()
        self._candidates: list[FlatButton] = []
        self._letter_keys: list[FlatButton] = []
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        """Build the keys once; texts follow the mode and the language."""
        for i in range(PAGE_SIZE):
            button = FlatButton(hall_id=f"cand-{i}", font_base=40)
            button.bind(on_release=lambda _b, n=i: self.pick(n))
            self.ids.candidates.add_widget(button)
            self._candidates.append(button)
        for row, keys in zip(self.ids.rows.children[::-1], ROWS, strict=True):
            for key in keys:
                button = FlatButton(hall_id=f"kb-{key}", text=key, font_base=36)
                button.bg, button.fg = Palette.CARD, Palette.INK
                button.bg_down = Palette.GREY_BG
                button.bind(on_release=lambda _b, k=key: self.press(k))
                row.add_widget(button)
                if key.isalpha():
                    self._letter_keys.append(button)
        self.relabel()

    def on_touch_down(self, touch: Any) -> bool:
        """Only touches on the keyboard itself: folded to height 0, its keys lie over others."""
        if not self.collide_point(*touch.pos):
            return False
        return super().on_touch_down(touch)

    def on_mode(self, *_args: Any) -> None:
        """Kivy: switching mode drops half-typed pinyin."""
        self.composer.clear()
        self.relabel()

    def press(self, key: str) -> None:
        """A key of the keyboard: a letter, a digit, "del", "dot", "space" or "mode"."""
        if key == "mode":
            self.mode = "abc" if self.mode == "pinyin" else "pinyin"
            return
        if key == "del":
            if not self.composer.backspace() and self.target is not None and self.target.text:
                self.target.text = self.target.text[:-1]
        elif key.isalpha() and self.mode == "pinyin":
            self.composer.type(key)
        else:
            char = {"dot": "·", "space": " "}.get(key, key.upper())
            self._write(char)
        self.relabel()

    def pick(self, index: int) -> None:
        """A candidate tapped: its character is written."""
        if index < len(self.composer.shown):
            self._write(self.composer.pick(index))
            self.relabel()

    def page(self, step: int) -> None:
        """More candidates (``step`` 1) or the previous ones (-1)."""
        if step > 0:
            self.composer.next_page()
        else:
            self.composer.prev_page()
        self.relabel()

    def _write(self, text: str) -> None:
        if self.target is not None:
            self.target.text += text

    def reset(self) -> None:
        """Forget half-typed pinyin (a new field, or the next citizen)."""
        self.composer.clear()
        self.relabel()

    def relabel(self) -> None:
        """Candidates, key caps and mode key in the current language and mode."""
        self.letters = self.composer.letters
        shown = self.composer.shown
        for i, button in enumerate(self._candidates):
            button.text = shown[i] if i < len(shown) else ""
            button.disabled = i >= len(shown)
        self.ids.prev.disabled = self.composer.page == 0
        self.ids.more.disabled = not self.composer.has_more
        for button in self._letter_keys:
            key = button.hall_id[3:]
            button.text = key if self.mode == "pinyin" else key.upper()
        self.ids.mode.text = ui.t(
            "keyboard.to_abc" if self.mode == "pinyin" else "keyboard.to_pinyin"
        )


Builder.load_file(str(Path(__file__).with_name("pinyin.kv")))
