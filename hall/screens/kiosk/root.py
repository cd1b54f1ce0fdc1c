"""The citizen kiosk (自助取号机): one ScreenManager for every kiosk screen.

Home, take, ticket, guide, complaint (投诉建议), leader (领导签到, from the staff corner), unavailable, and the self-service screens of :mod:`hall.screens.kiosk.submit.flow` (自助申报, 办件查询).

Every daemon call and every print runs on the worker thread of a
:class:`~hall.screens.common.bridge.UiBridge` (so the screen never freezes on
the network or the printer); results come back to the UI thread through
``Clock.schedule_once``. One clock drives the time-outs, so a
test can call :meth:`KioskRoot.tick` with any ``now`` instead of waiting:

* on the take, appointment (预约签到 by ID or face, :mod:`hall.screens.kiosk.appointment`),
  complaint (:mod:`hall.screens.kiosk.complaint`), leader (:mod:`hall.screens.kiosk.leader`) and guide screens and every self-service screen but the notice,
  ``idle_timeout_s`` without a touch returns home and clears everything
  personal (ID number, appointment code, name, phone, form, photos, face templates);
  so does home when the citizen left it in another language, large text or
  check-in mode. The last seconds (``idle_warning_s``, at most half the time-out)
  show a countdown with 继续 (:mod:`hall.screens.kiosk.idle`); the reset puts the
  hall's default language and normal text back for the next person;
* a submission's notice stays ``notice_screen_s`` (``notice_screen_no_print_s``
  when it did not print);
* the ticket stays ``ticket_screen_s`` (``ticket_screen_no_print_s`` when it
  did not print), then goes home and is cleared from the screen;
* home refreshes the services every ``refresh_s``; the unavailable screen
  retries every ``retry_s`` and returns home once the daemon answers.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from hall.kiosk.client import DaemonError, DaemonUnavailable
from hall.kiosk.context import KioskContext
from hall.kiosk.outbox_status import StatusLine, status_line
from hall.kiosk.ticketing import IssuedTicket, TakeResult, TicketDesk
from hall.screens.common.bridge import JobFailed, UiBridge
from hall.screens.kiosk.appointment import AppointmentScreen
from hall.screens.kiosk.complaint import ComplaintScreen
from hall.screens.kiosk.guide import GuideScreen
from hall.screens.kiosk.home import HomeScreen
from hall.screens.kiosk.idle import IdleWarning
from hall.screens.kiosk.leader import LeaderScreen, StaffCorner
from hall.screens.kiosk.submit.flow import IDLE_SCREENS, SubmitController
from hall.screens.kiosk.take import TakeScreen
from hall.screens.kiosk.ticket import TicketScreen, qr_matrix
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.unavailable import UnavailableScreen

log = logging.getLogger(__name__)

#: How long a note on the home screen (help requested ...) stays, in seconds.
NOTE_S = 8.0


class KioskRoot(ScreenManager):
    """The kiosk role's root widget (portrait 1080x1920); ``shutdown()`` stops its threads."""

    def __init__(
        self,
        ctx: KioskContext,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_s: float = 5.0,
        retry_s: float = 2.0,
    ) -> None:
        """Show home for ``ctx``; ``clock`` is what :meth:`tick` reads when given no time."""
        super().__init__(transition=NoTransition())
        # The page colour is the window's clear colour, not a rectangle per screen: a
        # full-screen fill costs ~30 ms per frame on software GL (bench/RESULTS.md).
        Window.clearcolor = Palette.PAGE
        self.ctx = ctx
        self.settings = ctx.settings
        self.desk = TicketDesk(
            ctx.client, ctx.printer, ctx.settings, ctx.hall_name, areas=ctx.service_areas
        )
        self.clock = clock
        self.refresh_s = refresh_s
        self.retry_s = retry_s
        ui.attach(ctx.strings, ctx.hall_name, ctx.hall_name_en)
        self.services: list[dict[str, Any]] = []
        self.last_touch = clock()
        self.next_refresh = 0.0
        self.next_retry = 0.0
        self.ticket_deadline = 0.0
        self.note_until = 0.0
        self._shown_ticket_id: str | None = None
        self._refreshing = False
        self._closed = False
        self.bridge = UiBridge(ctx, "kiosk")  # before the screens: they keep its post
        self.submit: SubmitController | None = None  # its screens look for it while built
        self.submit = SubmitController(self)
        self.home = HomeScreen(kiosk=self, name="home")
        self.take = TakeScreen(kiosk=self, name="take")
        self.appointment = AppointmentScreen(kiosk=self, name="appointment")  # 预约签到 by ID, face
        self.ticket = TicketScreen(kiosk=self, name="ticket")
        self.guide = GuideScreen(kiosk=self, name="guide")
        self.complaint = ComplaintScreen(kiosk=self, name="complaint")  # 投诉建议
        self.unavailable = UnavailableScreen(kiosk=self, name="unavailable")
        for screen in (self.home, self.take, self.ticket, self.guide, self.unavailable):
            self.add_widget(screen)
        self.add_widget(self.appointment)
        self.add_widget(self.complaint)
        # 领导签到: no citizen's button; the hall's name held on home (leader.py).
        self.leader = LeaderScreen(kiosk=self, name="leader")
        self.add_widget(self.leader)
        self.corner = StaffCorner(self, self.open_leader)
        for screen in self.submit.screens:
            self.add_widget(screen)
        self.current = "home"
        self.idle_warning = IdleWarning(on_continue=self.still_here)
        if ctx.id_reader is not None:  # cards arrive on the reader's thread
            ctx.id_reader.on_card = lambda card: self.post(self.card_read, card)
        ui.bind(lang=self._relabel, scale=self._relabel)
        self.bridge.every(0.25, lambda _dt: self.tick())
        self.refresh()

    # -- threads -----------------------------------------------------------------
    def run_job(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        refused: Callable[[DaemonError], None] | None = None,
    ) -> None:
        """Run ``job`` on the bridge's worker; ``done(result)`` or ``refused(err)`` on the UI thread.

        DaemonUnavailable shows the unavailable screen; so does any other error
        (logged), because that screen retries by itself and never gets stuck.
        """
        if self._closed:  # shutting down: the bridge closes last
            return
        self.bridge.submit(job, done, lambda exc: self._failed(exc, refused))

    def post(self, callback: Callable[..., None], *args: Any) -> None:
        """Call ``callback(*args)`` on the UI thread (safe from any thread): ``UiBridge.post``."""
        self.bridge.post(callback, *args)

    def _failed(self, exc: DaemonError, refused: Callable[[DaemonError], None] | None) -> None:
        if isinstance(exc, DaemonUnavailable):
            log.warning("daemon unavailable: %s", exc.detail)
            self.show_unavailable()
        elif refused is not None and not isinstance(exc, JobFailed):
            refused(exc)
        else:  # a bug (the bridge logged it), or a refusal nobody shows
            log.error("kiosk job failed: %s", exc.code)
            self.show_unavailable()

    def shutdown(self) -> None:
        """Stop the clock and the worker thread (waits for a call in progress)."""
        self._closed = True
        self.idle_warning.hide()
        self.submit.shutdown()
        self.appointment.shutdown()
        ui.unbind(lang=self._relabel, scale=self._relabel)
        self.bridge.close()  # the clock, then the worker

    # -- time ----------------------------------------------------------------------
    def on_touch_down(self, touch) -> bool:
        """Any touch counts as activity for the idle timeout."""
        self.last_touch = self.clock()
        self.corner.down(touch)
        return super().on_touch_down(touch)

    def on_touch_up(self, touch) -> bool:
        """The end of a touch; the hall's name held long enough opens 领导签到."""
        handled = super().on_touch_up(touch)  # every widget sees the touch end first
        return self.corner.up(touch) or handled

    def still_here(self) -> None:
        """继续 on the idle countdown: activity, like a touch."""
        self.last_touch = self.clock()
        self.idle_warning.hide()

    def _resettable(self, name: str) -> bool:
        """Whether idling on ``name`` ends in a reset (something to clear or to restore)."""
        if name in ("take", "appointment", "guide", "complaint", "leader", *IDLE_SCREENS):
            return not self.submit.busy()
        if name == "home":
            return ui.lang != self.settings.language or ui.large or self.home.checkin
        return False

    def _idle(self, now: float, name: str) -> bool:
        """The idle countdown and reset; True when the kiosk was reset."""
        timeout = self.settings.idle_timeout_s
        left = timeout - (now - self.last_touch)
        warn_s = min(self.settings.idle_warning_s, timeout / 2)
        if not self._resettable(name) or left > warn_s or warn_s <= 0 < left:
            self.idle_warning.hide()
            return False
        if left > 0:
            self.idle_warning.show(math.ceil(left))
            return False
        log.info("idle for %.0f s on %s: back home", now - self.last_touch, name)
        self.reset_for_next()
        return True

    def reset_for_next(self) -> None:
        """Home, everything personal cleared, the hall's language and normal text."""
        self.idle_warning.hide()
        self.go_home()
        ui.set_language(self.settings.language)
        ui.set_large(False)
        self.last_touch = self.clock()

    def tick(self, now: float | None = None) -> None:
        """Apply every time-out due at ``now`` (default: the clock); the Kivy clock calls it."""
        now = self.clock() if now is None else now
        name = self.current
        if self.submit.tick(now):
            self.idle_warning.hide()
            return
        if self._idle(now, name):
            return
        if name == "ticket":
            if now >= self.ticket_deadline:
                self.go_home()
            else:
                self.ticket.countdown = math.ceil(self.ticket_deadline - now)
        elif name == "home":
            if now >= self.next_refresh:
                self.refresh()
            if self.note_until and now >= self.note_until:
                self.note_until = 0.0
                self.home.set_note("", "")
        elif name == "unavailable" and now >= self.next_retry:
            self.next_retry = now + self.retry_s
            self.unavailable.attempt()
            self.refresh()

    # -- navigation ------------------------------------------------------------------
    def go_home(self) -> None:
        """Back to home; everything personal on the other screens is cleared."""
        for screen in (
            self.take,
            self.appointment,
            self.ticket,
            self.guide,
            self.complaint,
            self.leader,
        ):
            screen.clear_personal()
        self.submit.clear_personal()
        self.home.checkin = False
        self.current = "home"
        self.next_refresh = 0.0

    def show_unavailable(self) -> None:
        """The daemon cannot be reached: say so and retry by itself."""
        if self.current != "unavailable":
            self.go_home()
            self.unavailable.reset()
            self.current = "unavailable"
            self.next_retry = self.clock() + self.retry_s

    def open_service(self, code: str) -> None:
        """The citizen chose a service: the take-a-number screen for it."""
        service = next((s for s in self.services if s["code"] == code), None)
        if service is None or not service.get("accepting"):
            return
        checkin, self.home.checkin = self.home.checkin, False
        self.take.open(service)
        if checkin:  # 预约签到 chosen on home: the code, with by-ID and face beside it
            self.take.set_mode("code")
        self.current = "take"

    def open_guide(self, code: str | None = None) -> None:
        """Browse the 办事指南 (from the first service, or ``code``)."""
        self.guide.open(code)
        self.current = "guide"

    def open_complaint(self) -> None:
        """投诉建议: the complaint form (topics, window), then its receipt."""
        self.complaint.open()
        self.current = "complaint"

    def open_leader(self) -> None:
        """领导签到 (staff corner): the leaders of config, then a PIN."""
        self.leader.open()
        self.current = "leader"

    # -- daemon ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Fetch the services (and check the printer) on the worker."""
        if self._refreshing or self._closed:
            return
        self._refreshing = True
        self.next_refresh = self.clock() + self.refresh_s

        def job() -> tuple[list[dict[str, Any]], StatusLine | None]:
            try:
                services = self.ctx.client.services()
                self.desk.check_printer()
                box = self.ctx.outbox
                return services, (status_line(box.health(), box.clock()) if box else None)
            finally:
                self._refreshing = False  # a plain flag; the next refresh may queue now

        def done(found: tuple[list[dict[str, Any]], StatusLine | None]) -> None:
            services, outbox_line = found
            self.services = services
            self.home.show_services(services)
            self.home.show_outbox(outbox_line)
            self.guide.set_services(services)
            if self.current == "unavailable":
                self.current = "home"

        self.run_job(job, done)

    def card_read(self, card: Any) -> None:
        """An ID card was read: fill the ID where the citizen is asked for it, else ignore it."""
        if self.current == "take":
            self.take.card_read(card.number)
        elif self.current == "appointment":
            self.appointment.card_read(card.number)
        elif self.current == "identify" and self.submit is not None:
            self.submit.identify.card_read(card.number, card.name, card.photo)

    def take_number(
        self, code: str, refused: Callable[[DaemonError], None] | None = None, **options: Any
    ) -> None:
        """Issue (then print) a ticket; the ticket shows as soon as it is issued.

        A refusal goes to ``refused`` (default: the take screen shows it).
        """

        def job() -> TakeResult:
            issued = self.desk.issue(code, **options)
            # The QR modules are computed here, on the worker: the UI thread only draws.
            self.post(self.show_ticket, issued, qr_matrix(issued.layout.qr_payload))
            return self.desk.print_ticket(issued)

        self.run_job(job, self._printed, refused or self.take.show_refusal)

    def show_ticket(self, issued: IssuedTicket, matrix: list[list[bool]] | None = None) -> None:
        """Show a newly issued ticket."""
        self._shown_ticket_id = issued.ticket["id"]
        self.take.clear_personal()
        self.appointment.clear_personal()
        self.ticket.show(issued, matrix)
        self.current = "ticket"
        self.ticket_deadline = self.clock() + self.settings.ticket_screen_s
        self.ticket.countdown = math.ceil(self.settings.ticket_screen_s)

    def _printed(self, result: TakeResult) -> None:
        self.next_refresh = 0.0
        if self._shown_ticket_id != result.issued.ticket["id"]:
            self.show_ticket(result.issued)
        if self.current == "ticket" and self.ticket.ticket_id == result.issued.ticket["id"]:
            self.ticket.show_print(result)
            if not result.printed:
                self.ticket_deadline = self.ticket.shown_at + self.settings.ticket_screen_no_print_s

    def call_for_help(self) -> None:
        """呼叫工作人员: tell the staff which kiosk needs them, and confirm on screen."""
        self.home.set_note(ui.t("home.help_sending"), "info")

        def done(_reply: dict) -> None:
            self.home.set_note(ui.t("home.help_sent"), "ok")
            self.note_until = self.clock() + NOTE_S

        def refused(err: DaemonError) -> None:
            self.home.set_note(err.text(ui.lang), "error")
            self.note_until = self.clock() + NOTE_S

        self.run_job(lambda: self.ctx.client.call_for_help(self.settings.name), done, refused)

    def _relabel(self, *_args: Any) -> None:
        for screen in self.screens:
            screen.relabel()
