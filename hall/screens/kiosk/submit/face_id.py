"""自助申报, step 2 continued: 人证比对 — the live face against the ID card photo (1:1).

Offered only when the ID card reader gave the card's photo for the ID number
entered and this kiosk has a face camera (``ctx.face_engine``,
``ctx.face_camera`` and ``ctx.face_config``, filled by
:mod:`hall.kiosk.face_setup`); otherwise the flow goes from identify straight
to the form. The screen asks first, in plain words, and the citizen may skip:
the submission goes ahead and staff check the ID card at the window.

On "agree" a :class:`~hall.screens.common.face_watch.FaceWatch` runs
:func:`hall.kiosk.face_checkin.verify_id_photo` on the face camera's frames
(live, majority of frames) and the result is shown plainly: matched, not
matched, not live, no face, camera not working; with retry (up to
:data:`MAX_ATTEMPTS`) and skip. The outcome goes on the submission as a flag
(:data:`hall.kiosk.submission.IDENTITY_CHECKS`); the photo is dropped when the
outcome is recorded, and with every frame and the live picture on the idle
timeout and on going home (:meth:`FaceIdScreen.clear_personal`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from hall.screens.common.face_watch import FaceWatch
from hall.screens.kiosk.ui import ui
from hall.screens.kiosk.widgets import KioskScreen

log = logging.getLogger(__name__)

#: Comparisons a citizen may try before only "skip" is left (a retry is cheap, but
#: unlimited tries against one card photo would invite trying other faces).
MAX_ATTEMPTS = 3
#: Results of one attempt: verify_id_photo's reasons, plus the camera failing.
RESULTS = ("matched", "no_match", "not_live", "no_face", "offline")
#: Results where a live comparison was made and did not confirm the holder.
NOT_CONFIRMED = ("no_match", "not_live")


def face_id_offered(ctx: Any, flow: Any) -> bool:
    """Whether the comparison step comes after identify for this citizen."""
    devices = (ctx.face_engine, ctx.face_camera, ctx.face_config)
    return None not in devices and flow.id_photo is not None and flow.identity_check is None


class FaceIdScreen(KioskScreen):
    """Consent, live picture, result; see the module docstring."""

    state = OptionProperty("consent", options=["consent", "watching", "result"])
    result = StringProperty("")  # one of RESULTS once an attempt is over
    message = StringProperty("")
    preview = ObjectProperty(None, allownone=True)
    attempts = NumericProperty(0)
    can_retry = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        self.watch: FaceWatch | None = None
        self.compared = False  # a live comparison finished without confirming
        super().__init__(**kwargs)

    @property
    def flow(self) -> Any:
        """The submission in progress (hall.kiosk.submission.SubmissionFlow)."""
        return self.kiosk.submit.flow

    def open(self) -> None:
        """Ask first: compare, or skip to a check at the window."""
        self._reset()

    # -- the citizen's choices ----------------------------------------------------------
    def agree(self) -> None:
        """The citizen agreed: compare the live face with the card photo."""
        if self.state == "consent":
            self._start()

    def retry(self) -> None:
        """Another attempt after a result that did not match."""
        if self.state == "result" and self.result != "matched" and self.can_retry:
            self._start()

    def skip(self) -> None:
        """No (further) comparison: the case says so and staff check the ID at the window."""
        if self.result == "matched":
            self.next()
            return
        self._stop()
        outcome = "failed" if self.compared else "skipped"
        self.flow.record_identity(outcome)
        log.info("ID photo comparison: %s after %d attempt(s)", outcome, self.attempts)
        self._reset()
        self.kiosk.submit.open_form()

    def next(self) -> None:
        """On to the form after a match."""
        if self.result == "matched":
            self._reset()
            self.kiosk.submit.open_form()

    def back(self) -> None:
        """Back to the identify step (the card photo stays until the step is decided)."""
        self._stop()
        self._reset()
        self.kiosk.submit.open_identify()

    # -- the comparison -------------------------------------------------------------------
    def _start(self) -> None:
        ctx = self.kiosk.ctx
        photo = self.flow.id_photo
        if photo is None or ctx.face_camera is None:
            return
        if self.watch is None or self.watch.camera is not ctx.face_camera:
            self.watch = FaceWatch(ctx.face_camera, self.kiosk.post, self._show, name="face-id")
        self.watch.cancel()  # one still ending is dropped (FaceWatch), without waiting here
        engine, cfg = ctx.face_engine, ctx.face_config
        started = self.watch.start(
            lambda frames: _verify(engine, cfg, frames, photo), self._done, self._failed
        )
        if started:
            self.state = "watching"
            self.result = self.message = ""
            self.preview = None

    def _show(self, texture: Any) -> None:
        if self.state == "watching":
            self.preview = texture

    def _done(self, decided: Any) -> None:
        match, seen = decided
        if self.state != "watching":
            return
        if match.accepted:
            self.flow.record_identity("face_matched")  # drops the card photo
            self._finish("matched")
        else:
            self.compared = self.compared or seen.reason in NOT_CONFIRMED
            self._finish(seen.reason)

    def _failed(self, why: str) -> None:
        if self.state != "watching":
            return
        log.warning("ID photo comparison: camera: %s", why)
        self._finish("offline")

    def _finish(self, result: str) -> None:
        self.attempts += 1
        log.info("ID photo comparison: attempt %d: %s", self.attempts, result)
        self.preview = None
        self.result = result if result in RESULTS else "no_face"
        self.can_retry = self.result != "matched" and self.attempts < MAX_ATTEMPTS
        self.state = "result"
        self.relabel()

    def _stop(self) -> None:
        if self.watch is not None:
            self.watch.cancel()

    def _reset(self) -> None:
        self.state = "consent"
        self.result = self.message = ""
        self.preview = None
        self.attempts = 0
        self.compared = False
        self.can_retry = True

    # -- screen duties ----------------------------------------------------------------------
    def relabel(self) -> None:
        """The result in the current language."""
        if self.state != "result" or not self.result:
            self.message = ""
            return
        if self.result == "matched":
            then = "face_id.then_next"
        else:
            then = "face_id.then_retry" if self.can_retry else "face_id.no_more"
        reason = ui.t(f"face_id.{self.result}")
        self.message = ui.t("face_id.result_line", reason=reason, then=ui.t(then))

    def clear_personal(self) -> None:
        """Stop the camera and forget the live picture (the flow drops the photo)."""
        self._stop()
        self._reset()

    def shutdown(self) -> None:
        """Stop a comparison under way and wait for its thread (program exit, tests)."""
        if self.watch is not None:
            self.watch.cancel()
            self.watch.join(5.0)


Builder.load_file(str(Path(__file__).with_name("face_id.kv")))


def _verify(engine: Any, cfg: Any, frames: Any, photo: Any) -> Any:
    """Return ``verify_id_photo``, imported when first used.

    The face modules load OpenCV, which a kiosk start need not wait for.
    """
    from hall.kiosk.face_checkin import verify_id_photo

    return verify_id_photo(engine, cfg, frames, photo)
