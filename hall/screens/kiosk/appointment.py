"""预约签到 without the code: by ID number, or by face (刷脸) for citizens who agreed when booking.

Reached from the take screen's "预约签到" mode, next to the appointment code
(:mod:`hall.screens.kiosk.take`), whose code keypad is "the other ways" this
screen sends a citizen back to. Two ways here:

* ID number: typed on the keypad (checked as typed, check digit included) or
  read by the ID card reader; the daemon finds the person's appointment for
  this service today (``appointment: true``).
* Face, only when this kiosk has a face camera and citizen template store
  (:mod:`hall.kiosk.face_setup`): first a notice in plain words with "agree"
  and "use another way" (nothing is read from the camera before "agree");
  then the templates are fetched (:mod:`hall.kiosk.appointment_faces`), a
  :class:`~hall.screens.common.face_watch.FaceWatch` runs
  :func:`hall.kiosk.face_checkin.appointment_by_face` with the live picture
  on screen, and every template is destroyed when the attempt ends. A match
  takes the ticket with that appointment's code through the kiosk's ticket
  path (same ticket screen, same printing); otherwise a plain message, a
  retry (up to :data:`MAX_ATTEMPTS`) and the other ways.

Going home (idle timeout, "back to home", the ticket shown) cancels the watch,
and the attempt's templates are destroyed as its thread ends.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from hall.kiosk.client import DaemonError
from hall.kiosk.entry import IdEntry
from hall.screens.common.face_watch import FaceWatch
from hall.screens.kiosk.keypad import Keypad  # noqa: F401 - used in kv
from hall.screens.kiosk.ui import ui
from hall.screens.kiosk.widgets import KioskScreen

if TYPE_CHECKING:
    from hall.kiosk.appointment_faces import Loaded

log = logging.getLogger(__name__)

#: Face attempts per visit before only the other ways are left (1:N against every
#: open appointment: unlimited tries would invite trying faces until one matches).
MAX_ATTEMPTS = 3
#: How an attempt ended, as shown: appointment_by_face's reasons, no template to
#: compare with, the camera failing, the daemon refusing the ticket.
RESULTS = ("no_match", "not_live", "no_face", "none_open", "offline", "refused")


class AppointmentScreen(KioskScreen):
    """ID number or face check-in for one service; see the module docstring."""

    service = DictProperty({})
    service_name = StringProperty("")
    state = OptionProperty("id", options=["id", "consent", "watching", "issuing", "result"])
    # ID number
    shown = StringProperty("")
    hint = StringProperty("")
    problem = StringProperty("")
    ready = BooleanProperty(False)
    busy = BooleanProperty(False)
    error = StringProperty("")  # the daemon's refusal of the ID check-in
    # face
    result = StringProperty("")  # one of RESULTS
    message = StringProperty("")
    engine = StringProperty("")  # which face engine is active, in small print under the picture
    preview = ObjectProperty(None, allownone=True)
    attempts = NumericProperty(0)
    can_retry = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        self.id_entry = IdEntry()
        self.watch: FaceWatch | None = None
        self._attempt = 0  # bumped on every start and cancel: late answers are dropped
        self._refusal = ""
        super().__init__(**kwargs)

    @property
    def face_available(self) -> bool:
        """This kiosk can check appointments in by face."""
        ctx = self.kiosk.ctx
        devices = (ctx.citizen_faces, ctx.face_camera, ctx.face_engine, ctx.face_config)
        return None not in devices

    # -- entry -------------------------------------------------------------------------
    def open(self, service: dict[str, Any], how: str) -> None:
        """Show ``how`` ("id" or "face") for ``service``; face starts with the notice."""
        if how == "face" and not self.face_available:
            return
        self.clear_personal()
        self.service = service
        if how == "face":
            self.engine = self.kiosk.ctx.face_engine.describe()
        self.state = "consent" if how == "face" else "id"
        self.relabel()
        self.kiosk.current = self.name

    def other_ways(self) -> None:
        """Back to the appointment code, with the ID number and face buttons beside it."""
        self.clear_personal()
        self.kiosk.take.set_mode("code")
        self.kiosk.current = "take"

    def use_id(self) -> None:
        """From a face result straight to the ID number."""
        self._cancel()
        self.state = "id"
        self._update()

    # -- ID number -----------------------------------------------------------------------
    def press(self, key: str) -> None:
        """A keypad key."""
        if self.state == "id" and self.id_entry.press(key):
            self.error = ""
        self._update()

    def card_read(self, number: str) -> None:
        """The ID card reader read a (checked) number: use it as if typed."""
        if self.state == "id":
            self.id_entry.value = number
            self.error = ""
            self._update()

    def check_in_by_id(self) -> None:
        """Ask the daemon for this person's appointment ticket (on the kiosk's worker)."""
        if self.busy or not self.id_entry.complete or not self.service:
            return
        self.busy = True
        self.error = ""
        self.kiosk.take_number(
            self.service["code"],
            refused=self._id_refused,
            id_number=self.id_entry.value,
            appointment=True,
        )

    def _id_refused(self, err: DaemonError) -> None:
        self.busy = False
        self.error = err.text(ui.lang)

    # -- face ------------------------------------------------------------------------------
    def agree(self) -> None:
        """The citizen agreed on the notice: fetch the templates, then watch the camera."""
        if self.state == "consent":
            self._start()

    def retry(self) -> None:
        """Another attempt after a result that did not check in."""
        if self.state == "result" and self.can_retry:
            self._start()

    def _start(self) -> None:
        ctx = self.kiosk.ctx
        self._attempt += 1
        attempt = self._attempt
        self.state = "watching"
        self.result = self.message = self._refusal = ""
        self.preview = None
        if self.watch is None:
            self.watch = FaceWatch(ctx.face_camera, self.kiosk.post, self._show, name="appointment")
        watch, service = self.watch, self.service["code"]

        # Imported here, not at start-up: the face modules load OpenCV (~0.1 s of a cold
        # start), and most citizens never use face check-in.
        from hall.kiosk.appointment_faces import load

        def fetch() -> Loaded:
            if watch.running:  # a cancelled attempt ends at its next frame, destroying its own
                watch.join(2.0)
            return load(ctx.client, ctx.citizen_faces, service, ctx.face_engine.name)

        self.kiosk.run_job(fetch, lambda loaded: self._loaded(attempt, loaded), self._fetch_refused)

    def _loaded(self, attempt: int, loaded: Loaded) -> None:
        if attempt != self._attempt or self.state != "watching":
            self.kiosk.run_job(loaded.release, _ignore)  # the citizen has gone meanwhile
            return
        if not len(loaded):
            self._finish("none_open")
            return
        ctx = self.kiosk.ctx
        engine, cfg, citizens = ctx.face_engine, ctx.face_config, ctx.citizen_faces

        def decide(frames: Any) -> Any:
            try:
                from hall.kiosk.face_checkin import appointment_by_face

                return appointment_by_face(engine, cfg, citizens, frames)
            finally:
                loaded.release()  # matched or not, cancelled or failed: the attempt is over

        if not self.watch.start(decide, self._decided, self._camera_failed):
            self.kiosk.run_job(loaded.release, _ignore)
            self._finish("offline")

    def _fetch_refused(self, err: DaemonError) -> None:
        if self.state == "watching":
            self._refusal = err.text(ui.lang)
            self._finish("refused")

    def _show(self, texture: Any) -> None:
        if self.state == "watching":
            self.preview = texture

    def _decided(self, seen: Any) -> None:
        if self.state != "watching":
            return
        if not seen.ok:
            self._finish(seen.reason)
            return
        log.info("appointment check-in by face: matched")
        self.state = "issuing"
        self.kiosk.take_number(
            self.service["code"], refused=self._ticket_refused, appointment_code=seen.subject
        )

    def _ticket_refused(self, err: DaemonError) -> None:
        if self.state == "issuing":
            self._refusal = err.text(ui.lang)
            self._finish("refused")

    def _camera_failed(self, why: str) -> None:
        if self.state == "watching":
            log.warning("appointment check-in by face: camera: %s", why)
            self._finish("offline")

    def _finish(self, result: str) -> None:
        self.attempts += 1
        self.result = result if result in RESULTS else "no_face"
        log.info("appointment check-in by face: attempt %d: %s", self.attempts, self.result)
        self.preview = None
        self.can_retry = self.result != "offline" and self.attempts < MAX_ATTEMPTS
        self.state = "result"
        self.relabel()

    def _cancel(self) -> None:
        self._attempt += 1
        if self.watch is not None:
            self.watch.cancel()  # its thread ends at the next frame and destroys the templates
        self.preview = None

    # -- screen duties ------------------------------------------------------------------------
    def relabel(self) -> None:
        """Texts built here, in the current language."""
        self.service_name = (self.service.get("name") or {}).get(ui.lang, "")
        if self.state != "result":
            self.message = ""
        else:
            text = self._refusal if self.result == "refused" else ui.t(f"appt.{self.result}")
            if not self.can_retry and self.result not in ("offline", "none_open"):
                text += "\n" + ui.t("appt.no_more")
            self.message = text
        if "keypad" in self.ids:
            self.ids.keypad.relabel()
        self._update()

    def _update(self) -> None:
        self.shown = self.id_entry.display_masked()
        self.problem = self.id_entry.problem(ui.lang) or ""
        self.hint = ui.t(
            "appt.id_hint" if self.id_entry.empty else "take.id_count",
            count=len(self.id_entry.value),
        )
        self.ready = self.id_entry.complete

    def clear_personal(self) -> None:
        """Forget the ID number, stop the camera; the attempt's templates go as it ends."""
        self._cancel()
        self.id_entry.clear()
        self.busy = False
        self.error = self.result = self.message = self._refusal = ""
        self.attempts = 0
        self.can_retry = True
        self.state = "id"
        self._update()

    def shutdown(self) -> None:
        """Stop an attempt under way and wait for its thread (program exit, tests)."""
        self._cancel()
        if self.watch is not None:
            self.watch.join(5.0)


def _ignore(_result: Any) -> None:
    """A worker job whose result nobody waits for."""


Builder.load_file(str(Path(__file__).with_name("appointment.kv")))
