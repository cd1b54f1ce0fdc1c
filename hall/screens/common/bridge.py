"""Between blocking daemon calls, the event follower's thread and the Kivy thread.

Kivy widgets may only be touched on the Kivy thread. :class:`UiBridge` runs
daemon calls on one worker thread (so a slow or dead daemon never freezes the
screen, and a window's operations keep their order), follows the event
stream, and hands every result, error and event back to the Kivy thread with
``Clock.schedule_once``. After :meth:`UiBridge.close` nothing more reaches
the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

from hall.kiosk.client import DaemonError, EventFollower
from hall.kiosk.context import KioskContext

log = logging.getLogger(__name__)


class JobFailed(DaemonError):
    """A job raised something other than :class:`DaemonError`: a bug, logged by the bridge.

    It reaches ``on_error`` like a refusal (status 0, code ``internal``); a screen
    that must tell a bug from the daemon's answer checks for this class.
    """


class UiBridge:
    """A worker thread for daemon calls and an event follower, both reporting on the Kivy thread."""

    def __init__(self, ctx: KioskContext, name: str) -> None:
        self.ctx = ctx
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-worker")
        self._follower: EventFollower | None = None
        self._intervals: list[Any] = []
        self.closed = False

    # -- Kivy thread -------------------------------------------------------------
    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the Kivy thread at the next frame (from any thread)."""

        def run(_dt: float) -> None:
            if not self.closed:
                fn(*args)

        Clock.schedule_once(run, 0)

    def every(self, seconds: float, fn: Callable[[float], None]) -> None:
        """A Kivy clock interval that :meth:`close` cancels."""
        self._intervals.append(Clock.schedule_interval(fn, seconds))

    # -- worker thread -----------------------------------------------------------
    def submit(
        self,
        call: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[DaemonError], None],
    ) -> None:
        """Run ``call()`` on the worker; ``on_done(result)`` or ``on_error(exc)`` on the Kivy thread."""
        if self.closed:
            return

        def job() -> None:
            try:
                result = call()
            except DaemonError as exc:
                self.post(on_error, exc)
            except Exception as exc:  # a bug must reach the screen, not kill the worker
                log.exception("daemon call failed")
                self.post(on_error, JobFailed(0, "internal", str(exc), str(exc)))
            else:
                self.post(on_done, result)

        self._pool.submit(job)

    # -- events ------------------------------------------------------------------
    def follow(
        self,
        token: str,
        on_event: Callable[[str, dict, int | None], None],
        on_state: Callable[[bool], None],
    ) -> EventFollower:
        """Start following events with ``token``; callbacks run on the Kivy thread."""
        self.unfollow()
        follower = self.ctx.follower(
            token,
            lambda kind, data, event_id: self.post(on_event, kind, data, event_id),
            lambda connected: self.post(on_state, connected),
        )
        self._follower = follower.start()
        return follower

    def unfollow(self) -> None:
        """Stop following events (the worker keeps running)."""
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()

    @property
    def following(self) -> bool:
        """True while an event follower runs."""
        return self._follower is not None

    def close(self) -> None:
        """Stop the follower, the clock intervals and the worker; drop what is still queued."""
        self.closed = True
        self.unfollow()
        for event in self._intervals:
            event.cancel()
        self._intervals.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
