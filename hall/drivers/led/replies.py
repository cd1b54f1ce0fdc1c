"""Controllers' replies on the LED bus (DEVICES.md §2a: ACK ``A0 00`` / NACK ``A0 01``).

A bx5 board configured with ``reply`` asks its controller to answer every
frame. Wire the link's received bytes to :meth:`LedBus.feed`; the worker then
keeps the bus quiet until the answer comes or ``reply_timeout`` passes (an
RS-485 bus is half duplex: the next frame would collide with the answer),
counts ACKs, NACKs and missing answers per board, and sends a refused or
unanswered text again up to ``reply_retries`` times unless a newer text has
come in.

:class:`BusReplies` is a part of :class:`hall.drivers.led.board.LedBus` (a
mixin): it reads and changes the bus's state under the bus's lock. ``feed`` runs
on the link's reader thread, the timeout on the bus's worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from hall.drivers.errors import FrameError
from hall.drivers.led.board_state import BoardState
from hall.drivers.led.bx5 import HOST_ADDRESS, Bx5Reply, Bx5Splitter, decode_reply, unwrap
from hall.drivers.status import DeviceStatus

# The bus's logger: what the bus logs keeps one name, wherever its code lives.
log = logging.getLogger("hall.drivers.led.board")


@dataclass
class _Awaiting:
    """A frame sent with a reply wanted, not answered yet."""

    state: BoardState
    text: str
    tries: int  # sends of this text so far, this one included
    sent_end: float  # time.monotonic() when its last byte has left the wire


class BusReplies:
    """The reply side of :class:`hall.drivers.led.board.LedBus` (set up by its ``__init__``)."""

    _cond: threading.Condition
    _awaiting: _Awaiting | None
    _replies: Bx5Splitter
    _line_free_at: float
    counters: dict[str, int]
    reply_retries: int

    line_time: Callable[[int, str], float]  # LedBus.line_time

    def feed(self, data: bytes) -> None:
        """Bytes read from the link (wire it to SerialLink.on_bytes): controllers' replies."""
        for chunk in self._replies.feed(data):
            try:
                reply = decode_reply(chunk)
            except FrameError as exc:
                with self._cond:
                    self._not_a_reply_locked(chunk, exc)
                continue
            with self._cond:
                self._on_reply_locked(reply, len(chunk))

    def _not_a_reply_locked(self, chunk: bytes, exc: FrameError) -> None:
        try:
            echoed = unwrap(chunk).dst != HOST_ADDRESS  # a command, not for the host
        except FrameError:
            echoed = False
        if echoed:
            self.counters["echoes"] += 1
        else:
            self.counters["reply_frames_bad"] += 1
            log.info("LED bus: bad reply frame: %s", exc)

    def _on_reply_locked(self, reply: Bx5Reply, nbytes: int) -> None:
        aw = self._awaiting
        if aw is None or reply.src != aw.state.spec.address:
            self.counters["replies_unexpected"] += 1
            return
        self._awaiting = None
        state = aw.state
        if reply.ack:
            state.acks += 1
            state.status = DeviceStatus.OK
        else:
            state.nacks += 1
            state.last_error_code = reply.error
            state.status = DeviceStatus.ERROR
            log.warning("board %s refused a frame (error %d)", state.spec.board_id, reply.error)
            self._retry_locked(aw)
        # The answer held the line for its own bytes (a pty delivers it at once).
        answered = aw.sent_end + self.line_time(nbytes, "bx5")
        self._line_free_at = max(time.monotonic(), answered)
        self._cond.notify_all()

    def _reply_missing_locked(self) -> None:
        aw, self._awaiting = self._awaiting, None
        aw.state.no_reply += 1
        aw.state.status = DeviceStatus.OFFLINE
        log.warning("board %s did not answer", aw.state.spec.board_id)
        self._retry_locked(aw)

    def _retry_locked(self, aw: _Awaiting) -> None:
        state = aw.state
        if state.pending is None and aw.tries <= self.reply_retries:
            state.pending, state.tries = aw.text, aw.tries
