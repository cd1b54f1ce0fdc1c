"""Service temporarily unavailable (服务暂时不可用): the daemon cannot be reached.

The kiosk retries by itself every few seconds (:meth:`KioskRoot.tick`) and
goes back home as soon as the daemon answers; nothing for the citizen to do.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty

from hall.screens.kiosk.widgets import KioskScreen


class UnavailableScreen(KioskScreen):
    """A clear notice while the kiosk reconnects; ``attempts`` counts the retries."""

    attempts = NumericProperty(0)

    def reset(self) -> None:
        """The daemon was just lost: no retry yet."""
        self.attempts = 0

    def attempt(self) -> None:
        """One more retry is under way."""
        self.attempts += 1


Builder.load_file(str(Path(__file__).with_name("unavailable.kv")))
