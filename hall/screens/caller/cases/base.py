"""What the 办件 screens of the caller panel share: their host, words, daemon calls, options.

Each screen is a :class:`CaseScreen` of the caller role's screen manager, driven by
a :class:`CaseHost` (:class:`hall.screens.caller.cases.flow.CallerCases`, seen
through this protocol so the screens never import it). Daemon calls run on the
role's bridge worker; a refusal (403 another department or no 把关权, 409 wrong
status, 422 bad input) is shown in the daemon's own words in the current language.

Importing this module loads ``cases.kv``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller.widgets import CASE_TYPES  # loads CallerLabel, CallerButton …
from hall.screens.common.bridge import UiBridge
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by cases.kv
from hall.screens.common.translate import Translated

Builder.load_file(str(Path(__file__).with_name("cases.kv")))


class CaseHost(Protocol):
    """What the 办件 screens need of the caller role (CallerCases)."""

    ctx: KioskContext
    bridge: UiBridge
    departments: list[dict]
    hall_departments: list[dict]

    def show(self, name: str) -> None:
        """Make screen ``name`` (a case screen or "panel") the current one."""

    def show_case(self, case: dict, opened: dict | None = None) -> None:
        """The case's detail screen (``opened``: the answer to POST /cases)."""

    def gatekeeper(self, department: str) -> bool:
        """True when the signed-in clerk holds 把关权 in ``department``."""


class CaseScreen(Translated, Screen):
    """A 办件 screen: language, the daemon's words, a busy flag, calls on the worker."""

    lang = StringProperty("zh")
    message = StringProperty("")
    message_error = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, host: CaseHost, **kwargs: Any) -> None:
        self.host = host
        self.strings = host.ctx.strings
        self._refusal: DaemonError | None = None  # shown now; said again on a language switch
        super().__init__(**kwargs)
        # The language last: on_lang fills boxes of the kv rule, which exist only now.
        self.lang = self.strings.language
        self.fbind("lang", self._say_again)

    def say(self, text: str, error: bool = False) -> None:
        """Show a line under the screen's content (an error in the error colour)."""
        self.message, self.message_error = text, error
        self._refusal = None

    def call(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``job`` on the worker (one at a time); ``done(result)`` or the refusal shown."""
        if self.busy:
            return
        self.busy = True
        self.say(self.tr("caller.busy"))

        def finished(result: Any) -> None:
            self.busy = False
            self.say("")
            done(result)

        self.host.bridge.submit(job, finished, self.refused)

    def refused(self, exc: DaemonError) -> None:
        """The daemon said no: its words, in the current language."""
        self.busy = False
        self.say(exc.text(self.lang), error=True)
        self._refusal = exc

    def _say_again(self, *_args: object) -> None:
        if self._refusal is not None:
            self.message = self._refusal.text(self.lang)


def kind_name(tr: Callable[..., str], kind: str) -> str:
    """承诺件 / Promised case … (the daemon's value itself if it is not a known kind)."""
    key = dict(CASE_TYPES).get(kind)
    return tr(key) if key else kind


def option_buttons(
    box: Widget,
    options: list[tuple[str, str]],
    chosen: Callable[[str], bool],
    on_pick: Callable[[str], None],
    prefix: str,
) -> None:
    """Fill ``box`` with a CaseChoice per ``(value, label)`` (``hall_id`` prefix-value)."""
    box.clear_widgets()
    for value, label in options:
        button = Factory.CaseChoice(text=label, hall_id=f"{prefix}-{value}")
        button.chosen = chosen(value)  # a kv-declared property: set once the rule is applied
        button.bind(on_release=lambda _b, v=value: on_pick(v))
        box.add_widget(button)
