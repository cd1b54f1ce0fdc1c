"""What the lobby board shows, without Kivy: the current number per window and the
highlight of each call in turn, paced like the voice announcing it.

The daemon's voice (:mod:`hall.drivers.voice`) speaks calls one after another,
each in full. :class:`Highlighter` gives each call a slot of the same length
(``kiosk.lobby_call_s``), so the board highlights the number being spoken, not
only the last of several calls made within a second.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: Seconds of an announcement with the default voice (speed 150), measured on
#: "请A零零一号到三号窗口办理" with espeak-ng cmn-latn-pinyin.
SPOKEN_S_AT_150 = 4.6
#: Silence between the repeats of one announcement (VoiceSettings.repeat_gap).
REPEAT_GAP_S = 0.8


def announcement_s(repeat: int = 2, speed: int = 150) -> float:
    """About how long the voice takes for one call with ``devices.voice`` settings."""
    spoken = SPOKEN_S_AT_150 * 150 / speed
    return round(repeat * spoken + (repeat - 1) * REPEAT_GAP_S, 1)


@dataclass(frozen=True)
class Call:
    """One call to show: the ticket number at a window."""

    number: str
    window: int


class Highlighter:
    """Calls in the order they were made, each highlighted for one announcement slot."""

    def __init__(self, slot_s: float, clock: Callable[[], float]) -> None:
        self.slot_s = slot_s
        self.clock = clock
        self.pending: deque[Call] = deque()
        self.current: Call | None = None
        self.until = -math.inf  # when the current call's slot ends

    def add(self, call: Call) -> None:
        """A call (or recall) was made: it is highlighted after those before it."""
        self.pending.append(call)

    def step(self) -> bool:
        """Move to the next call if the current slot is over; True when it changed."""
        now = self.clock()
        if not self.pending or now < self.until:
            return False
        # Back to back like the voice; a slot that ended long ago starts from now.
        start = self.until if now - self.until < 1.0 else now
        self.current = self.pending.popleft()
        self.until = start + self.slot_s
        return True

    def clear(self) -> None:
        """Forget every call (a new business day)."""
        self.pending.clear()
        self.current = None
        self.until = -math.inf


def prepare_numbers(queues: dict[int, list[dict]], shown: int) -> list[str]:
    """The next numbers to be called: the head of each staffed window's queue in turn.

    ``queues`` maps window number to its waiting tickets in calling order
    (GET /windows/{n}/queue); a ticket at the head of several windows counts once.
    """
    out: list[str] = []
    depth = max((len(q) for q in queues.values()), default=0)
    for i in range(depth):
        for n in sorted(queues):
            q = queues[n]
            if i < len(q) and q[i]["number"] not in out:
                out.append(q[i]["number"])
                if len(out) >= shown:
                    return out
        if i >= 1:  # the second in line is a guess already: no deeper
            break
    return out
