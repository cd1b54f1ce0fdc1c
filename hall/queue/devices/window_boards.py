"""What a window's LED board says between calls: who serves there, or 暂停服务.

亮证上岗: while a clerk is signed in and no number is called, the board shows the
window, its name and the clerk's name and public 工号 ("3号窗口 综合受理 张三
工号0231"). With nobody signed in it shows 暂停服务, with the hall's next opening
while the hall is shut ("暂停服务 明天09:00开放"; while the hall is open the next
opening is not the window's, so 暂停服务 alone). A paused window keeps the pause
text, a called or served number its call text: those are the hub's.

The closed text changes with the clock (明天 becomes 今天, an opening passes):
:meth:`WindowBoards.refresh`, run every :data:`REFRESH_S` by the hub, shows it
again when its words changed. Only queues board texts; never blocks.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from hall.config import HallConfig
from hall.drivers.led.texts import closed_text, idle_text
from hall.queue.core.domain import WindowState
from hall.queue.core.schedule import Schedule
from hall.queue.tickets.badges import clerk_line, public_clerk

#: How often the closed windows' texts are checked against the clock.
REFRESH_S = 20.0


class WindowBoards:
    """The idle and closed texts of the window boards; see the module docstring.

    ``show(window, text)`` queues a board text; ``clock()`` is the daemon's
    (epoch seconds).
    """

    def __init__(
        self,
        config: HallConfig,
        schedule: Schedule,
        clock: Callable[[], float],
        show: Callable[[int, str], None],
    ) -> None:
        self.config = config
        self.schedule = schedule
        self.clock = clock
        self.show = show
        self._closed: dict[int, str] = {}  # closed window -> the text it shows
        self._lock = threading.Lock()  # the writer thread and the refresh thread
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def text(self, window: dict[str, Any]) -> str | None:
        """The text for a window view (``number``, ``state``, ``staff_id``), or None.

        None: not this module's to say (paused, or a number called or served).
        """
        number, state = window["number"], window["state"]
        if state == WindowState.CLOSED:
            now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
            return closed_text(self.schedule.opening_zh(now))
        if state == WindowState.OPEN and not window.get("ticket_number"):
            cfg = self.config.window(number)
            clerk = clerk_line(public_clerk(self.config, window.get("staff_id")))
            return idle_text(number, cfg.name_zh if cfg else "", clerk)
        return None

    def changed(self, window: dict[str, Any]) -> bool:
        """A window changed: show its idle or closed text; False if it is not ours."""
        text = self.text(window)
        # Under the lock with the show (which never blocks): a refresh cannot put an
        # old closed text back after the window opened.
        with self._lock:
            if window["state"] == WindowState.CLOSED and text is not None:
                self._closed[window["number"]] = text
            else:
                self._closed.pop(window["number"], None)
            if text is not None:
                self.show(window["number"], text)
        return text is not None

    def refresh(self) -> list[int]:
        """Show again the closed windows whose text the clock changed; their numbers."""
        moved = []
        with self._lock:
            for number, shown in list(self._closed.items()):
                text = self.text({"number": number, "state": WindowState.CLOSED})
                if text != shown:
                    self._closed[number] = text
                    self.show(number, text)
                    moved.append(number)
        return moved

    def start(self) -> None:
        """Refresh every :data:`REFRESH_S` on a thread of its own."""
        self._thread = threading.Thread(target=self._run, name="window-boards", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the refresh thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self.refresh()
