"""The staff sign-in screen of the caller role: staff id and PIN for one window.

:class:`CallerLogin` asks its host (the role's root, seen here as a
:class:`LoginHost`, so this module never imports the root) to sign in, and shows
the daemon's refusal in the current language. When the window has a face
terminal, :mod:`hall.screens.caller.face` adds its button under the form
(``ids.face_slot``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller import widgets  # noqa: F401 - CallerLabel, CallerButton, CallerCard
from hall.screens.common.translate import Translated

Builder.load_file(str(Path(__file__).with_name("login.kv")))


class LoginHost(Protocol):
    """What the sign-in screen uses of the caller role's root (``CallerRoot`` is one)."""

    ctx: KioskContext
    window: int

    def login(self, staff_id: str, pin: str) -> None:
        """Ask the daemon for a staff token for this window."""

    def switch_language(self) -> None:
        """Switch every screen of the role to the other language."""


class CallerLogin(Translated, Screen):
    """Staff id and PIN for this window; the daemon's refusal shown in the current language."""

    hall_id = StringProperty("caller-login")
    lang = StringProperty("zh")
    hall_name = StringProperty("")
    window_number = NumericProperty(0)
    error = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, caller: LoginHost, **kwargs: Any) -> None:
        self.caller = caller
        self.strings = caller.ctx.strings
        super().__init__(
            lang=self.strings.language,
            hall_name=caller.ctx.hall_name,
            window_number=caller.window,
            **kwargs,
        )

    def submit(self) -> None:
        """Sign in with what was typed."""
        staff_id = self.ids.staff_id.text.strip().upper()
        pin = self.ids.pin.text.strip()
        if self.busy:
            return
        if not staff_id or not pin:
            self.error = self.tr("caller.login_missing")
            return
        self.busy = True
        self.error = ""
        self.caller.login(staff_id, pin)

    def failed(self, exc: DaemonError) -> None:
        """Show why the daemon refused; the PIN is cleared for another try."""
        self.busy = False
        self.error = exc.text(self.lang)
        self.ids.pin.text = ""

    def reset(self) -> None:
        """Empty the form for the next person."""
        self.busy = False
        self.error = ""
        self.ids.staff_id.text = ""
        self.ids.pin.text = ""
