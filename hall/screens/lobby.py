"""The lobby display role (大厅显示屏): latest calls, waiting counts, hall name and clock.

The board follows the daemon's event stream with the display token, so a
call shows within a frame of its event. It reads services and windows once at
start and again after every reconnect; the follower keeps its last event id,
so after a daemon restart the calls made meanwhile are replayed to it
(``Last-Event-ID``) and none is lost. While the stream is down a discreet
"reconnecting" notice shows in the corner.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.bridge import UiBridge

log = logging.getLogger(__name__)

#: Calls on the board, the newest first and large.
CALLS_SHOWN = 6
#: The newest call's row is this many times as tall as the others.
NEWEST_WEIGHT = 2.4


class LobbyCallRow(BoxLayout):
    """One call: ticket number and window; the newest is highlighted."""

    hall_id = StringProperty("")
    number = StringProperty("")
    window_text = StringProperty("")
    highlight = BooleanProperty(False)


class LobbyCountRow(BoxLayout):
    """Waiting count of one service."""

    hall_id = StringProperty("")
    name = StringProperty("")
    count = StringProperty("")


Builder.load_file(str(Path(__file__).with_name("lobby.kv")))


class LobbyRoot(BoxLayout):
    """Root of the lobby role: a full-screen board driven by the daemon's events."""

    hall_id = StringProperty("lobby")
    lang = StringProperty("zh")
    hall_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    connected = BooleanProperty(True)
    landscape = BooleanProperty(False)

    def __init__(self, ctx: KioskContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self._stale = True  # nothing read from the daemon yet
        self.strings = ctx.strings
        super().__init__(lang=self.strings.language, hall_name=ctx.hall_name, **kwargs)
        #: (ticket number, window number), newest first.
        self.calls: list[tuple[str, int]] = []
        self.services: list[dict] = []
        self.counts: dict[str, int] = {}
        # Count updates from events, numbered: a state read that was asked for before
        # an event arrived must not overwrite what that event said (it may be older).
        self._count_seq = 0
        self._count_updated: dict[str, int] = {}
        self._show_calls()
        self.bridge = UiBridge(ctx, "lobby")
        self._tick(0)
        self.bridge.every(1.0, self._tick)
        if ctx.client.token:
            self.bridge.follow(ctx.client.token, self._on_event, self._on_state)
        else:
            log.error("the lobby has no display token: it cannot follow the queue")
        self.reload()

    def tr(self, key: str, *_bound: object, **values: object) -> str:
        """A string in the current language (kv passes ``root.lang`` to re-evaluate on switch)."""
        return self.strings.t(key, **values)

    def on_lang(self, *_args: object) -> None:
        """Rebuild the rows built in Python in the new language."""
        self._show_calls()
        self._show_counts()

    def on_landscape(self, *_args: object) -> None:
        """Portrait boards show the service counts in two columns."""
        self._show_counts()

    def _tick(self, _dt: float) -> None:
        now = self.ctx.now()
        self.clock_text = now.strftime("%H:%M:%S")
        self.date_text = now.strftime("%Y-%m-%d")

    # -- state from the daemon ---------------------------------------------------
    def reload(self) -> None:
        """Read services (waiting counts) and windows (who is being served) on the worker."""
        client = self.ctx.client
        asked = self._count_seq
        self.bridge.submit(
            lambda: (client.services(), client.windows()),
            lambda result: self._reloaded(result, asked),
            self._reload_failed,
        )

    def _reloaded(self, result: tuple[list[dict], list[dict]], asked: int) -> None:
        self._stale = False
        services, windows = result
        self.services = services
        for s in services:  # a count an event set since the read was asked for stays
            if self._count_updated.get(s["code"], -1) <= asked:
                self.counts[s["code"]] = s["waiting"]
        shown = {number for number, _w in self.calls}
        for win in sorted(windows, key=lambda w: w["number"]):
            number = win.get("ticket_number")
            if number and number not in shown and len(self.calls) < CALLS_SHOWN:
                self.calls.append((number, win["number"]))
        self._show_calls()
        self._show_counts()

    def _reload_failed(self, exc: DaemonError) -> None:
        log.info("lobby state not read: %s", exc.message_en)

    def _on_state(self, connected: bool) -> None:
        was = self.connected
        self.connected = connected
        # Reload after a reconnect, and on the first connect if the daemon was not
        # up yet when the lobby started (its first read failed).
        if connected and (not was or self._stale):
            self.reload()

    def _on_event(self, kind: str, data: dict, _event_id: int | None) -> None:
        if kind in ("ticket.called", "ticket.recalled"):
            number, window = data["ticket"]["number"], data["window"]
            self.calls = [(number, window)] + [c for c in self.calls if c[0] != number]
            del self.calls[CALLS_SHOWN:]
            self._show_calls()
        if kind.startswith("ticket.") and data.get("waiting"):
            self._count_seq += 1
            for code, count in data["waiting"].items():
                self.counts[code] = count
                self._count_updated[code] = self._count_seq
            self._show_counts()
        elif kind in ("queue.reset", "reset"):
            self.calls = []
            self._show_calls()
            self.reload()

    # -- drawing -------------------------------------------------------------------
    def _show_calls(self) -> None:
        box = self.ids.calls
        box.clear_widgets()
        if not self.calls:
            box.add_widget(
                LobbyCallRow(
                    hall_id="call-none",
                    number="",
                    window_text=self.tr("lobby.no_calls"),
                    size_hint_y=NEWEST_WEIGHT,
                )
            )
        for i, (number, window) in enumerate(self.calls):
            box.add_widget(
                LobbyCallRow(
                    hall_id=f"call-{i}",
                    number=number,
                    window_text=self.tr("lobby.window", window=window),
                    highlight=i == 0,
                    size_hint_y=NEWEST_WEIGHT if i == 0 else 1,
                )
            )
        for _ in range(CALLS_SHOWN - max(len(self.calls), 1)):
            box.add_widget(Widget())  # keeps every row the same height

    def _show_counts(self) -> None:
        grid = self.ids.waiting
        grid.clear_widgets()
        for svc in self.services:
            grid.add_widget(
                LobbyCountRow(
                    hall_id=f"waiting-{svc['code']}",
                    name=svc["name"].get(self.lang, svc["code"]),
                    count=self.tr("lobby.waiting_count", count=self.counts.get(svc["code"], 0)),
                )
            )

    def shutdown(self) -> None:
        """Stop the event follower, the clock and the worker thread."""
        self.bridge.close()
