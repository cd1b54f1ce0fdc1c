"""人脸签到 at a staff window: sign in by face, enrol one's own face, withdraw it.

:class:`CallerFace` is the face part of a :class:`~hall.screens.caller.root.CallerRoot`
(seen here as a :class:`CallerHost`, so this module never imports the root)
whose context has a face terminal (:mod:`hall.kiosk.face_setup`). It adds
a "sign in by face" button under the id + PIN form (which always stays), two
buttons to the signed-in panel ("enrol my face", "withdraw my face") and two
screens:

* ``face-signin``: the live picture while :meth:`FaceTerminal.check_in` decides;
  a match opens the panel exactly as an id + PIN sign-in does (the daemon's
  face check-in answers with the same staff token and window); anything else
  is said in plain words with "try again" and the id + PIN form.
* ``face-enrol``: the consent text first (what is kept, what for, how to
  withdraw, that id + PIN always works); only after "I agree" the live picture
  and :meth:`FaceTerminal.enrol_staff` with the member's own staff token. The
  same screen asks to confirm a withdrawal (the daemon ends the consent, then
  the template on this terminal is destroyed).

Every camera decision runs through one :class:`FaceWatch` (one camera); what
it comes to, in one word, is worked out without Kivy in
:mod:`hall.screens.caller.face_decisions`. A face screen left alone for
``idle_timeout_s`` goes back (its words cleared); the live picture is dropped
whenever a decision ends or the screen is left. Nothing face-related is logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller import widgets  # noqa: F401 - CallerLabel, CallerButton, CallerCard
from hall.screens.caller.face_decisions import ENROL_SAYS, SIGNIN_WHY, check_in, enrol_staff
from hall.screens.caller.login import CallerLogin
from hall.screens.caller.panel import CallerPanel
from hall.screens.common.bridge import UiBridge
from hall.screens.common.face_watch import FaceWatch
from hall.screens.common.translate import Translated

Builder.load_file(str(Path(__file__).with_name("face.kv")))

RESTART_S = 0.05  # a cancelled decision ends at its next frame; start again after it


class FaceScreen(Translated, Screen):
    """What both face screens show: a state, words (with the daemon's, if any), the picture."""

    lang = StringProperty("zh")
    window_number = NumericProperty(0)
    engine = StringProperty("")
    message_key = StringProperty("")
    why = ObjectProperty(None, allownone=True)  # a DaemonError, said in the current language
    preview = ObjectProperty(None, allownone=True)  # the live picture (texture) while watching

    def __init__(self, face: CallerFace, **kwargs: Any) -> None:
        self.face = face
        self.strings = face.caller.ctx.strings
        super().__init__(
            lang=self.strings.language,
            window_number=face.caller.window,
            engine=face.terminal.describe(),
            **kwargs,
        )

    def message_text(self, key: str, why: DaemonError | None, *_bound: object) -> str:
        """The screen's words; ``{why}`` is the daemon's own sentence in the current language."""
        if not key:
            return ""
        return self.tr(key, why=why.text(self.lang) if why is not None else "")

    def say(self, key: str, why: DaemonError | None = None) -> None:
        """Show the words of ``key`` (and the daemon's reason)."""
        self.message_key, self.why = key, why

    def clear(self) -> None:
        """Forget the words and the picture."""
        self.say("")
        self.preview = None

    def on_touch_down(self, touch: Any) -> bool:
        """A touch keeps the screen from timing out."""
        self.face.touched()
        return super().on_touch_down(touch)

    def on_leave(self, *_args: object) -> None:
        """Leaving ends a decision under way (its result is dropped) and the picture."""
        self.face.stop()
        self.clear()


class FaceSignIn(FaceScreen):
    """Sign in by face: live picture, what is happening, try again or use id + PIN."""

    hall_id = StringProperty("caller-face-signin")
    state = OptionProperty("watching", options=["watching", "failed"])


class FaceEnrol(FaceScreen):
    """Enrol one's own face after consent, or confirm withdrawing it."""

    hall_id = StringProperty("caller-face-enrol")
    state = OptionProperty(
        "consent",
        options=["consent", "watching", "done", "failed", "withdraw", "working", "withdrawn"],
    )


class CallerHost(Protocol):
    """What the face part uses of the caller role's root (``CallerRoot`` is one)."""

    ctx: KioskContext
    window: int
    bridge: UiBridge
    login_screen: CallerLogin
    panel: CallerPanel
    current: str

    def add_widget(self, widget: Any) -> None:
        """Add a screen to the role."""

    def signed_in(self, data: dict) -> None:
        """A staff token obtained by face: show the panel as after an id + PIN sign-in."""

    def switch_language(self) -> None:
        """Switch every screen of the role to the other language."""


class CallerFace:
    """Face sign-in, enrolment and withdrawal for one window's caller role."""

    def __init__(self, caller: CallerHost, clock: Callable[[], float] = time.monotonic) -> None:
        self.caller = caller
        self.ctx = caller.ctx
        self.terminal = caller.ctx.face_terminal
        self.clock = clock
        self.last_touch = clock()
        self.closed = False
        self.watch = FaceWatch(
            caller.ctx.face_camera, caller.bridge.post, self._preview, f"caller-{caller.window}"
        )
        self._watching: FaceScreen | None = None
        self._pending: tuple | None = None
        self._restart = Clock.create_trigger(self._start_pending, RESTART_S)
        self.signin = FaceSignIn(self, name="face-signin")
        self.enrol = FaceEnrol(self, name="face-enrol")
        caller.add_widget(self.signin)
        caller.add_widget(self.enrol)
        self._add_buttons()
        caller.bridge.every(1.0, lambda _dt: self.tick())

    def _add_buttons(self) -> None:
        login, panel = self.caller.login_screen, self.caller.panel
        for host, hall_id, key, action in (
            (login, "btn-face-signin", "face_caller.signin_button", self.open_signin),
            (panel, "btn-face-enrol", "face_caller.enrol_button", self.open_consent),
            (panel, "btn-face-withdraw", "face_caller.withdraw_button", self.open_withdraw),
        ):
            button = Factory.CallerFaceButton(hall_id=hall_id, disabled=host.busy)
            button.bind(on_release=lambda _b, act=action: act())

            def relabel(*_args: object, b: Any = button, k: str = key, h: Any = host) -> None:
                b.text = h.tr(k)

            def busy(_host: object, value: bool, b: Any = button) -> None:
                b.disabled = value

            host.bind(lang=relabel, busy=busy)
            relabel()
            host.ids.face_slot.add_widget(button)

    # -- the camera ------------------------------------------------------------------
    def _preview(self, texture: Any) -> None:
        if self._watching is not None:
            self._watching.preview = texture

    def _watch(
        self,
        screen: FaceScreen,
        decide: Callable[[Iterator[np.ndarray]], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        """Run ``decide`` on the camera for ``screen``, once a cancelled decision has ended."""
        self._pending = (screen, decide, done, failed)
        self._start_pending()

    def _start_pending(self, *_args: object) -> None:
        pending = self._pending
        if pending is None or self.closed:
            return
        screen = pending[0]
        if self.caller.current != screen.name:  # left before it could start
            self._pending = None
        elif self.watch.start(*pending[1:]):
            self._pending, self._watching = None, screen
        else:  # the cancelled one ends at its next frame
            self._restart()

    def stop(self) -> None:
        """End the decision under way (its result is dropped) and one waiting to start."""
        self._pending = self._watching = None
        self.watch.cancel()

    def _stopped(self, screen: FaceScreen) -> None:
        self._watching = None
        screen.preview = None

    # -- sign in by face --------------------------------------------------------------
    def open_signin(self) -> None:
        """From the id + PIN form: watch the camera for an enrolled face."""
        if self.caller.login_screen.busy:
            return
        self.caller.current = self.signin.name
        self.retry_signin()

    def retry_signin(self) -> None:
        """Watch (again) for an enrolled, live face."""
        self.touched()
        self.signin.state = "watching"
        self.signin.say("face_caller.look")
        terminal, window = self.terminal, self.caller.window

        def decide(frames: Iterator[np.ndarray]) -> tuple[str, dict | None]:
            return check_in(terminal, frames, window)

        self._watch(self.signin, decide, self._signin_done, self._signin_failed)

    def _signin_done(self, result: tuple[str, dict | None]) -> None:
        self._stopped(self.signin)
        reason, answer = result
        if reason == "checked_in" and answer is not None:
            self._forget()
            self.caller.signed_in(answer)
            return
        self.touched()
        self.signin.state = "failed"
        self.signin.say(SIGNIN_WHY.get(reason, "face_caller.why_no_match"))

    def _signin_failed(self, _why: str) -> None:
        self._stopped(self.signin)
        self.touched()
        self.signin.state = "failed"
        self.signin.say("face_caller.why_camera")

    def to_pin(self) -> None:
        """Back to the id + PIN form (the decision under way is dropped)."""
        self._forget()
        self.caller.login_screen.reset()
        self.caller.current = self.caller.login_screen.name

    # -- enrolment and withdrawal (signed in) --------------------------------------------
    def open_consent(self) -> None:
        """From the panel: the consent text, nothing recorded yet."""
        if self.caller.panel.busy:
            return
        self.touched()
        self.enrol.state = "consent"
        self.enrol.say("face_caller.consent_text")
        self.caller.current = self.enrol.name

    def refuse(self) -> None:
        """No consent: nothing is recorded anywhere; back to the panel."""
        self.back_to_panel()
        self.caller.panel.message = self.caller.panel.tr("face_caller.refused_note")
        self.caller.panel.message_error = False

    def agree(self) -> None:
        """Consent given on screen: enrol from the live picture with the member's own token."""
        self.touched()
        self.enrol.state = "watching"
        self.enrol.say("face_caller.enrol_look")
        terminal, client = self.terminal, self.ctx.client
        staff_id, token = self.caller.panel.staff_id, self.ctx.client.token
        window = self.caller.window

        def decide(frames: Iterator[np.ndarray]) -> tuple[str, DaemonError | None]:
            return enrol_staff(terminal, client, frames, staff_id, token, window)

        self._watch(self.enrol, decide, self._enrol_done, self._enrol_failed)

    def _enrol_done(self, result: tuple[str, DaemonError | None]) -> None:
        self._stopped(self.enrol)
        self.touched()
        word, why = result
        self.enrol.state = "done" if word == "enrolled" else "failed"
        self.enrol.say(ENROL_SAYS[word], why)

    def _enrol_failed(self, _why: str) -> None:
        self._stopped(self.enrol)
        self.touched()
        self.enrol.state = "failed"
        self.enrol.say("face_caller.enrol_camera")

    def open_withdraw(self) -> None:
        """From the panel: ask before withdrawing."""
        if self.caller.panel.busy:
            return
        self.touched()
        self.enrol.state = "withdraw"
        self.enrol.say("face_caller.withdraw_text")
        self.caller.current = self.enrol.name

    def confirm_withdraw(self) -> None:
        """The daemon ends the consent (staff token), then this terminal destroys the template."""
        self.touched()
        self.enrol.state = "working"
        self.enrol.say("face_caller.withdraw_busy")
        client, store, staff_id = self.ctx.client, self.terminal.store, self.caller.panel.staff_id

        def withdraw() -> dict:
            answer = client.withdraw_consent(staff_id)
            store.delete(staff_id)
            return answer

        self.caller.bridge.submit(withdraw, self._withdrawn, self._withdraw_refused)

    def _withdrawn(self, answer: dict) -> None:
        self.touched()
        self.enrol.state = "withdrawn"
        self.enrol.say(
            "face_caller.withdrawn" if answer["withdrawn"] else "face_caller.not_enrolled"
        )

    def _withdraw_refused(self, exc: DaemonError) -> None:
        self.touched()
        self.enrol.state = "failed"
        self.enrol.say("face_caller.withdraw_failed", exc)

    def back_to_panel(self) -> None:
        """Leave the face screen for the panel (a decision under way is dropped)."""
        self._forget()
        if self.caller.ctx.client.token is not None:
            self.caller.current = self.caller.panel.name
        else:  # signed out meanwhile (the window was taken over)
            self.to_pin()

    def _forget(self) -> None:
        # At once, not when the screen manager gets to on_leave in a later frame.
        self.stop()
        self.signin.clear()
        self.enrol.clear()

    # -- time ----------------------------------------------------------------------
    def touched(self) -> None:
        """Activity on a face screen: the idle timeout starts again."""
        self.last_touch = self.clock()

    def tick(self, now: float | None = None) -> None:
        """A face screen left alone for ``idle_timeout_s`` goes back (the Kivy clock calls this)."""
        now = self.clock() if now is None else now
        if now - self.last_touch < self.ctx.settings.idle_timeout_s:
            return
        current = self.caller.current
        if current == self.signin.name and self.signin.state != "watching":
            self.to_pin()
        elif current == self.enrol.name and self.enrol.state not in ("watching", "working"):
            self.back_to_panel()

    def shutdown(self) -> None:
        """Stop the decision under way (at program exit)."""
        self.closed = True
        self._restart.cancel()
        self.stop()
        self.watch.join()
