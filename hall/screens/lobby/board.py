"""What the lobby board shows, without Kivy.

The current number per window and the highlight of each call in turn, paced like the voice announcing it.

The daemon's voice (:mod:`hall.drivers.voice`) speaks calls one after another,
each in full, ``repeat`` times; when 3 or more announcements wait behind the
one starting (``VoiceSettings.backlog_single``) it says that one once, to catch
up. :class:`Highlighter` gives each call a slot as long as its announcement
(:func:`slots`: from ``devices.voice`` repeat and speed, or ``kiosk.lobby_call_s``
when set) and, by the same rule, a one-saying slot when 3 or more calls wait, so
the board highlights the number being spoken, not only the last of several
calls made within a second, and does not fall behind the voice.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Seconds of an announcement with the default voice (speed 150), measured on
#: "请A零零一号到三号窗口办理" with espeak-ng cmn-latn-pinyin.
SPOKEN_S_AT_150 = 4.6
#: Silence between the repeats of one announcement (VoiceSettings.repeat_gap).
REPEAT_GAP_S = 0.8
#: Calls waiting behind the one starting from which it is said once (VoiceSettings.backlog_single).
BACKLOG_SINGLE = 3


def announcement_s(repeat: int = 2, speed: int = 150) -> float:
    """About how long the voice takes for one call with ``devices.voice`` settings."""
    spoken = SPOKEN_S_AT_150 * 150 / speed
    return round(repeat * spoken + (repeat - 1) * REPEAT_GAP_S, 1)


def slots(settings: Any, call_s: float | None = None) -> tuple[float, float]:
    """(full, once): seconds of a call's announcement, and of one said once (a backlog).

    From the kiosk settings' copy of ``devices.voice`` (repeat, speed); ``call_s``
    (or ``kiosk.lobby_call_s``) replaces the full length, the one-saying slot
    scaled with it.
    """
    speed = settings.lobby_voice_speed
    full = announcement_s(settings.lobby_voice_repeat, speed)
    once = announcement_s(1, speed)
    fixed = call_s if call_s is not None else settings.lobby_call_s
    if fixed is not None:
        once, full = round(fixed * once / full, 1), fixed
    return full, once


@dataclass(frozen=True)
class Call:
    """One call to show: the ticket number at a window."""

    number: str
    window: int


class Highlighter:
    """Calls in the order they were made, each highlighted for one announcement slot.

    ``slot_s`` is a call's announcement; ``once_s`` (default ``slot_s``) the slot
    of a call that starts with :data:`BACKLOG_SINGLE` or more still waiting, which
    the voice says once.
    """

    def __init__(
        self, slot_s: float, clock: Callable[[], float], once_s: float | None = None
    ) -> None:
        self.slot_s = slot_s
        self.once_s = slot_s if once_s is None else once_s
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
        backlog = len(self.pending) >= BACKLOG_SINGLE  # the voice's rule, at the same moment
        self.until = start + (self.once_s if backlog else self.slot_s)
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
