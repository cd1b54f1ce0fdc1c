"""Drive several LED boards (window boards and the hall board) on one serial link.

:class:`LedBus` owns one worker thread. :meth:`LedBus.show` only records the
newest text for a board and returns at once; the worker serves boards
round-robin, one frame per board with pending text per turn, so a busy bus is
never more than one frame per board behind and a board updated in a tight loop
cannot starve another. Frames are paced by their computed line time
(bytes x 10 bits / baud, 8N1) plus, for line boards, the configured inter-frame
gap: the link itself is non-blocking and would otherwise queue a backlog.

A bx5 board configured with ``reply`` asks its controller to answer every
frame (DEVICES.md §2a: ACK ``A0 00`` / NACK ``A0 01``); :meth:`LedBus.feed`
takes the answers, the worker waits for them (``replies.py``).

:meth:`LedBus.show_idle` is for texts that may wait (the announcements'
rotation between calls): sent only when no :meth:`LedBus.show` text is pending,
in chunks a call cuts short (``idle.py``).

Each board's spec and counters are in ``board_state.py``. The link is any
object with ``send(data: bytes)`` and optionally ``status`` (a
:class:`DeviceStatus`); ``hall.drivers.port.SerialLink`` is one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Protocol

from hall.drivers.errors import DriverError
from hall.drivers.led.board_state import BoardSpec, BoardState
from hall.drivers.led.bx5 import Bx5Splitter, encode_bx5
from hall.drivers.led.idle import IdleTexts, _Rotation
from hall.drivers.led.line import encode_line
from hall.drivers.led.replies import BusReplies, _Awaiting
from hall.drivers.led.texts import (  # noqa: F401 - re-exported: callers import them from here
    HALL_SEPARATOR,
    PAUSED_TEXT,
    HallHistory,
    bx5_safe,
    call_text,
    gbk_safe,
    hall_text,
    serving_text,
)
from hall.drivers.status import OPERATIONAL_STATES, DeviceStatus

log = logging.getLogger(__name__)


class Link(Protocol):
    """What LedBus needs from a link: a non-blocking send."""

    def send(self, data: bytes) -> None:
        """Queue ``data`` for the wire."""


class LedBus(BusReplies, IdleTexts):
    """Several LED boards on one link, updated without blocking the caller."""

    def __init__(
        self,
        link: Link,
        baudrate: int,
        boards: Iterable[BoardSpec],
        *,
        inter_frame_gap: float = 0.05,
        replacement: str = "?",
        retry_interval: float = 0.5,
        reply_timeout: float = 0.5,
        reply_retries: int = 1,
        rotation_chunk: int = 8,
    ) -> None:
        """Set up ``boards`` on ``link``; ValueError for a bad baud rate, id or format.

        ``inter_frame_gap`` (seconds) is left after each line-board frame;
        ``retry_interval`` (seconds) is how often an offline link is re-checked;
        ``reply_timeout`` (seconds after a frame has left the wire) is how long a
        board asked to reply is waited for, ``reply_retries`` how often a refused
        or unanswered text is sent again; ``rotation_chunk`` (bytes) is the piece a
        :meth:`show_idle` frame is written in, the most a :meth:`show` waits for.
        """
        if baudrate <= 0:
            raise ValueError("baudrate must be positive")
        self._link = link
        self.baudrate = baudrate
        self.inter_frame_gap = inter_frame_gap
        self.replacement = replacement
        self.retry_interval = retry_interval
        self.reply_timeout = reply_timeout
        self.reply_retries = reply_retries
        if rotation_chunk < 1:
            raise ValueError("rotation_chunk must be at least 1 byte")
        self.rotation_chunk = rotation_chunk
        self._boards: dict[str, BoardState] = {}
        for spec in boards:
            if spec.board_id in self._boards:
                raise ValueError(f"duplicate board id {spec.board_id!r}")
            if spec.format not in ("bx5", "line"):
                raise ValueError(f"board {spec.board_id!r}: unknown format {spec.format!r}")
            self._boards[spec.board_id] = BoardState(spec)
        self._order = list(self._boards)
        self._cursor = 0
        self._idle_cursor = 0
        self._rotating: _Rotation | None = None
        self._cond = threading.Condition()
        self._stopping = False
        self._line_free_at = 0.0  # time.monotonic() when the last frame has left the wire
        self._link_was_down = False
        self._thread: threading.Thread | None = None
        self._awaiting: _Awaiting | None = None
        self._replies = Bx5Splitter()
        #: Bus-wide counts of what came back: answers nobody waited for (late, or from
        #: another address), bad frames, and our own frames echoed by the adapter.
        self.counters = {"replies_unexpected": 0, "reply_frames_bad": 0, "echoes": 0}

    # -- caller side -------------------------------------------------------
    def start(self) -> LedBus:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ledbus", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        """Stop the worker; texts not yet sent are dropped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> LedBus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def show(self, board_id: str, text: str) -> None:
        """Show ``text`` on a board soon. Never blocks; replaces a pending text."""
        state = self._boards[board_id]  # KeyError names an unknown board
        safe, replaced = gbk_safe(text, self.replacement)
        if state.spec.format == "bx5":
            safe, backslashes = bx5_safe(safe)
            replaced += backslashes
        with self._cond:
            if replaced:
                state.replaced_chars += replaced
                log.warning("board %s: %d character(s) it cannot show replaced", board_id, replaced)
            if state.pending is not None:
                state.coalesced += 1
            state.pending, state.tries = safe, 0
            state.idle_pending = None  # the call wins; the rotation shows it again later
            self._cond.notify_all()

    def link_changed(self, _status: object = None) -> None:
        """The link's status changed (wire it to SerialLink.on_status): look again now."""
        with self._cond:
            self._cond.notify_all()

    def refresh(self) -> None:
        """Send every board's last text again (e.g. after boards lost power)."""
        with self._cond:
            self._requeue_locked()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending and the last frame has left the wire."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                busy = self._rotating is not None or any(
                    s.pending is not None or s.idle_pending is not None
                    for s in self._boards.values()
                )
                if not busy and now >= self._line_free_at:
                    return True
                if now >= deadline:
                    return False
                wait = deadline - now if busy else min(deadline, self._line_free_at) - now
                self._cond.wait(wait)

    def status(self) -> dict[str, dict]:
        """Per board: status, counters, last text and last send time."""
        with self._cond:
            return {
                bid: {
                    "address": s.spec.address,
                    "format": s.spec.format,
                    "status": str(s.status),
                    "frames_sent": s.frames_sent,
                    "bytes_sent": s.bytes_sent,
                    "coalesced": s.coalesced,
                    "replaced_chars": s.replaced_chars,
                    "errors": s.errors,
                    "reply": s.spec.reply,
                    "acks": s.acks,
                    "nacks": s.nacks,
                    "no_reply": s.no_reply,
                    "last_error_code": s.last_error_code,
                    "last_text": s.last_text,
                    "last_send": s.last_send,
                    "pending": s.pending is not None,
                    "rotation_frames": s.rotation_frames,
                    "preempted": s.preempted,
                    "shown_text": s.shown_text,
                }
                for bid, s in self._boards.items()
            }

    def line_time(self, nbytes: int, fmt: str) -> float:
        """Seconds a frame of ``nbytes`` holds the bus (8N1: 10 bits a byte)."""
        gap = self.inter_frame_gap if fmt == "line" else 0.0
        return nbytes * 10 / self.baudrate + gap

    # -- worker side -------------------------------------------------------
    def _requeue_locked(self) -> None:
        for s in self._boards.values():
            if s.pending is None and s.last_text is not None:
                s.pending = s.last_text

    def _next_pending_locked(self) -> BoardState | None:
        n = len(self._order)
        for i in range(n):
            idx = (self._cursor + i) % n
            state = self._boards[self._order[idx]]
            if state.pending is not None:
                self._cursor = (idx + 1) % n
                return state
        return None

    def _link_ok(self) -> bool:
        status = getattr(self._link, "status", None)
        return status is None or status in OPERATIONAL_STATES

    def _mark_down_locked(self, reason: str) -> None:
        if not self._link_was_down:
            log.warning("LED bus link down: %s", reason)
        self._link_was_down = True
        for s in self._boards.values():
            s.status = DeviceStatus.OFFLINE

    def _encode(self, spec: BoardSpec, text: str, reply: bool = True) -> bytes:
        if spec.format == "line":
            return encode_line(spec.address, text)
        return encode_bx5(
            spec.address,
            text,
            area=spec.area,
            settings=spec.settings,
            model=spec.model,
            reply=spec.reply and reply,
        )

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                now = time.monotonic()
                if now < self._line_free_at:
                    self._cond.wait(self._line_free_at - now)
                    continue
                if self._awaiting is not None:
                    self._reply_missing_locked()
                if not self._link_ok():
                    # A link still opening is not "down": no warning, boards keep their state.
                    if getattr(self._link, "status", None) != DeviceStatus.STARTING:
                        self._mark_down_locked(f"link status {self._link.status}")
                    self._cond.wait(self.retry_interval)
                    continue
                if self._link_was_down:
                    log.info("LED bus link back: sending every board's text again")
                    self._link_was_down = False
                    self._requeue_locked()
                state = self._next_pending_locked()
                if state is None:
                    if self._rotating is None:
                        idle = self._next_idle_locked()
                        if idle is None:
                            self._cond.wait()
                            continue
                        idle_text, idle.idle_pending = idle.idle_pending, None
                else:
                    if self._rotating is not None:  # a call: the rotation frame ends here
                        self._rotating.state.preempted += 1
                        self._rotating = None
                    text, state.pending = state.pending, None
                    tries, state.tries = state.tries + 1, 0
            if state is not None:
                self._send(state, text, tries)
            elif self._rotating is not None:
                self._send_chunk()
            else:
                self._start_rotation(idle, idle_text)

    def _send(self, state: BoardState, text: str, tries: int = 1) -> None:
        spec = state.spec
        try:
            frame = self._encode(spec, text)
        except ValueError as exc:
            log.error("board %s: cannot encode %r: %s", spec.board_id, text, exc)
            with self._cond:
                state.errors += 1
                state.status = DeviceStatus.ERROR
            return
        wants_reply = spec.format == "bx5" and spec.reply
        with self._cond:
            # Set before sending: a fast controller (or a pty) may answer at once.
            sent_end = time.monotonic() + self.line_time(len(frame), spec.format)
            self._line_free_at = sent_end
            if wants_reply:  # quiet until the answer or the timeout
                self._awaiting = _Awaiting(state, text, tries, sent_end)
                self._line_free_at = sent_end + self.reply_timeout
        try:
            self._link.send(frame)
        except DriverError as exc:
            with self._cond:
                self._awaiting = None
                state.errors += 1
                if state.pending is None:  # keep it unless a newer text came in
                    state.pending = text
                self._mark_down_locked(str(exc))
                self._line_free_at = time.monotonic() + self.retry_interval
            return
        with self._cond:
            state.frames_sent += 1
            state.bytes_sent += len(frame)
            state.last_text = state.shown_text = text
            state.last_send = time.time()
            if not wants_reply:  # with a reply, the status follows the answer
                state.status = DeviceStatus.OK
            self._cond.notify_all()
