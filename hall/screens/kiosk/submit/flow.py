"""自助申报 on the kiosk: the screens of a submission and the work behind them.

:class:`SubmitController` belongs to the :class:`~hall.screens.kiosk.root.KioskRoot`
and moves a citizen through matters → guide → identify (→ 人证比对 when the ID
card reader gave the photo and the kiosk has a face camera) → form → capture →
review → notice, and runs 办件查询. What the citizen enters lives in one
:class:`~hall.kiosk.submission.SubmissionFlow`; the kiosk's ``go_home`` (idle
timeout, "back", "done") clears it and every screen.

Threads: storing, printing and daemon calls run on the kiosk's worker;
camera reads and document capture on a camera thread of their own (a slow
camera never holds up the daemon). The receipt is shown only after
``outbox.store`` returned: the case is then durable on the terminal. The
citizen's rating of the submission (好差评, on the notice screen) is stored in
the same outbox on a thread of its own (a slow printer never delays the
thank-you) and forwarded after the case.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kivy.clock import Clock

from hall.drivers.errors import DriverError
from hall.drivers.qrscan import read_qr
from hall.kiosk.submission import SubmissionFlow, print_notice
from hall.screens.common.picture import frame_pixels, pixels_texture
from hall.screens.kiosk.submit.capture import CaptureScreen
from hall.screens.kiosk.submit.face_id import FaceIdScreen, face_id_offered
from hall.screens.kiosk.submit.form import FormScreen
from hall.screens.kiosk.submit.guide import MatterGuideScreen
from hall.screens.kiosk.submit.identify import IdentifyScreen
from hall.screens.kiosk.submit.matters import MattersScreen
from hall.screens.kiosk.submit.notice import NoticeScreen
from hall.screens.kiosk.submit.progress import ProgressScreen
from hall.screens.kiosk.submit.review import ReviewScreen
from hall.screens.kiosk.ui import ui
from hall.vision.document import capture, encode_jpeg

log = logging.getLogger(__name__)

#: Screens where ``idle_timeout_s`` without a touch returns home (and clears).
IDLE_SCREENS = (
    "matters", "matter", "identify", "face_id", "form", "capture", "review", "progress",
)  # fmt: skip
PREVIEW_FPS = 8


@dataclass(frozen=True)
class CaptureOutcome:
    """A capture job's result, made on the camera thread."""

    verdict: str
    jpeg: bytes | None
    pixels: tuple[bytes, tuple[int, int]] | None


