"""The lobby display role (大厅显示屏).

The number at each window, the call being announced, who should get ready, waiting counts, hall name and clock.

The board shows one row per window that is calling or serving, with that
window's current number and waiting area, read from the daemon (GET /windows)
at start and after every reconnect and kept by ``window.changed`` events: a
finished or no-show number leaves the board, and a restart of the lobby or
of the daemon shows the same rows. Calls are highlighted one after another,
each for as long as the voice announces it, shorter when the voice catches up
with a backlog (:class:`hall.screens.lobby.board.Highlighter`).
"请…准备" lists the heads of the staffed windows' queues (public reads only:
ticket numbers, never personal data). While the event stream is down a
"reconnecting" notice shows in the corner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from hall.kiosk.client import DaemonError, DaemonUnavailable
from hall.kiosk.context import KioskContext
from hall.screens.common.bridge import UiBridge
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by lobby.kv
from hall.screens.common.translate import Translated
from hall.screens.lobby.board import Call, Highlighter, prepare_numbers, slots
from hall.screens.lobby.notices import LobbyBand  # noqa: F401 - used by root.kv: the band
from hall.screens.lobby.staffing import clerk_text, closed_line

log = logging.getLogger(__name__)

#: Window rows on the board at most (the most recent calls first) ...
ROWS_SHOWN = 8
#: ... and the row height is that of this many rows at least (a few rows fill the panel).
ROWS_MIN = 5
#: Half-width punctuation in configured names, shown full-width in Chinese.
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})
#: Numbers in the "请…准备" list.
PREPARE_SHOWN = 6
#: How often the highlight checks whether the announcement slot is over.
PACE_S = 0.2
#: How often the windows are read again for the hall's next opening (亮证上岗 line).
OPENING_S = 60.0


class LobbyCallRow(BoxLayout):
    """One window: its current number, the window and its waiting area."""

    hall_id = StringProperty("")
    number = StringProperty("")
    window_text = StringProperty("")
    area = StringProperty("")
    clerk = StringProperty("")  # who serves there: name and public 工号 (亮证上岗)
    highlight = BooleanProperty(False)


class LobbyCountRow(BoxLayout):
    """Waiting count of one service."""

    hall_id = StringProperty("")
    name = StringProperty("")
    count = StringProperty("")


Builder.load_file(str(Path(__file__).with_name("root.kv")))


class LobbyRoot(Translated, BoxLayout):
    """Root of the lobby role: a full-screen board driven by the daemon's events."""

    hall_id = StringProperty("lobby")
    lang = StringProperty("zh")
    hall_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    connected = BooleanProperty(True)
    landscape = BooleanProperty(False)
    now_number = StringProperty("")  # the call being announced
    now_window = StringProperty("")
    now_area = StringProperty("")
    prepare_text = StringProperty("")
    closed_text = StringProperty("")  # 暂停服务: windows nobody is signed in at

    def __init__(
        self,
        ctx: KioskContext,
        clock: Callable[[], float] = time.monotonic,
        call_s: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.ctx = ctx
        self._stale = True  # nothing read from the daemon yet
        self.strings = ctx.strings
        #: window number → {"number", "called_at"} for windows calling or serving.
        self.current: dict[int, dict] = {}
        self.windows: dict[int, dict] = {}  # GET /windows: area, services
        self.services: list[dict] = []
        self.counts: dict[str, int] = {}
        self.prepare: list[str] = []
        # Each call as long as the voice announces it (call_s: a fixed length, for tests).
        full_s, once_s = slots(ctx.settings, call_s)
        self.highlighter = Highlighter(full_s, clock, once_s)
        # Count updates from events, numbered: a state read that was asked for before
        # an event arrived must not overwrite what that event said (it may be older).
        self._count_seq = 0
        self._count_updated: dict[str, int] = {}
        self._prepare_loading = self._prepare_stale = False
        super().__init__(hall_name=ctx.hall_name, **kwargs)
        # The language last: on_lang rebuilds the rows in the kv's boxes (self.ids),
        # which exist only once the kv rule has been applied, at the end of __init__.
        self.lang = self.strings.language
        self._show_calls()
        self._show_prepare()
        self.bridge = UiBridge(ctx, "lobby")
        self._tick(0)
        self.bridge.every(1.0, self._tick)
        self.bridge.every(PACE_S, self._pace)
        self.bridge.every(OPENING_S, self._reread_windows)
        if ctx.client.token:
            self.bridge.follow(ctx.client.token, self._on_event, self._on_state)
        else:
            log.error("the lobby has no display token: it cannot follow the queue")
        self.reload()
        self.ids.notices.start(self)  # 公示 and figures: reads and steps on its own

    def on_lang(self, *_args: object) -> None:
        """Rebuild the rows built in Python in the new language."""
        self._show_calls()
        self._show_counts()
        self._show_prepare()
        self._show_closed()
        if "notices" in self.ids:
            self.ids.notices.show()

    def on_landscape(self, *_args: object) -> None:
        """Portrait boards show the service counts in two columns."""
        self._show_counts()

    def _tick(self, _dt: float) -> None:
        now = self.ctx.now()
        self.clock_text = now.strftime("%H:%M:%S")
        self.date_text = now.strftime("%Y-%m-%d")
        self._show_closed()  # 明天 becomes 今天 at midnight

    def _pace(self, _dt: float = 0) -> None:
        """Highlight the next call once the previous one's announcement is over."""
        if self.highlighter.step():
            self._show_calls()

    # -- state from the daemon ---------------------------------------------------
    def reload(self) -> None:
        """Read services (waiting counts) and windows (current numbers) on the worker."""
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
        self.windows = {w["number"]: w for w in windows}
        self.current = {
            w["number"]: {"number": w["ticket_number"], "called_at": w.get("called_at") or ""}
            for w in windows
            if w.get("ticket_number")
        }
        self._show_calls()
        self._show_counts()
        self._show_closed()
        self._refresh_prepare()

    def _reread_windows(self, _dt: float = 0) -> None:
        """The windows again, for the hall's next opening as the hours pass."""
        client = self.ctx.client
        self.bridge.submit(client.windows, self._windows_reread, self._reread_failed)

    def _windows_reread(self, windows: list[dict]) -> None:
        for w in windows:
            if w["number"] in self.windows:
                self.windows[w["number"]].update(
                    state=w["state"], clerk=w.get("clerk"), opens_at=w.get("opens_at")
                )
        self._show_closed()

    def _reread_failed(self, exc: DaemonError) -> None:
        log.info("windows not read: %s", exc.message_en)

    def _reload_failed(self, exc: DaemonError) -> None:
        log.info("lobby state not read: %s", exc.message_en)
        if isinstance(exc, DaemonUnavailable):
            # The follower reports only changes, and it starts disconnected: a lobby
            # started while the daemon is down must say so itself. Its first connect
            # (on_state True) then reloads the board.
            self.connected = False

    def _on_state(self, connected: bool) -> None:
        was = self.connected
        self.connected = connected
        # Reload after a reconnect, and on the first connect if the daemon was not
        # up yet when the lobby started (its first read failed).
        if connected and (not was or self._stale):
            self.reload()
            self.ids.notices.reload()

    def _on_event(self, kind: str, data: dict, _event_id: int | None) -> None:
        self.ids.notices.on_event(kind, data)
        if kind == "window.changed":
            self._window_changed(data["window"])
        elif kind in ("ticket.called", "ticket.recalled"):
            ticket, window = data["ticket"], data["window"]
            self.current[window] = {"number": ticket["number"], "called_at": ticket["called_at"]}
            self.highlighter.add(Call(ticket["number"], window))
            self._pace()
            self._show_calls()
        if kind.startswith("ticket.") and data.get("waiting"):
            self._count_seq += 1
            for code, count in data["waiting"].items():
                self.counts[code] = count
                self._count_updated[code] = self._count_seq
            self._show_counts()
        if kind.startswith("ticket.") or kind == "window.changed":
            self._refresh_prepare()
        elif kind in ("queue.reset", "reset"):
            self.current = {}
            self.highlighter.clear()
            self._show_calls()
            self.reload()

    def _window_changed(self, win: dict) -> None:
        n, number = win["number"], win.get("ticket_number")
        if n in self.windows:
            self.windows[n].update(state=win["state"], clerk=win.get("clerk"))
            self._show_closed()
            if win["state"] == "closed" and not self.windows[n].get("opens_at"):
                self._reread_windows()  # when the hall opens next, if it is shut
            self._show_calls()  # the clerk named in the window's row
        if not number:
            if self.current.pop(n, None) is not None:
                self._show_calls()
        elif self.current.get(n, {}).get("number") != number:
            # Its ticket event (with the call time) follows; until then, newest ("~" > digits).
            self.current[n] = {"number": number, "called_at": "~"}
            self._show_calls()

    # -- 请…准备 ---------------------------------------------------------------------
    def _refresh_prepare(self) -> None:
        if self._prepare_loading:
            self._prepare_stale = True
            return
        self._prepare_loading, self._prepare_stale = True, False
        client = self.ctx.client
        staffed = [n for n, w in sorted(self.windows.items()) if w.get("state") != "closed"]

        def read() -> dict[int, list[dict]]:
            return {n: client.window_queue(n)[:2] for n in staffed}

        self.bridge.submit(read, self._prepare_read, self._prepare_failed)

    def _prepare_read(self, queues: dict[int, list[dict]]) -> None:
        self._prepare_loading = False
        self.prepare = prepare_numbers(queues, PREPARE_SHOWN)
        self._show_prepare()
        if self._prepare_stale:
            self._refresh_prepare()

    def _prepare_failed(self, exc: DaemonError) -> None:
        self._prepare_loading = False
        log.info("queues not read: %s", exc.message_en)

    # -- drawing -------------------------------------------------------------------
    def _area(self, window: int) -> str:
        return (self.windows.get(window) or {}).get("area") or ""

    def _show_calls(self) -> None:
        lit = self.highlighter.current
        if lit is not None:
            self.now_number = lit.number
            self.now_window = self.tr("lobby.window", window=lit.window)
            self.now_area = self._area(lit.window)
        else:
            self.now_number = self.now_area = ""
            self.now_window = self.tr("lobby.no_calls")
        box = self.ids.calls
        box.clear_widgets()
        order = sorted(self.current.items(), key=lambda kv: kv[1]["called_at"], reverse=True)
        for i, (window, cur) in enumerate(order[:ROWS_SHOWN]):
            box.add_widget(
                LobbyCallRow(
                    hall_id=f"call-{i}",
                    number=cur["number"],
                    window_text=self.tr("lobby.window", window=window),
                    area=self._area(window),
                    clerk=clerk_text(self.tr, (self.windows.get(window) or {}).get("clerk")),
                    highlight=lit is not None and lit == Call(cur["number"], window),
                )
            )
        for _ in range(ROWS_MIN - len(box.children)):
            box.add_widget(BoxLayout())  # keeps every row the same height

    def _show_closed(self) -> None:
        self.closed_text = closed_line(self.tr, self.windows, self.ctx.now())

    def _show_prepare(self) -> None:
        grid = self.ids.prepare
        grid.clear_widgets()
        for i, number in enumerate(self.prepare):
            grid.add_widget(Factory.LobbyChip(text=number, hall_id=f"prepare-{i}"))
        if self.prepare:
            numbers = self.tr("lobby.list_sep").join(self.prepare)
            self.prepare_text = self.tr("lobby.prepare_line", numbers=numbers)
        else:
            self.prepare_text = self.tr("lobby.prepare_none")

    def _name(self, svc: dict) -> str:
        name = svc["name"].get(self.lang, svc["code"])
        return name.translate(_FULL_WIDTH) if self.lang == "zh" else name

    def _show_counts(self) -> None:
        grid = self.ids.waiting
        grid.clear_widgets()
        for svc in self.services:
            grid.add_widget(
                LobbyCountRow(
                    hall_id=f"waiting-{svc['code']}",
                    name=self._name(svc),
                    count=self.tr("lobby.waiting_count", count=self.counts.get(svc["code"], 0)),
                )
            )

    def shutdown(self) -> None:
        """Stop the event follower, the clocks and the worker thread."""
        self.bridge.close()
