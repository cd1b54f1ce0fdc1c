"""The take-a-number flow (取号) behind the kiosk screens, without Kivy.

:class:`TicketDesk` issues a ticket through the daemon, lays out the printed
ticket (:class:`~hall.kiosk.receipts.TicketPrint`), prints it and says
whether it printed and, if not, why: the screen then keeps the number up
longer with a notice. It also tells the daemon when the printer's state
changes (``printer@<kiosk id>``), so staff see "paper out" on their list;
a daemon error there is logged and never stops a ticket.

Everything here blocks (HTTP, printer I/O): the screens call it from a worker
thread and move the results to the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from hall.config import KioskSection
from hall.drivers.errors import DriverError, PaperOut
from hall.drivers.printer import PrinterHealth, TicketPrinter
from hall.kiosk.client import DaemonClient, DaemonError
from hall.kiosk.receipts import TicketPrint, keyed_link, print_ticket
from hall.waits import range_of, view_minutes, wait_minutes

log = logging.getLogger(__name__)

#: Printed and shown times are local hall time.
HALL_TZ = ZoneInfo("Asia/Shanghai")
#: Printed under the QR code's caption.
FOOTER = ("过号请重新取号", "请留意叫号屏幕和语音提示")


def wait_line(ticket: Mapping[str, Any], t: Callable[..., str]) -> str:
    """The ticket's wait for the screen through ``t`` (a Strings.t): a range when uncertain.

    Works with the daemon's view with or without ``est_wait_range_s``; "soon"
    (``ticket.no_wait``) only when nobody is ahead.
    """
    low, high = view_minutes(ticket)
    if high == 0:
        return t("ticket.no_wait")
    if low == high:
        return t("ticket.wait", minutes=low)
    return t("ticket.wait_range", low=low, high=high)


def service_areas(windows: Iterable[Any]) -> dict[str, str]:
    """Where to wait per service: the areas of its main windows ("综合受理区").

    A service's main windows list it first; a window that also takes it as a
    second service is its overflow, and waiting there would be a guess. With no
    main window, the areas of every window that serves it. ``windows`` are
    config :class:`~hall.config.WindowConfig` items.
    """
    main: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for window in windows:
        if not window.area:
            continue
        for position, code in enumerate(window.services):
            (main if position == 0 else other).setdefault(code, []).append(window.area)
    return {
        code: "、".join(dict.fromkeys(main.get(code) or other[code]))
        for code in main.keys() | other.keys()
    }


@dataclass(frozen=True)
class ServiceCard:
    """One service as the home screen shows it, in one language."""

    code: str
    name: str
    prefix: str
    waiting: int
    wait_min: int
    accepting: bool
    reason: str | None
    allow_priority: bool


def service_cards(services: list[dict[str, Any]], lang: str) -> list[ServiceCard]:
    """The daemon's ``GET /services`` answer as cards in ``lang`` ("zh" or "en")."""
    cards = []
    for s in services:
        reason = s.get("reason") or {}
        cards.append(
            ServiceCard(
                code=s["code"],
                name=s["name"][lang],
                prefix=s.get("prefix", ""),
                waiting=int(s.get("waiting", 0)),
                wait_min=wait_minutes(s.get("est_wait_s", 0)),
                accepting=bool(s.get("accepting")),
                reason=reason.get(lang) if not s.get("accepting") else None,
                allow_priority=bool(s.get("allow_priority", False)),
            )
        )
    return cards


class PrintOutcome(StrEnum):
    """What became of the paper ticket."""

    PRINTED = "printed"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"  # unreachable, cover open, error: the printer needs attention
    NO_PRINTER = "no_printer"  # this kiosk has none configured


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket the daemon issued, and its printed layout."""

    ticket: dict[str, Any]
    layout: TicketPrint

    @property
    def number(self) -> str:
        """The ticket number, e.g. A001."""
        return self.ticket["number"]

    def service_name(self, lang: str) -> str:
        """The service's name in a UI language."""
        return self.ticket["service_name"][lang]


@dataclass(frozen=True)
class TakeResult:
    """An issued ticket and whether its paper ticket came out."""

    issued: IssuedTicket
    outcome: PrintOutcome
    detail: str = ""

    @property
    def printed(self) -> bool:
        """True when the citizen has a paper ticket."""
        return self.outcome is PrintOutcome.PRINTED


