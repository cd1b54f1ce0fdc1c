"""What a printed ticket (取号小票) says, laid out for the printer and a screen.

The wording lives here, on the kiosk side: the printer driver
(``hall.drivers.printer``) prints any :class:`~hall.drivers.printer.Element`
list it is given and knows nothing of numbers, services or waits.
:class:`~hall.kiosk.ticketing.TicketDesk` fills a :class:`TicketPrint` from the
daemon's ticket and calls :func:`print_ticket`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hall.drivers.printer import PROFILE, Element, render_elements
from hall.waits import wait_minutes_range

if TYPE_CHECKING:
    from hall.drivers.printer import TicketPrinter


@dataclass(frozen=True)
class TicketPrint:
    """What one printed ticket shows. ``est_wait_s`` is printed in whole minutes.

    ``est_wait_range_s`` (low, high) is the daemon's uncertainty, printed as a
    range when its ends are different minutes; ``kind`` is the daemon's ticket
    kind (normal, priority, appointment); ``area`` where to wait ("" = not said).
    """

    hall_name: str
    number: str
    service_zh: str
    issued_at: datetime
    ahead: int
    est_wait_s: int
    qr_payload: str
    service_en: str | None = None
    footer: tuple[str, ...] = ()
    est_wait_range_s: tuple[int, int] | None = None
    kind: str = "normal"
    area: str = ""


def keyed_link(url: str, key: str | None) -> str:
    """``url`` with the case's rating key as its ``k`` query parameter (no key: unchanged).

    The printed QR code is the only place the key goes (the daemon's ticket page
    ``/t/<id>?k=<key>``, the progress page ``/progress?receipt=…&k=<key>``): the
    link rates the case, the id or receipt alone does not. Keys are URL-safe.
    """
    if not key:
        return url
    base, hash_, fragment = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}k={key}{hash_}{fragment}"


#: The printed line of a ticket that is called before the others.
KIND_LINES = {"priority": "优先办理（绿色通道）", "appointment": "预约号"}


def wait_text(seconds: int, *, ahead: int = 0, range_s: tuple[float, float] | None = None) -> str:
    """The estimated wait in Chinese: 900 → "预计等候约15分钟", a range → "约5–10分钟".

    The minutes are :func:`hall.waits.wait_minutes_range`'s, as on every screen.
    """
    low, high = wait_minutes_range(ahead, seconds, range_s)
    if high == 0:
        return "预计等候不到1分钟"
    return f"预计等候约{low}分钟" if low == high else f"预计等候约{low}–{high}分钟"


def ticket_elements(ticket: TicketPrint) -> list[Element]:
    """The ticket's layout, top to bottom; the printer and a screen both use it."""
    els = [
        Element("text", ticket.hall_name, bold=True),
        Element("feed"),
        Element("text", ticket.number, bold=True, double=True),
    ]
    if ticket.kind in KIND_LINES:
        els.append(Element("text", KIND_LINES[ticket.kind], bold=True))
    els.append(Element("text", ticket.service_zh))
    if ticket.service_en:
        els.append(Element("text", ticket.service_en))
    els.append(Element("feed"))
    if ticket.area:
        els.append(Element("text", f"请到 {ticket.area} 等候"))
    els += [
        Element("text", f"前面还有{ticket.ahead}人等候"),
        Element(
            "text",
            wait_text(ticket.est_wait_s, ahead=ticket.ahead, range_s=ticket.est_wait_range_s),
        ),
        Element("text", f"取号时间 {ticket.issued_at:%Y-%m-%d %H:%M}"),
        Element("qr", ticket.qr_payload),
        Element("text", "扫码查看排队进度"),
    ]
    els += [Element("text", line) for line in ticket.footer]
    els.append(Element("cut"))
    return els


def ticket_lines(ticket: TicketPrint) -> list[str]:
    """The ticket's text lines in order (no blank lines, no QR), e.g. for a screen."""
    return [e.text for e in ticket_elements(ticket) if e.kind == "text"]


def render_ticket(ticket: TicketPrint, profile: str = PROFILE) -> bytes:
    """The complete ESC/POS bytes of one ticket."""
    return render_elements(ticket_elements(ticket), profile)


def print_ticket(printer: TicketPrinter, ticket: TicketPrint) -> None:
    """Print one ticket; PaperOut or PrinterOffline, sending nothing, if it cannot."""
    printer.print_elements(ticket_elements(ticket), f"ticket {ticket.number}")
