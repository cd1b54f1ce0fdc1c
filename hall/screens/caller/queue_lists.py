"""The caller panel's lists: the window's queue, the waiting counts and the cases done today.

They are read from the daemon on the bridge's worker when an event says they
changed (the panel's ``_on_ticket_event``), never by polling; a queue read asked
for while one is under way runs once more when it ends, so the last event
always shows. The queue shows its first ``QUEUE_SHOWN`` numbers and a count.

:class:`QueueLists` is a part of :class:`hall.screens.caller.panel.CallerPanel`
(a mixin, as ``SheetHost`` is): it uses the panel's properties and methods
named below and is never used alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.factory import Factory

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller.widgets import CallerCount
from hall.screens.common.bridge import UiBridge

log = logging.getLogger("hall.screens.caller.panel")  # the panel's logger, as before the split

QUEUE_SHOWN = 16


class QueueLists:
    """The lists of :class:`hall.screens.caller.panel.CallerPanel`, and their reads."""

    # The panel's, set up by CallerPanel (Kivy properties and __init__).
    ctx: KioskContext
    bridge: UiBridge
    ids: Any
    window_number: int
    done_today: int
    queue: list[dict]
    queue_summary: str
    counts: dict[str, int]
    requeued: str
    my_services: list[str]
    _queue_loading: bool
    _queue_stale: bool
    tr: Callable[..., str]
    _service_name: Callable[[str], str]
    _say_requeued: Callable[[str, int], None]

    def _refresh_done(self) -> None:
        """Re-read this window's count of cases done today (after a 办结)."""
        client, n = self.ctx.client, self.window_number

        def read() -> int:
            return next(w for w in client.windows() if w["number"] == n).get("done_today", -1)

        self.bridge.submit(read, self._done_read, self._done_failed)

    def _done_read(self, done: int) -> None:
        self.done_today = done

    def _done_failed(self, exc: DaemonError) -> None:
        log.info("cases done today not read: %s", exc.message_en)

    def _refresh_queue(self) -> None:
        if self._queue_loading:
            self._queue_stale = True
            return
        self._queue_loading, self._queue_stale = True, False
        client, n = self.ctx.client, self.window_number
        self.bridge.submit(lambda: client.window_queue(n), self._queue_loaded, self._queue_failed)

    def _queue_loaded(self, queue: list[dict]) -> None:
        self._queue_loading = False
        self.queue = queue
        self._show_queue()
        numbers = [t["number"] for t in queue]
        if self.requeued in numbers:
            # The daemon did not say (no ``ahead``): its place in this window's queue.
            self._say_requeued(self.requeued, numbers.index(self.requeued))
        if self._queue_stale:
            self._refresh_queue()

    def _queue_failed(self, exc: DaemonError) -> None:
        self._queue_loading = False
        log.info("window queue not read: %s", exc.message_en)

    def _show_queue(self) -> None:
        grid = self.ids.queue_grid
        grid.clear_widgets()
        for ticket in self.queue[:QUEUE_SHOWN]:
            grid.add_widget(Factory.CallerChip(text=ticket["number"]))
        key = "caller.queue_more" if self.queue else "caller.queue_empty"
        self.queue_summary = self.tr(key, count=len(self.queue))

    def _show_counts(self) -> None:
        box = self.ids.waiting_box
        box.clear_widgets()
        for code in self.my_services:
            name = self._service_name(code)
            text = self.tr("caller.waiting_count", name=name, count=self.counts.get(code, 0))
            box.add_widget(CallerCount(text=text, name=name, hall_id=f"waiting-{code}"))
