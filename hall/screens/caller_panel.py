"""The staff caller panel (窗口叫号器) of one window, once a staff member has signed in.

Window operations run on the bridge's worker thread; the panel shows their
result or the daemon's refusal in the current language. The current ticket,
the window's queue and the waiting counts follow the daemon's events (the
staff token's event stream); the queue is re-read when an event touches one
of this window's services, never by polling.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.screens.caller_widgets import CASE_TYPES, CallerCount, SheetHost, case_type_key

if TYPE_CHECKING:
    from hall.screens.caller import CallerRoot

log = logging.getLogger(__name__)


Builder.load_file(str(Path(__file__).with_name("caller_panel.kv")))

QUEUE_SHOWN = 16
_STATE_KEYS = {"open": "caller.state_open", "paused": "caller.state_paused"}


class CallerPanel(SheetHost, Screen):
    """Current ticket, operation buttons, queue and waiting counts of one window."""

    hall_id = StringProperty("caller-panel")
    lang = StringProperty("zh")
    window_number = NumericProperty(0)
    staff_text = StringProperty("")
    window_state = StringProperty("closed")
    ticket_number = StringProperty("")
    ticket_status = StringProperty("")
    message = StringProperty("")
    message_error = BooleanProperty(False)
    busy = BooleanProperty(False)
    connected = BooleanProperty(True)
    help_text = StringProperty("")
    queue_summary = StringProperty("")
    no_shows = ListProperty([])

    def __init__(self, caller: CallerRoot, **kwargs: Any) -> None:
        self.caller = caller
        self.strings = caller.ctx.strings
        super().__init__(lang=self.strings.language, window_number=caller.window, **kwargs)
        self.services: dict[str, dict] = {}
        self.counts: dict[str, int] = {}
        self.queue: list[dict] = []
        self.ticket_service = ""
        self.staff_id = ""  # who is signed in (enrols or withdraws their own face)
        self._queue_loading = False
        self._queue_stale = False

    # -- text ------------------------------------------------------------------
    def tr(self, key: str, *_bound: object, **values: object) -> str:
        """A string in the current language (kv passes ``root.lang`` to re-evaluate on switch)."""
        return self.strings.t(key, **values)

    def state_text(self, window_state: str, ticket_status: str, *_bound: object) -> str:
        """What the window is doing, in words."""
        if ticket_status in ("called", "serving"):
            return self.tr(f"caller.state_{ticket_status}")
        return self.tr(_STATE_KEYS.get(window_state, "caller.state_closed"))

    def on_lang(self, *_args: object) -> None:
        """Rebuild the lists built in Python (kv-bound texts follow by themselves)."""
        self._show_queue()
        self._show_counts()

    def _service_name(self, code: str) -> str:
        svc = self.services.get(code)
        return svc["name"].get(self.lang, code) if svc else code

    def _say(self, text: str, error: bool = False) -> None:
        self.message = text
        self.message_error = error

    def _show_error(self, exc: DaemonError) -> None:
        self.busy = False
        self._say(exc.text(self.lang), error=True)

    # -- session -----------------------------------------------------------------
    def begin(self, login: dict) -> None:
        """Show the panel for a new staff session and follow its events."""
        self.staff_text = self.tr("caller.staff", name=login["name"], staff_id=login["staff_id"])
        self.staff_id = login["staff_id"]
        self._apply_window(login["window"])
        self.no_shows = []
        self.help_text = ""
        self._say("")
        self.caller.bridge.follow(login["token"], self._on_event, self._on_state)
        self.reload()

    def end(self) -> None:
        """Stop following events and forget the session's state."""
        self.caller.bridge.unfollow()
        self.close_sheet()
        self.busy = False
        self.connected = True
        self._apply_window({"state": "closed", "ticket_number": None})

    def reload(self) -> None:
        """Read services, the window, its ticket and its queue (sign-in, reconnect, reset)."""
        client, n = self.caller.ctx.client, self.window_number

        def fetch() -> tuple:
            services = client.services()
            win = next(w for w in client.windows() if w["number"] == n)
            ticket = client.ticket(win["ticket_id"]) if win.get("ticket_id") else None
            return services, win, ticket, client.window_queue(n)

        self.caller.bridge.submit(fetch, self._reloaded, self._show_error)

    def _reloaded(self, result: tuple) -> None:
        services, win, ticket, queue = result
        self.services = {s["code"]: s for s in services}
        self.counts = {s["code"]: s["waiting"] for s in services}
        self._apply_window(win)
        if ticket is not None:
            self._apply_ticket(ticket)
        self.queue = queue
        self._show_queue()
        self._show_counts()

    @property
    def my_services(self) -> list[str]:
        """Codes of the services this window calls."""
        return [c for c, s in self.services.items() if self.window_number in s.get("windows", [])]

    # -- events (Kivy thread) --------------------------------------------------------
    def _on_state(self, connected: bool) -> None:
        was = self.connected
        self.connected = connected
        if connected and not was:
            self.reload()

    def _on_event(self, kind: str, data: dict, _event_id: int | None) -> None:
        if kind == "help.requested":
            self.help_text = self.tr("caller.help_alert", where=data.get("where", "?"))
        elif kind == "window.changed":
            if data["window"]["number"] == self.window_number:
                self._apply_window(data["window"])
        elif kind.startswith("ticket."):
            self._on_ticket_event(kind, data)
        elif kind in ("queue.reset", "reset"):
            self.no_shows = []
            self.reload()

    def _on_ticket_event(self, kind: str, data: dict) -> None:
        ticket = data.get("ticket", {})
        self.counts.update(data.get("waiting", {}))
        self._show_counts()
        if data.get("window") == self.window_number:
            if kind == "ticket.no_show" and ticket["number"] not in self.no_shows:
                self.no_shows.append(ticket["number"])
            elif kind == "ticket.requeued" and ticket["number"] in self.no_shows:
                self.no_shows.remove(ticket["number"])
            self._apply_ticket(ticket)
        touched = {ticket.get("service"), (data.get("to") or {}).get("service")}
        if not self.services or touched & set(self.my_services):
            self._refresh_queue()

    def _apply_window(self, win: dict) -> None:
        self.window_state = win["state"]
        number = win.get("ticket_number")
        if not number:
            self.ticket_number = self.ticket_status = self.ticket_service = ""
        elif number != self.ticket_number:
            self.ticket_number, self.ticket_status = number, "called"

    def _apply_ticket(self, ticket: dict) -> None:
        if ticket["status"] in ("called", "serving") and ticket.get("window") == self.window_number:
            self.ticket_number = ticket["number"]
            self.ticket_status = ticket["status"]
            self.ticket_service = ticket["service"]
            self.window_state = "serving"
        elif ticket["number"] == self.ticket_number:
            self.ticket_number = self.ticket_status = self.ticket_service = ""

    def _refresh_queue(self) -> None:
        if self._queue_loading:
            self._queue_stale = True
            return
        self._queue_loading, self._queue_stale = True, False
        client, n = self.caller.ctx.client, self.window_number
        self.caller.bridge.submit(
            lambda: client.window_queue(n), self._queue_loaded, self._queue_failed
        )

    def _queue_loaded(self, queue: list[dict]) -> None:
        self._queue_loading = False
        self.queue = queue
        self._show_queue()
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
            text = self.tr(
                "caller.waiting_count",
                name=self._service_name(code),
                count=self.counts.get(code, 0),
            )
            box.add_widget(CallerCount(text=text, hall_id=f"waiting-{code}"))

    # -- operations ----------------------------------------------------------------
    def operate(self, op: str, **body: Any) -> None:
        """Run a window operation on the worker; show its result or the daemon's refusal."""
        if self.busy:
            return
        self.busy = True
        self._say(self.tr("caller.busy"))
        client, n = self.caller.ctx.client, self.window_number
        number = self.ticket_number
        self.caller.bridge.submit(
            lambda: client.window_op(n, op, **body),
            partial(self._operated, op, number, body),
            self._show_error,
        )

    def _operated(self, op: str, number: str, body: dict, result: dict) -> None:
        self.busy = False
        if "state" in result:  # pause / resume answer with the window
            self._apply_window(result)
        else:
            if op == "no-show" and result["number"] not in self.no_shows:
                self.no_shows.append(result["number"])
            if op == "requeue" and result["number"] in self.no_shows:
                self.no_shows.remove(result["number"])
            self._apply_ticket(result)
            number = result["number"]
        values = {"number": number}
        if op == "transfer":
            values["service"] = self._service_name(body["service"])
        if op == "finish":
            values["case_type"] = self.tr(case_type_key(body["case_type"]))
        self._say(self.tr(f"caller.done_{op.replace('-', '_')}", **values))

    def toggle_pause(self) -> None:
        """Pause, or resume a paused window."""
        self.operate("resume" if self.window_state == "paused" else "pause")

    def choose_transfer(self) -> None:
        """Ask which service to transfer the current citizen to."""
        options = [(c, self._service_name(c)) for c in self.services if c != self.ticket_service]
        self.open_sheet(
            "caller.choose_service", options, lambda c: self.operate("transfer", service=c)
        )

    def choose_finish(self) -> None:
        """Ask for the case type (办件类型), then finish."""
        options = [(value, self.tr(key)) for value, key in CASE_TYPES]
        self.open_sheet(
            "caller.choose_case_type", options, lambda v: self.operate("finish", case_type=v)
        )

    def choose_requeue(self) -> None:
        """Ask which returning no-show citizen goes back in line."""
        options = [(n, n) for n in reversed(self.no_shows)]
        self.open_sheet(
            "caller.choose_requeue", options, lambda n: self.operate("requeue", number=n)
        )

    def logout(self) -> None:
        """Sign out: the daemon closes the window, the login screen comes back."""
        if self.busy:
            return
        self.busy = True
        self._say(self.tr("caller.busy"))
        self.caller.bridge.submit(
            self.caller.ctx.client.logout, lambda _r: self.caller.logged_out(), self._show_error
        )
