"""What each LED board shows between calls: its own text and the announcements, in turn.

:class:`BoardRotation` is the hub's decision, without threads or drivers: the
hub tells it each board's own text as it sends it (:meth:`BoardRotation.base`:
a call, 暂停服务, blank) and the announcements not yet ended; every tick,
:meth:`BoardRotation.due` says which board should now show which text, for
``LedBus.show_idle`` (which never delays a call, hall/drivers/led/idle.py).

- A window board serving a number (called, being served) is held: no rotation
  until the window is idle, paused or closed again.
- The hall board is held for ``hall_hold_s`` after each call (people look up
  at it then), then its call history takes turns with the announcements.
- A board with announcements for it shows its own text (when it has one) and
  each announcement in force for ``stay_s`` seconds in turn; when the last one
  ends or is withdrawn it goes back to its own text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hall.drivers.led.texts import announcement_text


@dataclass
class _Board:
    base: str = ""
    held: bool = False  # a window serving a number
    held_until: float = 0.0  # the hall board after a call
    index: int = 0  # the next item of the rotation
    next_at: float = 0.0
    rotated: bool = False  # the rotation has put something else than ``base`` up


def targets(announcement: dict[str, Any], board_id: str, hall_board: str) -> bool:
    """Whether an announcement (its public view) is for the board ``board_id``."""
    t = announcement["targets"]
    if board_id == hall_board:
        return bool(t["hall"])
    if not board_id.startswith("window-"):
        return False
    windows = t["windows"]
    return windows == "all" or int(board_id.removeprefix("window-")) in windows


class BoardRotation:
    """The rotation of every board; thread-safe (events on the writer, ticks on a timer)."""

    def __init__(
        self, boards: list[str], stay_s: float, hall_hold_s: float, hall_board: str = "hall"
    ) -> None:
        self.stay_s = stay_s
        self.hall_hold_s = hall_hold_s
        self.hall_board = hall_board
        self._boards = {b: _Board() for b in boards}
        self._announcements: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def set_announcements(self, items: list[dict[str, Any]]) -> None:
        """Every announcement not ended yet (public views), e.g. read at start."""
        with self._lock:
            self._announcements = {a["id"]: a for a in items}

    def published(self, announcement: dict[str, Any]) -> None:
        """A new announcement (shown from its start time on)."""
        with self._lock:
            self._announcements[announcement["id"]] = announcement

    def withdrawn(self, announcement_id: int) -> None:
        """An announcement withdrawn: it leaves every board at its next turn."""
        with self._lock:
            self._announcements.pop(announcement_id, None)

    def base(self, board_id: str, text: str, now: float, *, hold: bool = False) -> None:
        """The board's own text was just sent (``hold``: a window serving a number)."""
        with self._lock:
            b = self._boards.get(board_id)
            if b is None:
                return
            b.base, b.held, b.rotated = text, hold, False
            if board_id == self.hall_board:
                b.held_until = now + self.hall_hold_s
                b.index, b.next_at = 1, b.held_until
            else:  # its own text stays up for one turn first (a blank one for none)
                b.index, b.next_at = (1, now + self.stay_s) if text else (0, now)

    def due(self, now: float) -> list[tuple[str, str]]:
        """(board, text) to show now, for the boards whose turn has come."""
        out = []
        with self._lock:
            live = [a for a in self._announcements.values() if a["starts_at"] <= now < a["ends_at"]]
            for board_id, b in self._boards.items():
                if b.held or now < b.held_until:
                    continue
                mine = [
                    announcement_text(a["kind_zh"], a["text_zh"])
                    for a in live
                    if targets(a, board_id, self.hall_board)
                ]
                if not mine:
                    if b.rotated:  # the last announcement ended: back to its own text
                        b.rotated = False
                        out.append((board_id, b.base))
                    continue
                if now < b.next_at:
                    continue
                items = ([b.base] if b.base else []) + mine
                text = items[b.index % len(items)]
                b.index += 1
                b.next_at = now + self.stay_s
                b.rotated = text != b.base
                out.append((board_id, text))
        return out
