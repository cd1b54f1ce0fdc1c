"""The idle countdown (无人操作提醒): "still there?" with 继续 before the kiosk clears.

Shown over any screen for the last seconds of ``idle_timeout_s`` (at most
``idle_warning_s``, at most half the time-out). It is not modal: only a touch
on its card is its own (继续); a touch anywhere else goes to the screen below
and counts as activity like any other, so nobody is stopped mid-way.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty

from hall.screens.kiosk.widgets import Panel

Builder.load_string(
    """
#:import ui hall.screens.kiosk.ui.ui
#:import P hall.screens.kiosk.ui.Palette
#:import Window kivy.core.window.Window

<IdleWarning>:
    orientation: "vertical"
    size_hint: None, None
    width: Window.width - 120
    height: self.minimum_height
    x: (Window.width - self.width) / 2
    y: (Window.height - self.height) / 2
    padding: 40, 32
    spacing: 24
    canvas.after:
        Color:
            rgba: P.AMBER_INK
        Line:
            rounded_rectangle: self.x, self.y, self.width, self.height, 18
            width: 4
    WrapLabel:
        hall_id: "idle-title"
        text: ui.t("idle.title", ui.lang)
        font_base: 48
        bold: True
        halign: "center"
    WrapLabel:
        id: countdown
        hall_id: "idle-countdown"
        text: ui.t("idle.countdown", ui.lang, seconds=root.seconds)
        font_base: 36
        halign: "center"
    FlatButton:
        id: go_on
        hall_id: "idle-continue"
        text: ui.t("idle.continue", ui.lang)
        font_base: 48
        bg: P.GREEN
        bg_down: P.GREEN_DOWN
        size_hint_y: None
        height: max(150 * ui.box, self.texture_size[1] + 24)
        on_release: root.on_continue()
"""
)


class IdleWarning(Panel):
    """The countdown card; ``on_continue`` is called when the citizen taps it."""

    seconds = NumericProperty(0)
    shown = BooleanProperty(False)

    def __init__(self, on_continue: Callable[[], None], **kwargs: object) -> None:
        self._on_continue = on_continue
        super().__init__(**kwargs)

    def on_continue(self) -> None:
        """继续: the kiosk counts it as activity and the card goes."""
        self._on_continue()
        self.hide()

    def on_touch_down(self, touch) -> bool:
        """Touches on the card are its own; any other goes to the screen below."""
        if not self.collide_point(*touch.pos):
            return False
        super().on_touch_down(touch)
        return True

    def show(self, seconds: int) -> None:
        """Show (or update) the countdown: ``seconds`` left before the kiosk clears."""
        self.seconds = seconds
        if not self.shown:
            Window.add_widget(self)
            self.shown = True

    def hide(self) -> None:
        """Take the card off the screen (nothing if not shown)."""
        if self.shown:
            Window.remove_widget(self)
            self.shown = False
