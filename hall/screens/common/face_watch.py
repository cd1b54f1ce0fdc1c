"""One face decision at a time, off the Kivy thread, with a live picture on screen.

Every face flow (staff sign-in and enrolment at a window, appointment check-in
and the ID-photo comparison at the kiosk) does the same thing: hand a stream
of camera frames to a deciding function from :mod:`hall.kiosk.face_checkin`
on a thread of its own, show each few frames to the person in front of the
camera, and report the result on the Kivy thread. :class:`FaceWatch` does
that once for all of them.

Frames are not kept: each one lives until the decision function and the
preview are done with it. Cancelling (the person walked away, the screen
changed, the idle timeout) ends the frame stream, so the decision returns at
its next frame and its result is dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from hall.drivers.errors import DriverError
from hall.screens.common.picture import frame_pixels, pixels_texture

log = logging.getLogger(__name__)

PREVIEW_EVERY = 2  # frames between preview updates (a 640x480 texture costs a software GL frame)
_CAMERA_LOCK = threading.Lock()


class FaceWatch:
    """Runs ``decide(frames)`` on its own thread with frames from ``camera``.

    ``post(fn, *args)`` runs ``fn`` on the Kivy thread (``UiBridge.post`` or
    the kiosk root's ``post``); ``on_preview(texture)`` gets the live picture
    there. Only one decision runs at a time: :meth:`start` while one runs is
    refused (returns False), unless that one was cancelled (it then ends at
    its next frame, its result dropped, while the new one starts).
    """

    def __init__(
        self,
        camera: Any,
        post: Callable[..., None],
        on_preview: Callable[[Any], None] | None = None,
        name: str = "face",
    ) -> None:
        self.camera = camera
        self.post = post
        self.on_preview = on_preview
        self.name = name
        self._stop = threading.Event()  # of the current decision; each has its own
        self._thread: threading.Thread | None = None
        self._generation = 0  # results of a cancelled decision are dropped

    @property
    def running(self) -> bool:
        """A decision is under way (a cancelled one may still be ending)."""
        return self._thread is not None and self._thread.is_alive()

    def frames(self, stop: threading.Event | None = None) -> Iterator[np.ndarray]:
        """Camera frames until ``stop`` (the current decision's) is set; some are shown."""
        stop = stop or self._stop
        generation = self._generation
        n = 0
        while not stop.is_set():
            # One reader at a time: a cancelled decision may still be at its last frame
            # while the next one starts, and screens share the face camera.
            with _CAMERA_LOCK:
                frame = self.camera.read()
            if self.on_preview is not None and n % PREVIEW_EVERY == 0:
                self.post(self._show, generation, frame_pixels(frame, 2))
            n += 1
            yield frame

    def _show(self, generation: int, pixels: tuple[bytes, tuple[int, int]]) -> None:
        if generation == self._generation and not self._stop.is_set() and self.on_preview:
            self.on_preview(pixels_texture(*pixels))

    def start(
        self,
        decide: Callable[[Iterator[np.ndarray]], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> bool:
        """Run ``decide(self.frames())``; ``done(result)`` or ``failed(why)`` on the Kivy thread.

        ``failed`` gets a driver's message (camera offline) or the exception's
        name for a bug (logged with its traceback, never with face data).
        """
        if self.running and not self._stop.is_set():
            return False
        # A cancelled decision still ending keeps its own (set) stop event and
        # its results are dropped by generation; the new one starts at once.
        self._stop = stop = threading.Event()
        self._generation += 1
        generation = self._generation

        def deliver(fn: Callable[[Any], None], value: Any) -> None:
            if generation == self._generation:
                fn(value)

        def run() -> None:
            try:
                result = decide(self.frames(stop))
            except DriverError as exc:
                self.post(deliver, failed, str(exc))
            except Exception as exc:  # a bug must reach the screen, not vanish
                log.error("%s: face decision failed: %s", self.name, type(exc).__name__)
                self.post(deliver, failed, type(exc).__name__)
            else:
                self.post(deliver, done, result)

        self._thread = threading.Thread(target=run, name=f"{self.name}-face", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """End the frame stream; a result still to come is dropped."""
        self._stop.set()
        self._generation += 1

    def join(self, timeout: float = 5.0) -> bool:
        """Wait for the latest decision thread to end (at shutdown and in tests)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running
