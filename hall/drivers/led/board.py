"""Drive several LED boards (window boards and the hall board) on one serial link.

:class:`LedBus` owns one worker thread. :meth:`LedBus.show` only records the
newest text for a board and returns at once; the worker serves boards
round-robin, one frame per board with pending text per turn, so a busy bus is
never more than one frame per board behind and a board updated in a tight loop
cannot starve another. Frames are paced by their computed line time
(bytes x 10 bits / baud, 8N1) plus, for line boards, the configured inter-frame
gap: the link itself is non-blocking and would otherwise queue a backlog.

The link is any object with ``send(data: bytes)`` and optionally ``status``
(a :class:`DeviceStatus`); ``hall.drivers.port.SerialLink`` is one.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from hall.drivers.errors import DriverError
from hall.drivers.led.bx5 import Area, DisplayMode, RunMode, encode_bx5
from hall.drivers.led.line import encode_line
from hall.drivers.status import OPERATIONAL_STATES, DeviceStatus

log = logging.getLogger(__name__)

PAUSED_TEXT = "暂停服务"
#: Separator between calls on the hall board (one scrolling line, newest first).
HALL_SEPARATOR = "  "


class Link(Protocol):
    """What LedBus needs from a link: a non-blocking send."""

    def send(self, data: bytes) -> None:
        """Queue ``data`` for the wire."""


@dataclass(frozen=True)
class BoardSpec:
    """One board on the bus: its id, bus address, frame format and bx5 area."""

    board_id: str
    address: int
    format: Literal["bx5", "line"] = "bx5"
    area: Area = Area()
    display_mode: int = DisplayMode.STATIC
    run_mode: int = RunMode.HOLD_LAST


@dataclass
class BoardState:
    """Counters and state of one board, as :meth:`LedBus.status` reports them."""

    spec: BoardSpec
    status: DeviceStatus = DeviceStatus.STARTING
    frames_sent: int = 0
    bytes_sent: int = 0
    coalesced: int = 0  # updates replaced by a newer one before they were sent
    replaced_chars: int = 0  # characters GBK cannot encode, replaced
    errors: int = 0
    last_text: str | None = None
    last_send: float | None = None  # wall clock (time.time())
    pending: str | None = field(default=None, repr=False)


def gbk_safe(text: str, replacement: str = "?") -> tuple[str, int]:
    """Return ``text`` with what a board cannot show replaced, and how many were replaced.

    Replaced are characters GBK cannot encode and control characters, which would
    break line framing.
    """
    out, replaced = [], 0
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            out.append(replacement)
            replaced += 1
            continue
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            out.append(replacement)
            replaced += 1
        else:
            out.append(ch)
    return "".join(out), replaced


def call_text(number: str, window: int | str) -> str:
    """Window board text for a call: ``"A001 请到3号窗口"``."""
    return f"{number} 请到{window}号窗口"


def serving_text(number: str) -> str:
    """Window board text while a number is being served: ``"A001 正在办理"``."""
    return f"{number} 正在办理"


def hall_text(calls: Sequence[tuple[str, int | str]]) -> str:
    """Hall board text: the given calls, newest first, as one scrolling line.

    ``calls`` is newest first. One line (not several) so that the same text
    works on line boards and on a bx5 area in scroll-left mode.
    """
    return HALL_SEPARATOR.join(call_text(n, w) for n, w in calls)


class HallHistory:
    """The last ``size`` calls, for the hall board."""

    def __init__(self, size: int = 5) -> None:
        if size < 1:
            raise ValueError("hall history size must be at least 1")
        self.size = size
        self._calls: list[tuple[str, int | str]] = []

    def add(self, number: str, window: int | str) -> str:
        """Record a call (a recall moves it to the front); return the new text."""
        self._calls = [c for c in self._calls if c[0] != number]
        self._calls.insert(0, (number, window))
        del self._calls[self.size :]
        return self.text()

    def text(self) -> str:
        """The hall board text now."""
        return hall_text(self._calls)


class LedBus:
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
    ) -> None:
        """Set up ``boards`` on ``link``; ValueError for a bad baud rate, id or format.

        ``inter_frame_gap`` (seconds) is left after each line-board frame;
        ``retry_interval`` (seconds) is how often an offline link is re-checked.
        """
        if baudrate <= 0:
            raise ValueError("baudrate must be positive")
        self._link = link
        self.baudrate = baudrate
        self.inter_frame_gap = inter_frame_gap
        self.replacement = replacement
        self.retry_interval = retry_interval
        self._boards: dict[str, BoardState] = {}
        for spec in boards:
            if spec.board_id in self._boards:
                raise ValueError(f"duplicate board id {spec.board_id!r}")
            if spec.format not in ("bx5", "line"):
                raise ValueError(f"board {spec.board_id!r}: unknown format {spec.format!r}")
            self._boards[spec.board_id] = BoardState(spec)
        self._order = list(self._boards)
        self._cursor = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._line_free_at = 0.0  # time.monotonic() when the last frame has left the wire
        self._link_was_down = False
        self._thread: threading.Thread | None = None

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
        with self._cond:
            if replaced:
                state.replaced_chars += replaced
                log.warning("board %s: %d character(s) not in GBK replaced", board_id, replaced)
            if state.pending is not None:
                state.coalesced += 1
            state.pending = safe
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
                busy = any(s.pending is not None for s in self._boards.values())
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
                    "last_text": s.last_text,
                    "last_send": s.last_send,
                    "pending": s.pending is not None,
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

    def _encode(self, spec: BoardSpec, text: str) -> bytes:
        if spec.format == "line":
            return encode_line(spec.address, text)
        return encode_bx5(
            spec.address,
            text,
            area=spec.area,
            run_mode=spec.run_mode,
            display_mode=spec.display_mode,
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
                    self._cond.wait()
                    continue
                text, state.pending = state.pending, None
            self._send(state, text)

    def _send(self, state: BoardState, text: str) -> None:
        spec = state.spec
        try:
            frame = self._encode(spec, text)
        except ValueError as exc:
            log.error("board %s: cannot encode %r: %s", spec.board_id, text, exc)
            with self._cond:
                state.errors += 1
                state.status = DeviceStatus.ERROR
            return
        try:
            self._link.send(frame)
        except DriverError as exc:
            with self._cond:
                state.errors += 1
                if state.pending is None:  # keep it unless a newer text came in
                    state.pending = text
                self._mark_down_locked(str(exc))
                self._line_free_at = time.monotonic() + self.retry_interval
            return
        with self._cond:
            self._line_free_at = time.monotonic() + self.line_time(len(frame), spec.format)
            state.frames_sent += 1
            state.bytes_sent += len(frame)
            state.last_text = text
            state.last_send = time.time()
            state.status = DeviceStatus.OK
            self._cond.notify_all()
