"""FitLabel: one line of text sized to fit its box, never cut (caller panel and lobby).

Importing this module registers the class and its kv rule, so a ``.kv`` file
may use ``FitLabel`` once its screen module imports it.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.label import Label

Builder.load_string(
    """
<FitLabel>:
    text_size: self.size
    valign: "middle"
    halign: "center"
"""
)


class FitLabel(Label):
    """One line of text at the largest size up to ``max_font_size`` that fits its box.

    Names of services and windows vary in length and language: rather than cut
    them ("综合受理(…"), the font shrinks until the whole line fits.
    """

    hall_id = StringProperty("")
    max_font_size = NumericProperty(40)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.fbind("text", self._fit)
        self.fbind("size", self._fit)
        self.fbind("max_font_size", self._fit)
        self.fbind("font_name", self._fit)
        self._fit()

    def _fit(self, *_args: object) -> None:
        size = float(self.max_font_size)
        room_w = max(1.0, self.width - self.padding[0] - self.padding[2] - 2)  # 2 px: never wrap
        room_h = max(1.0, self.height - self.padding[1] - self.padding[3])
        if self.text:
            while size > 6:
                core = CoreLabel(
                    text=self.text, font_size=size, font_name=self.font_name, bold=self.bold
                )
                core.refresh()
                w, h = core.content_size
                if w <= room_w and h <= room_h:
                    break
                size = min(size - 1, size * min(room_w / w, room_h / h))
        self.font_size = size