class TicketDesk:
    """Issue, print and report: the kiosk's take-a-number logic. Thread-safe."""

    def __init__(
        self,
        client: DaemonClient,
        printer: TicketPrinter | None,
        settings: KioskSection,
        hall_name: str,
        tz: dt.tzinfo = HALL_TZ,
        areas: Mapping[str, str] | None = None,
    ) -> None:
        """Work with the daemon ``client`` and the ``printer`` (None: this kiosk has none).

        ``areas``: where to wait per service code (:func:`service_areas`).
        """
        self.client = client
        self.areas = dict(areas or {})
        self.printer = printer
        self.settings = settings
        self.hall_name = hall_name
        self.tz = tz
        self.device_id = f"printer@{settings.id}"
        self._reported: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def issue(
        self,
        service: str,
        *,
        priority: bool = False,
        id_number: str | None = None,
        appointment_code: str | None = None,
        appointment: bool = False,
    ) -> IssuedTicket:
        """Ask the daemon for a number; DaemonError (or DaemonUnavailable) if it refuses.

        ``appointment`` with ``id_number``: 预约签到 by ID number.
        """
        ticket = self.client.issue(
            service,
            priority=priority,
            id_number=id_number,
            appointment_code=appointment_code,
            appointment=appointment,
        )
        return IssuedTicket(ticket, self.layout(ticket))

    def layout(self, ticket: dict[str, Any]) -> TicketPrint:
        """The paper ticket of a daemon ticket: number, service, local time, QR to follow it.

        The QR code is ``kiosk.follow_url`` with the ticket's rating key added
        (:func:`~hall.kiosk.receipts.keyed_link`): following needs the id,
        rating the key too.
        """
        issued = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(self.tz)
        names = ticket.get("service_name") or {}
        return TicketPrint(
            hall_name=self.hall_name,
            number=ticket["number"],
            service_zh=names.get("zh", ticket["service"]),
            service_en=names.get("en"),
            issued_at=issued,
            ahead=int(ticket.get("ahead", 0)),
            est_wait_s=int(ticket.get("est_wait_s", 0)),
            est_wait_range_s=range_of(ticket),
            # The ticket page with the rating key: the only place the key is printed.
            qr_payload=keyed_link(
                self.settings.follow_url.format(id=ticket["id"]), ticket.get("rating_key")
            ),
            footer=FOOTER,
            kind=str(ticket.get("kind") or "normal"),
            area=self.areas.get(ticket["service"], ""),
        )

    def print_ticket(self, issued: IssuedTicket) -> TakeResult:
        """Print the ticket; the result says whether it printed and, if not, why."""
        if self.printer is None:
            return TakeResult(issued, PrintOutcome.NO_PRINTER)
        try:
            print_ticket(self.printer, issued.layout)
            result = TakeResult(issued, PrintOutcome.PRINTED)
        except PaperOut as exc:
            result = TakeResult(issued, PrintOutcome.PAPER_OUT, str(exc))
        except DriverError as exc:  # PrinterOffline and any other driver failure
            result = TakeResult(issued, PrintOutcome.OFFLINE, str(exc))
        if not result.printed:
            log.warning("ticket %s not printed: %s", issued.number, result.detail)
        self.report_printer(self.printer.health)
        return result

    def take(self, service: str, **options: Any) -> TakeResult:
        """Issue then print (see :meth:`issue` for the options)."""
        return self.print_ticket(self.issue(service, **options))

    def check_printer(self) -> PrinterHealth | None:
        """Ask the printer for its state now and report a change; None without a printer."""
        if self.printer is None:
            return None
        health = self.printer.status()
        self.report_printer(health)
        return health

    def report_printer(self, health: PrinterHealth) -> bool:
        """Tell the daemon the printer's state if it changed; True if a report was sent."""
        state = (health.status.value, f"{self.settings.name}: {health.detail}")
        with self._lock:
            if state == self._reported or health.status.value == "starting":
                return False
            try:
                self.client.report_device(self.device_id, "printer", *state)
            except DaemonError as exc:  # DaemonUnavailable too: sent again on the next check
                log.info("printer report not delivered (%s); will retry", exc.code)
                return False
            self._reported = state
        log.info("printer state reported: %s (%s)", *state)
        return True
