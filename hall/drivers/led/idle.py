"""Texts that may wait on the LED bus: :meth:`LedBus.show_idle` (the announcements between calls).

An idle text goes out only when no board has a :meth:`LedBus.show` text
pending, never asks for a reply, and is sent in chunks of ``rotation_chunk``
bytes; a :meth:`LedBus.show` that comes in while one is on the wire ends it
after the current chunk (the stump is dropped by the card: the next frame's
sync run starts a new frame, DEVICES.md §2a), so a rotation delays a call by at
most one chunk's line time (8 bytes: 8.3 ms at 9600 baud;
bench/bench_devices.py measures it).

:class:`IdleTexts` is a part of :class:`hall.drivers.led.board.LedBus` (a
mixin): it reads and changes the bus's state under the bus's lock; its
``_send_chunk`` runs on the bus's worker, which picks a call over a chunk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hall.drivers.errors import DriverError
from hall.drivers.led.board_state import BoardState
from hall.drivers.led.texts import bx5_safe, gbk_safe

if TYPE_CHECKING:  # annotations only: board.py imports this module
    from hall.drivers.led.board import Link

# The bus's logger: what the bus logs keeps one name, wherever its code lives.
log = logging.getLogger("hall.drivers.led.board")


@dataclass
class _Rotation:
    """A show_idle frame going out chunk by chunk."""

    state: BoardState
    text: str
    frame: bytes
    sent: int = 0  # bytes of ``frame`` written so far


class IdleTexts:
    """The idle-text side of :class:`hall.drivers.led.board.LedBus` (set up by its ``__init__``)."""

    _boards: dict[str, BoardState]
    _order: list[str]
    _idle_cursor: int
    _rotating: _Rotation | None
    _cond: threading.Condition
    _line_free_at: float
    _link: Link
    baudrate: int
    replacement: str
    retry_interval: float
    rotation_chunk: int

    # LedBus's own methods, used here.
    line_time: Callable[[int, str], float]
    _encode: Callable[..., bytes]
    _mark_down_locked: Callable[[str], None]

    def show_idle(self, board_id: str, text: str) -> None:
        """Show ``text`` on a board once the bus is free; any :meth:`show` goes first.

        Never blocks; replaces an idle text not sent yet. See the module docstring.
        """
        state = self._boards[board_id]
        safe, _ = gbk_safe(text, self.replacement)
        if state.spec.format == "bx5":
            safe = bx5_safe(safe)[0]
        with self._cond:
            state.idle_pending = safe
            self._cond.notify_all()

    def _next_idle_locked(self) -> BoardState | None:
        n = len(self._order)
        for i in range(n):
            idx = (self._idle_cursor + i) % n
            state = self._boards[self._order[idx]]
            if state.idle_pending is not None:
                self._idle_cursor = (idx + 1) % n
                return state
        return None

    def _start_rotation(self, state: BoardState, text: str) -> None:
        try:
            frame = self._encode(state.spec, text, reply=False)  # a lost one is sent next round
        except ValueError as exc:
            log.error("board %s: cannot encode %r: %s", state.spec.board_id, text, exc)
            with self._cond:
                state.errors += 1
            return
        with self._cond:
            self._rotating = _Rotation(state, text, frame)
        self._send_chunk()

    def _send_chunk(self) -> None:
        """Write the next chunk of the rotation frame (the worker; a show() may cut it)."""
        with self._cond:
            rot = self._rotating
            if rot is None:
                return
            chunk = rot.frame[rot.sent : rot.sent + self.rotation_chunk]
            rot.sent += len(chunk)
            last = rot.sent >= len(rot.frame)
            fmt = rot.state.spec.format
            gap = self.line_time(len(chunk), fmt) if last else len(chunk) * 10 / self.baudrate
            self._line_free_at = time.monotonic() + gap
            if last:
                self._rotating = None
        try:
            self._link.send(chunk)
        except DriverError as exc:
            with self._cond:
                self._rotating = None
                rot.state.errors += 1
                self._mark_down_locked(str(exc))
                self._line_free_at = time.monotonic() + self.retry_interval
            return
        if last:
            with self._cond:
                rot.state.rotation_frames += 1
                rot.state.bytes_sent += len(rot.frame)
                rot.state.shown_text = rot.text
                self._cond.notify_all()