class SubmitController:
    """Navigation and jobs of the self-service screens (see the module docstring)."""

    def __init__(self, kiosk: Any) -> None:
        self.kiosk = kiosk
        self.ctx = kiosk.ctx
        self.flow = SubmissionFlow()
        self.matters = MattersScreen(kiosk=kiosk, name="matters")
        self.guide = MatterGuideScreen(kiosk=kiosk, name="matter")
        self.identify = IdentifyScreen(kiosk=kiosk, name="identify")
        self.face_id = FaceIdScreen(kiosk=kiosk, name="face_id")
        self.form = FormScreen(kiosk=kiosk, name="form")
        self.capture = CaptureScreen(kiosk=kiosk, name="capture")
        self.review = ReviewScreen(kiosk=kiosk, name="review")
        self.notice = NoticeScreen(kiosk=kiosk, name="notice")
        self.progress = ProgressScreen(kiosk=kiosk, name="progress")
        self.notice_deadline = 0.0
        self._camera = ThreadPoolExecutor(1, thread_name_prefix="kiosk-camera")
        self._ratings = ThreadPoolExecutor(1, thread_name_prefix="kiosk-rating")
        self._reading = False
        self._preview = Clock.schedule_interval(self._preview_tick, 1 / PREVIEW_FPS)

    @property
    def screens(self) -> list[Any]:
        """Every screen of submission and progress lookup."""
        return [
            self.matters, self.guide, self.identify, self.face_id, self.form,
            self.capture, self.review, self.notice, self.progress,
        ]  # fmt: skip

    @property
    def available(self) -> bool:
        """Self-service submission is set up on this kiosk (catalogue, calendar, outbox)."""
        return None not in (self.ctx.catalogue, self.ctx.calendar, self.ctx.outbox)

    def _go(self, name: str) -> None:
        self.kiosk.current = name

    # -- navigation --------------------------------------------------------------
    def open_matters(self) -> None:
        """Step 0: choose a matter."""
        if not self.available:
            return
        self.matters.open()
        self._go("matters")

    def open_matter(self, code: str) -> None:
        """The guide of one matter; a new submission starts (anything earlier is dropped)."""
        matter = self.ctx.catalogue.get(code)
        if matter is None:
            return
        self.flow.start(matter)
        self.guide.open(matter)
        self._go("matter")

    def back_to_guide(self) -> None:
        """From identify back to the guide (what was typed is kept until home)."""
        self._go("matter")

    def start_identify(self) -> None:
        """Step 2: identify."""
        self.open_identify()

    def open_identify(self) -> None:
        """Show the identify step."""
        self.identify.open()
        self._go("identify")

    def after_identify(self) -> None:
        """Identify is complete: 人证比对 if offered (card photo, face camera), else the form."""
        if face_id_offered(self.ctx, self.flow):
            self.face_id.open()
            self._go("face_id")
        else:
            self.open_form()

    def open_form(self) -> None:
        """Step 3: the form (skipped when the matter asks nothing beyond the applicant)."""
        if not self.flow.form_fields():
            self.open_capture()
            return
        self.form.open()
        self._go("form")

    def open_capture(self, index: int = 0) -> None:
        """Step 4: the camera materials, from ``index``; none left → review."""
        materials = self.flow.camera_materials()
        if index >= len(materials):
            self.open_review()
            return
        self.capture.open(index)
        self._go("capture")

    def capture_back(self) -> None:
        """Back from a material: the previous one, or the form."""
        if self.capture.index > 0:
            self.open_capture(self.capture.index - 1)
        elif self.flow.form_fields():
            self.form.open()
            self._go("form")
        else:
            self.open_identify()

    def open_review(self) -> None:
        """Step 5: review."""
        self.review.open()
        self._go("review")

    def review_back(self) -> None:
        """From review back to the last material (or the form)."""
        count = len(self.flow.camera_materials())
        if count:
            self.open_capture(count - 1)
        else:
            self.capture_back()

    def open_progress(self) -> None:
        """办件查询."""
        self.progress.open()
        self._go("progress")

    # -- camera --------------------------------------------------------------------
    def _preview_tick(self, _dt: float) -> None:
        camera = self.ctx.camera
        if camera is None or self._reading:
            return
        if self.kiosk.current == "progress" and self.progress.scanning:
            # 办件查询: look for the notice's QR code, one frame at a time.
            scan_id = self.progress.scan_id
            self._read(camera, read_qr, lambda text: self.progress.scan_result(text, scan_id))
        elif self.kiosk.current == "capture" and self.capture.state == "preview":
            self._read(camera, lambda frame: frame_pixels(frame, 2), self._show_preview)

    def _read(self, camera: Any, work: Any, done: Any) -> None:
        """Read one frame on the camera thread, ``work`` on it there, ``done`` with the result."""
        self._reading = True

        def read() -> Any:
            try:
                return work(camera.read())
            finally:
                self._reading = False

        self._camera_job(read, done)

    def _show_preview(self, pixels: tuple[bytes, tuple[int, int]]) -> None:
        if self.kiosk.current == "capture" and self.capture.state == "preview":
            self.capture.preview = pixels_texture(*pixels)

    def _camera_job(self, job: Any, done: Any) -> None:
        def finished(future: Any) -> None:
            exc = future.exception()
            if exc is None:
                self.kiosk.post(done, future.result())
            elif isinstance(exc, DriverError):
                self.kiosk.post(self._camera_failed, str(exc))
            else:
                log.error("camera job failed", exc_info=exc)
                self.kiosk.post(self._camera_failed, repr(exc))

        try:
            self._camera.submit(job).add_done_callback(finished)
        except RuntimeError:  # shut down
            pass

    def _camera_failed(self, why: str) -> None:
        log.warning("camera: %s", why)
        if self.kiosk.current == "capture":
            self.capture.camera_failed(why)
        elif self.kiosk.current == "progress" and self.progress.scanning:
            self.progress.scan_failed()

    def shoot(self) -> None:
        """Take a photo of the material now shown and check it."""
        camera = self.ctx.camera
        if camera is None or self.capture.state != "preview":
            return
        self.capture.state = "working"

        def job() -> CaptureOutcome:
            result = capture(camera.read())
            pixels = frame_pixels(result.page, 3) if result.page is not None else None
            jpeg = encode_jpeg(result.page) if result.ok else None
            return CaptureOutcome(result.verdict, jpeg, pixels)

        self._camera_job(job, self._shot)

    def _shot(self, outcome: CaptureOutcome) -> None:
        if self.kiosk.current == "capture" and self.capture.state == "working":
            log.info("material captured: %s", outcome.verdict)
            self.capture.show_result(outcome)

    def retake(self) -> None:
        """Back to the live picture for the same material."""
        self.capture.open(self.capture.index)

    def use_photo(self) -> None:
        """Keep a good photo and go on to the next material."""
        outcome = self.capture.result
        if outcome is None or outcome.jpeg is None:
            return
        material = self.flow.camera_materials()[self.capture.index]
        self.flow.accept(material.name, outcome.jpeg)
        self.open_capture(self.capture.index + 1)

    def skip_material(self) -> None:
        """Go on without this material (a mandatory one becomes 补正)."""
        material = self.flow.camera_materials()[self.capture.index]
        self.flow.skip(material.name)
        self.open_capture(self.capture.index + 1)

    # -- submit ------------------------------------------------------------------------
    def submit(self) -> None:
        """Store the case on the terminal (worker), then show and print its notice."""
        from hall.workdays import CalendarError

        if self.review.busy or self.flow.matter is None:
            return
        try:
            today = self.ctx.now().date()
            promised = self.flow.promised(self.ctx.calendar, today)
            settings = self.kiosk.settings
            correct_by = (  # into next year's Monday-Friday if its table is not out yet
                self.ctx.calendar.add_working_days_provisional(today, settings.correction_days)[0]
                if self.flow.missing()
                else None
            )
        except CalendarError as exc:
            log.error("cannot compute the promised date: %s", exc)
            self.review.show_error(ui.t("submit.calendar_error"))
            return
        self.review.busy = True
        draft = self.flow.draft(promised)
        flow, ctx = self.flow, self.ctx
        url = self.kiosk.settings.progress_url

        def job() -> Any:
            try:
                stored = ctx.outbox.store(draft)
            except Exception as exc:  # disk full, I/O error: nothing was accepted
                log.error("submission not stored", exc_info=exc)
                return None
            notice = flow.notice(
                stored, ctx.hall_name, url, promised, correct_by, settings.correction_place
            )
            log.info("submission %s stored (%s)", stored.receipt, notice.title)
            self.kiosk.post(self.show_notice, notice, stored.id)
            outcome, _detail = print_notice(self.kiosk.desk.printer, notice)
            if self.kiosk.desk.printer is not None:
                self.kiosk.desk.report_printer(self.kiosk.desk.printer.health)
            return notice.receipt, outcome

        self.kiosk.run_job(job, self._printed)

    def show_notice(self, notice: Any, case_id: str | None = None) -> None:
        """The case is durable: forget the personal data, show its notice (and ask for a rating)."""
        self.flow.clear()
        for screen in (self.identify, self.face_id, self.form, self.capture, self.review):
            screen.clear_personal()
        self.notice.show(notice, case_id if self.ctx.outbox is not None else None)
        self._go("notice")
        self.notice_deadline = self.kiosk.clock() + self.kiosk.settings.notice_screen_s

    def _printed(self, result: Any) -> None:
        if result is None:
            self.review.show_error(ui.t("submit.store_failed"))
            return
        receipt, outcome = result
        if self.notice.notice is not None and self.notice.notice.receipt == receipt:
            self.notice.show_print(outcome)
            if self.notice.print_state == "failed":
                settings = self.kiosk.settings
                self.notice_deadline = self.notice.shown_at + settings.notice_screen_no_print_s

    # -- 好差评 ------------------------------------------------------------------------------
    def keep_notice(self) -> None:
        """The citizen is rating: the notice stays at least ``idle_timeout_s`` more."""
        soon = self.kiosk.clock() + self.kiosk.settings.idle_timeout_s
        self.notice_deadline = max(self.notice_deadline, soon)

    def rate(self, level: int, tags: list[str]) -> None:
        """Store the citizen's rating of the case on the notice (thread); thank-you when kept."""
        case_id, outbox = self.notice.case_id, self.ctx.outbox
        if case_id is None or outbox is None:
            return
        self.notice.rating = "saving"

        def job() -> bool:
            try:
                outbox.rate(case_id, level, tags)  # False: rated already, kept all the same
            except Exception as exc:  # a disk error must not hold the citizen
                log.error("rating not stored", exc_info=exc)
                return False
            return True

        def stored(future: Any) -> None:
            self.kiosk.post(self._rated, case_id, future.result())

        try:
            self._ratings.submit(job).add_done_callback(stored)
        except RuntimeError:  # shut down
            pass

    def _rated(self, case_id: str, ok: bool) -> None:
        if self.notice.case_id == case_id:  # still this case's notice
            self.notice.rated(ok)

    # -- progress -------------------------------------------------------------------------
    def query_progress(self, receipt: str, id_number: str) -> None:
        """办件查询 on the worker."""
        self.kiosk.run_job(
            lambda: self.ctx.client.progress(receipt, id_number),
            self.progress.show_answer,
            self.progress.show_refusal,
        )

    # -- time and clean-up -------------------------------------------------------------------
    def tick(self, now: float) -> bool:
        """The notice's time-out; True when it sent the kiosk home."""
        if self.kiosk.current != "notice":
            return False
        if now >= self.notice_deadline:
            self.kiosk.go_home()
            return True
        self.notice.countdown = max(0, int(self.notice_deadline - now + 0.999))
        return False

    def busy(self) -> bool:
        """A case is being stored: no idle timeout now."""
        return self.review.busy

    def clear_personal(self) -> None:
        """Forget everything personal: the flow and every screen."""
        self.flow.clear()
        for screen in self.screens:
            screen.clear_personal()

    def shutdown(self) -> None:
        """Stop the preview, a face comparison under way and the camera thread."""
        self._preview.cancel()
        self.face_id.shutdown()
        self._camera.shutdown(wait=True, cancel_futures=True)
        self._ratings.shutdown(wait=True)  # a rating being stored is finished, not dropped
