"""The staff caller panel (窗口叫号器) of one window, once a staff member has signed in.

Window operations run on the bridge's worker thread; the panel shows their
result or the daemon's refusal in the current language. The current ticket,
the window's queue and the waiting counts follow the daemon's events (the
staff token's event stream); the queue is re-read when an event touches one
of this window's services, never by polling.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller.clerk import ClerkPhoto, staff_line  # noqa: F401 - ClerkPhoto: panel.kv
from hall.screens.caller.help_calls import HelpBanner
from hall.screens.caller.operations import WindowOperations
from hall.screens.caller.queue_lists import QueueLists
from hall.screens.caller.vacancy import VacancyNotice
from hall.screens.caller.widgets import SheetHost
from hall.screens.common.bridge import UiBridge
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by panel.kv
from hall.screens.common.translate import Translated

log = logging.getLogger(__name__)


Builder.load_file(str(Path(__file__).with_name("panel.kv")))

_STATE_KEYS = {"open": "caller.state_open", "paused": "caller.state_paused"}
#: The flag shown beside the current number for a ticket kind (normal: none).
_KIND_KEYS = {"priority": "caller.kind_priority", "appointment": "caller.kind_appointment"}


def elapsed_text(since: dt.datetime | None, now: dt.datetime) -> str:
    """``mm:ss`` from ``since`` to ``now`` (minutes go past 59; never negative)."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class CallerPanel(Translated, SheetHost, WindowOperations, QueueLists, Screen):
    """Current ticket, operation buttons, queue and waiting counts of one window."""

    hall_id = StringProperty("caller-panel")
    lang = StringProperty("zh")
    window_number = NumericProperty(0)
    staff_text = StringProperty("")
    window_state = StringProperty("closed")
    ticket_number = StringProperty("")
    ticket_status = StringProperty("")
    ticket_service = StringProperty("")
    ticket_kind = StringProperty("")
    elapsed = StringProperty("")  # mm:ss since the current ticket was called
    done_today = NumericProperty(-1)  # cases finished here today; -1 = not read yet
    message = StringProperty("")
    message_error = BooleanProperty(False)
    busy = BooleanProperty(False)
    connected = BooleanProperty(True)
    help_text = StringProperty("")
    help_open = BooleanProperty(False)  # the banner's call can be taken (帮办代办, help_calls.py)
    vacancy_text = StringProperty("")  # 空岗 alerts a B岗 clerk covers (screens/caller/vacancy.py)
    queue_summary = StringProperty("")
    no_shows = ListProperty([])
    photo_checked = BooleanProperty(False)  # the clerk's photo was asked for (亮证上岗)

    def __init__(
        self,
        ctx: KioskContext,
        window: int,
        bridge: UiBridge,
        *,
        signed_out: Callable[[], None],
        switch_language: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        """The panel of ``window``; ``bridge`` is the role's (worker thread, events).

        ``signed_out()`` runs once the daemon closed the window (the role shows the
        sign-in screen again); ``switch_language()`` switches every screen of the role.
        """
        self.ctx = ctx
        self.bridge = bridge
        self.signed_out = signed_out
        self.switch_language = switch_language
        self.strings = ctx.strings
        self.services: dict[str, dict] = {}
        self.counts: dict[str, int] = {}
        self.queue: list[dict] = []
        self.called_at: dt.datetime | None = None
        #: The hall's time now; tests put a clock of their own here.
        self.now: Callable[[], dt.datetime] = ctx.now
        self.requeued = ""  # a returning no-show whose place is not known yet
        self.staff_id = ""  # who is signed in (enrols or withdraws their own face)
        self.vacancy = VacancyNotice()
        self.help_calls = HelpBanner(self)  # kiosk help calls: 我来处理 (help_calls.py)
        self.login: dict = {}  # the sign-in's answer: name, public clerk (亮证上岗)
        #: ``case.changed`` events go here (办件, hall/screens/caller/cases/flow.py).
        self.case_changed: Callable[[dict], None] | None = None
        self._queue_loading = False
        self._queue_stale = False
        super().__init__(window_number=window, **kwargs)
        # The language last: on_lang rebuilds the lists in the kv's boxes (self.ids),
        # which exist only once the kv rule has been applied, at the end of __init__.
        self.lang = self.strings.language

    # -- text ------------------------------------------------------------------
    def state_text(self, window_state: str, ticket_status: str, *_bound: object) -> str:
        """What the window is doing, in words."""
        if ticket_status in ("called", "serving"):
            return self.tr(f"caller.state_{ticket_status}")
        return self.tr(_STATE_KEYS.get(window_state, "caller.state_closed"))

    def on_lang(self, *_args: object) -> None:
        """Rebuild the lists built in Python (kv-bound texts follow by themselves)."""
        self._show_queue()
        self._show_counts()
        self._show_vacancy()
        self.help_calls.show()
        if self.login:
            self.staff_text = staff_line(self.tr, self.login)

    def service_text(self, code: str, *_bound: object) -> str:
        """The current ticket's service by name (kv passes ``root.lang`` to re-evaluate)."""
        return self._service_name(code) if code else ""

    def kind_text(self, kind: str, *_bound: object) -> str:
        """优先 / 预约 flag of the current ticket, empty for a normal ticket."""
        return self.tr(_KIND_KEYS[kind]) if kind in _KIND_KEYS else ""

    def elapsed_label(self, elapsed: str, *_bound: object) -> str:
        """Time since the call, in words."""
        return self.tr("caller.elapsed", time=elapsed) if elapsed else ""

    def done_label(self, done: int, *_bound: object) -> str:
        """今日已办 N 件 (empty until the daemon said)."""
        return self.tr("caller.done_today", count=done) if done >= 0 else ""

    def tick(self, _dt: float = 0) -> None:
        """Refresh the time since the call (every second, on the injected clock)."""
        self.elapsed = elapsed_text(self.called_at, self.now()) if self.ticket_number else ""

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
        self.login = login
        self.staff_text = staff_line(self.tr, login)
        self.staff_id = login["staff_id"]
        self._load_photo()
        self._apply_window(login["window"])
        self.no_shows = []
        self.help_calls.reset()
        self._say("")
        self.bridge.follow(login["token"], self._on_event, self._on_state)
        if self.vacancy.begin(login):  # a B岗 clerk: the alerts already open
            self.bridge.submit(self.ctx.client.vacancy, self._vacancy_read, self._vacancy_failed)
        self._show_vacancy()
        if not getattr(self, "_ticking", False):
            self._ticking = True
            self.bridge.every(1.0, self.tick)
        self.reload()

    def end(self) -> None:
        """Stop following events and forget the session's state."""
        self.bridge.unfollow()
        self.close_sheet()
        self.busy = False
        self.connected = True
        self.login = {}
        self.staff_text = ""
        self.ids.photo.show(None)
        self._apply_window({"state": "closed", "ticket_number": None})

    def _load_photo(self) -> None:
        """The signed-in clerk's photo, read on the worker (none: nothing shown)."""
        client, n, staff_id = self.ctx.client, self.window_number, self.staff_id
        self.photo_checked = False
        self.ids.photo.show(None)

        def shown(data: bytes | None) -> None:
            if self.staff_id == staff_id:  # still the same clerk
                self.ids.photo.show(data)
                self.photo_checked = True

        def failed(exc: DaemonError) -> None:
            log.info("clerk photo not read: %s", exc.message_en)
            self.photo_checked = True

        self.bridge.submit(lambda: client.clerk_photo(n), shown, failed)

    def reload(self) -> None:
        """Read services, the window, its ticket and its queue (sign-in, reconnect, reset)."""
        client, n = self.ctx.client, self.window_number

        def fetch() -> tuple:
            services = client.services()
            win = next(w for w in client.windows() if w["number"] == n)
            ticket = client.ticket(win["ticket_id"]) if win.get("ticket_id") else None
            return services, win, ticket, client.window_queue(n)

        self.bridge.submit(fetch, self._reloaded, self._show_error)

    def _reloaded(self, result: tuple) -> None:
        services, win, ticket, queue = result
        self.services = {s["code"]: s for s in services}
        self.counts = {s["code"]: s["waiting"] for s in services}
        self._apply_window(win)
        if ticket is not None:
            self._apply_ticket(ticket)
        self.done_today = win.get("done_today", -1)
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
        if kind.startswith("help."):
            self.help_calls.on_event(kind, data)
        elif kind == "window.changed":
            if data["window"]["number"] == self.window_number:
                self._apply_window(data["window"])
        elif kind.startswith("ticket."):
            self._on_ticket_event(kind, data)
        elif kind.startswith("vacancy.") and self.vacancy.on_event(kind, data):
            self._show_vacancy()
        elif kind == "case.changed" and self.case_changed is not None:
            self.case_changed(data)
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
            if kind == "ticket.finished":
                self._refresh_done()
        touched = {ticket.get("service"), (data.get("to") or {}).get("service")}
        if not self.services or touched & set(self.my_services):
            self._refresh_queue()

    def _apply_window(self, win: dict) -> None:
        self.window_state = win["state"]
        number = win.get("ticket_number")
        if not number:
            self._clear_ticket()
        elif number != self.ticket_number:
            self.ticket_number, self.ticket_status = number, "called"
            # GET /windows carries the ticket's details; window.changed events do not.
            self.ticket_service = win.get("ticket_service") or ""
            self.ticket_kind = win.get("ticket_kind") or ""
            self.called_at = _parse(win.get("called_at"))
            self.tick()

    def _clear_ticket(self) -> None:
        self.ticket_number = self.ticket_status = self.ticket_service = self.ticket_kind = ""
        self.called_at = None
        self.tick()

    def _apply_ticket(self, ticket: dict) -> None:
        if ticket["status"] in ("called", "serving") and ticket.get("window") == self.window_number:
            self.ticket_number = ticket["number"]
            self.ticket_status = ticket["status"]
            self.ticket_service = ticket["service"]
            self.ticket_kind = ticket.get("kind") or ""
            self.called_at = _parse(ticket.get("called_at"))
            self.window_state = "serving"
            self.tick()
        elif ticket["number"] == self.ticket_number:
            self._clear_ticket()

    def _vacancy_read(self, found: dict) -> None:
        self.vacancy.load(found.get("alerts", []))
        self._show_vacancy()

    def _vacancy_failed(self, exc: DaemonError) -> None:
        log.info("empty-window alerts not read: %s", exc.message_en)

    def _show_vacancy(self) -> None:
        self.vacancy_text = self.vacancy.text(self.tr)


def _parse(stamp: str | None) -> dt.datetime | None:
    """An ISO time from the daemon, or None."""
    return dt.datetime.fromisoformat(stamp) if stamp else None
