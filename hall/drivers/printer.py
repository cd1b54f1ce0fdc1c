"""Ticket printer (取号小票): ESC/POS over python-escpos, Chinese text in GB18030.

A ticket is laid out once, as an ordered list of :class:`Element` (so a screen
can show the same ticket), rendered to bytes in memory, and only then sent in
one write, after the printer's real-time status said it can print. Callers see
:class:`PaperOut` and :class:`PrinterOffline`, never escpos, socket or serial
exceptions.

Connections are picked from :data:`CONNECTIONS` by the config's ``type``::

    {"type": "network", "host": "192.168.1.50", "port": 9100}
    {"type": "serial", "url": "/dev/ttyUSB0", "baudrate": 19200}   # any pyserial URL
    {"type": "usb", "vendor_id": "0x04b8", "product_id": "0x0202"}  # needs pyusb
    {"type": "file", "path": "/dev/usb/lp0"}
    {"type": "sim", "state": "ok"}                                   # hall.drivers.sim.printer

Status is read with ``DLE EOT n`` where the connection can read back (serial,
network, sim); usb (write-only here) and file cannot, so their status is
"unknown, assumed ok" and the health detail says so.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import serial
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy, File, Network, Serial, Usb

from hall.drivers.errors import PaperOut, PrinterOffline
from hall.drivers.sim.printer import SimPrinter
from hall.drivers.status import DeviceStatus
from hall.waits import wait_minutes_range

log = logging.getLogger(__name__)

#: A named python-escpos profile: "default" lacks the cutter and QR features.
PROFILE = "TM-T88V"

# FS & (1C 26) selects Chinese character mode: a byte 0x81-0xFE then starts a
# double-byte (GBK) or four-byte (GB18030) character; ASCII bytes stay ASCII.
# FS . (1C 2E) cancels it. python-escpos has no CJK code page, so send raw.
FS_CHINESE_ON = b"\x1c\x26"
FS_CHINESE_OFF = b"\x1c\x2e"
LF = b"\n"
# DLE EOT n (10 04 n): real-time status; the printer answers one byte at once,
# even when offline or with a full buffer.
DLE_EOT = b"\x10\x04"

# Every status byte has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0 (0x12 under
# mask 0x93); anything else is not a status reply (e.g. an echo on a loopback).
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
#: Flags per DLE EOT n, by bit mask (Epson ESC/POS reference, "DLE EOT").
STATUS_BITS: dict[int, dict[str, int]] = {
    # n=1 printer status: bit 2 drawer kick-out connector pin 3 high, bit 3 offline.
    1: {"drawer_pin3_high": 0x04, "offline": 0x08},
    # n=2 offline cause: bit 2 cover open, bit 3 feeding by the FEED button,
    # bit 5 printing stopped at paper end, bit 6 an error occurred.
    2: {"cover_open": 0x04, "feed_button": 0x08, "paper_end_stop": 0x20, "error": 0x40},
    # n=3 error cause: bit 2 mechanical/recoverable (model-dependent), bit 3
    # autocutter, bit 5 unrecoverable, bit 6 auto-recoverable (head too hot).
    3: {
        "mechanical_error": 0x04,
        "autocutter_error": 0x08,
        "unrecoverable_error": 0x20,
        "auto_recoverable_error": 0x40,
    },
    # n=4 roll paper sensor: bits 2+3 near-end sensor, bits 5+6 end sensor; the
    # spec sends both bits of a pair (00 or 11); one bit alone counts too, since
    # printing on no paper is worse than a false alarm.
    4: {"paper_near_end": 0x0C, "paper_end": 0x60},
}


def parse_status(n: int, byte: int) -> frozenset[str]:
    """The flags set in the reply ``byte`` to ``DLE EOT n``; ValueError if it is no status."""
    if byte & _FIXED_MASK != _FIXED_BITS:
        raise ValueError(f"0x{byte:02x} is not a DLE EOT {n} reply (fixed bits wrong)")
    return frozenset(name for name, mask in STATUS_BITS[n].items() if byte & mask)


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


#: The printed line of a ticket that is called before the others.
KIND_LINES = {"priority": "优先办理（绿色通道）", "appointment": "预约号"}


@dataclass(frozen=True)
class Element:
    """One item of a ticket layout: a text line, a QR code, a blank line or the cut."""

    kind: Literal["text", "qr", "feed", "cut"]
    text: str = ""
    align: Literal["left", "center", "right"] = "center"
    bold: bool = False
    double: bool = False


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


def chinese_text(text: str) -> bytes:
    """A line's bytes: ASCII as is, anything else GB18030 inside FS & ... FS . ."""
    if text.isascii():
        return text.encode("ascii")
    return FS_CHINESE_ON + text.encode("gb18030") + FS_CHINESE_OFF


def render(printer: Escpos, elements: list[Element]) -> None:
    """Send a layout to an escpos printer object, starting with ESC @ (initialise)."""
    printer.hw("INIT")
    style: tuple[str, bool, bool] | None = None
    for el in elements:
        if el.kind == "text":
            if style != (el.align, el.bold, el.double):
                size = 2 if el.double else 1  # GS ! n: sizes Chinese characters too
                printer.set(align=el.align, bold=el.bold, custom_size=True, width=size, height=size)
                style = (el.align, el.bold, el.double)
            printer._raw(chinese_text(el.text) + LF)
        elif el.kind == "qr":
            # native=True: the printer's own GS ( k commands, payload readable in the bytes.
            printer.set(align="center")
            style = None
            printer.qr(el.text, native=True, size=6)
        elif el.kind == "feed":
            printer._raw(LF)
        else:
            printer.cut()  # ESC d 6 (feed past the cutter), GS V 0 (full cut)


def render_elements(elements: list[Element], profile: str = PROFILE) -> bytes:
    """The complete ESC/POS bytes of a laid-out document."""
    buffer = Dummy(profile=profile)
    render(buffer, elements)
    return buffer.output


def render_ticket(ticket: TicketPrint, profile: str = PROFILE) -> bytes:
    """The complete ESC/POS bytes of one ticket."""
    return render_elements(ticket_elements(ticket), profile)


@dataclass(frozen=True)
class PrinterHealth:
    """What the kiosk reports about its printer. Times are ``time.time()``."""

    status: DeviceStatus
    detail: str
    last_error: str | None = None
    printed: int = 0
    checked_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for the daemon's device list."""
        return asdict(self) | {"status": self.status.value}


class NetworkLink(Network):
    """A network printer (raw TCP, port 9100) that reads status one byte at a time."""

    can_read = True

    def open(self, raise_not_found: bool = True) -> None:
        """Connect; unlike escpos's Network, close the socket when connecting fails."""
        if self._device:
            self.close()
        try:
            sock = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            self.device = None
            raise DeviceNotFoundError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        # Nagle would hold a 3-byte DLE EOT after a ticket until the printer's
        # delayed ACK (~40 ms on Linux): a printer never answers print data.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.device = sock

    def _read(self) -> bytes:
        data = self.device.recv(1)
        if not data:
            raise ConnectionResetError("the printer closed the connection")
        return data

    def drain(self) -> None:
        """Drop bytes left over from an earlier query that timed out."""
        sock = self.device
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionResetError("the printer closed the connection")
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.timeout)


class SerialPrinterLink(Serial):
    """A serial printer on any pyserial URL (``/dev/ttyUSB0``, ``socket://``, ``loop://``)."""

    can_read = True

    def __init__(self, devfile: str, *, write_timeout: float = 10.0, **kwargs: Any) -> None:
        """Like escpos's Serial, plus a write timeout: a stalled port must not hang a kiosk."""
        super().__init__(devfile, **kwargs)
        self.write_timeout = write_timeout

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port with ``serial_for_url`` (escpos's Serial takes device paths only)."""
        try:
            self.device = serial.serial_for_url(
                self.devfile,
                baudrate=self.baudrate,
                timeout=self.timeout,
                write_timeout=self.write_timeout,
            )
        except (ValueError, serial.SerialException) as exc:
            self.device = None
            raise DeviceNotFoundError(f"cannot open serial printer {self.devfile}: {exc}") from exc

    def _read(self) -> bytes:
        return self.device.read(1)

    def drain(self) -> None:
        """Drop bytes left over from an earlier query that timed out."""
        self.device.reset_input_buffer()


def can_read_back(connection: Escpos) -> bool:
    """Whether DLE EOT replies can be read on this connection."""
    return bool(getattr(connection, "can_read", False))


def _int(value: int | str) -> int:
    return value if isinstance(value, int) else int(value, 0)  # "0x04b8" or "1208"


def _usb(config: Mapping[str, Any], profile: str) -> Escpos:
    # Without pyusb escpos's Usb constructs but fails on open and in __del__.
    if not Usb.is_usable():
        raise RuntimeError("usb printers need the pyusb package, which is not installed")
    vendor, product = _int(config["vendor_id"]), _int(config["product_id"])
    return Usb(vendor, product, timeout=config.get("timeout_ms", 5000), profile=profile)


Builder = Callable[[Mapping[str, Any], str], Escpos]
#: config ``type`` → (builder(config, profile), the keys that type takes).
CONNECTIONS: dict[str, tuple[Builder, set[str]]] = {
    # USB is written only: escpos can read the IN endpoint, but many Chinese
    # kiosk printers answer nothing there, so status stays "unknown".
    "usb": (_usb, {"vendor_id", "product_id", "timeout_ms"}),
    "serial": (
        lambda c, p: SerialPrinterLink(
            c["url"],
            baudrate=int(c.get("baudrate", 9600)),
            timeout=c.get("timeout", 1.0),
            write_timeout=c.get("write_timeout", 10.0),
            profile=p,
        ),
        {"url", "baudrate", "timeout", "write_timeout"},
    ),
    "network": (
        lambda c, p: NetworkLink(
            c["host"], int(c.get("port", 9100)), timeout=c.get("timeout", 2.0), profile=p
        ),
        {"host", "port", "timeout"},
    ),
    "file": (lambda c, p: File(str(c["path"]), profile=p), {"path"}),
    "sim": (lambda c, p: SimPrinter(c.get("state", "ok"), profile=p), {"state"}),
}


# What a connection raises: sockets, serial ports and files raise OSError
# (SerialException and USBError are OSError too); escpos wraps open failures.
_LINK_ERRORS = (OSError, EscposError, ValueError)
UNKNOWN_DETAIL = "status unknown: this connection cannot read back; assumed ok"


class TicketPrinter:
    """One ticket printer on one connection; thread-safe, reconnects on the next call."""

    def __init__(self, connection: Escpos, *, profile: str = PROFILE) -> None:
        """Wrap an escpos connection (see :data:`CONNECTIONS` and :func:`open_printer`)."""
        self.connection = connection
        self.profile = profile
        self._lock = threading.Lock()
        self._health = PrinterHealth(DeviceStatus.STARTING, "not checked yet")

    @property
    def health(self) -> PrinterHealth:
        """The last known health, without talking to the printer."""
        return self._health

    def status(self) -> PrinterHealth:
        """Ask the printer now (DLE EOT) and return its health."""
        with self._lock:
            self._check()
            return self._health

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Print one ticket; raise PaperOut or PrinterOffline, sending nothing, if it cannot."""
        self.print_elements(ticket_elements(ticket), f"ticket {ticket.number}")

    def print_elements(self, elements: list[Element], label: str = "document") -> None:
        """Print any laid-out document (ticket, 受理通知书 ...); same errors as print_ticket."""
        data = render_elements(elements, self.profile)  # all bytes first, sent in one go
        with self._lock:
            status = self._check()
            if status is DeviceStatus.PAPER_OUT:
                raise PaperOut(self._health.detail)
            if status is not DeviceStatus.OK:
                raise PrinterOffline(self._health.detail)
            try:
                self.connection._raw(data)
            except _LINK_ERRORS as exc:
                self._failed(f"send failed: {exc}")
                raise PrinterOffline(self._health.detail) from exc
            self._set(printed=self._health.printed + 1)
        log.info("printed %s (%d bytes)", label, len(data))

    def close(self) -> None:
        """Close the connection; a later call opens it again."""
        with self._lock:
            self._reset()

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self) -> DeviceStatus:
        try:
            if not can_read_back(self.connection):
                # Opening at least proves the device file or USB device is there.
                if not self.connection.device:
                    raise PrinterOffline("printer device did not open")
                self._set(status=DeviceStatus.OK, detail=UNKNOWN_DETAIL)
                return DeviceStatus.OK
            if hasattr(self.connection, "drain"):
                self.connection.drain()
            status, detail = self._ask()
        except (*_LINK_ERRORS, PrinterOffline) as exc:
            self._failed(f"status query failed: {exc}")
            return self._health.status
        self._set(status=status, detail=detail)
        if status is not DeviceStatus.OK:
            log.warning("ticket printer: %s", detail)
        return status

    def _ask(self) -> tuple[DeviceStatus, str]:
        if "offline" in self._query(1):
            cause = self._query(2)
            if "paper_end_stop" in cause:
                return DeviceStatus.PAPER_OUT, "paper end: printing stopped (缺纸)"
            if "cover_open" in cause:
                return DeviceStatus.ERROR, "cover open (打印机盖未合上)"
            if "error" in cause:
                errors = ", ".join(sorted(self._query(3))) or "unspecified"
                return DeviceStatus.ERROR, f"printer error: {errors}"
            return DeviceStatus.OFFLINE, "printer reports offline"
        paper = self._query(4)
        if "paper_end" in paper:
            return DeviceStatus.PAPER_OUT, "paper roll end (缺纸)"
        if "paper_near_end" in paper:
            return DeviceStatus.OK, "ready; paper near end (纸将用尽)"
        return DeviceStatus.OK, "ready"

    def _query(self, n: int) -> frozenset[str]:
        self.connection._raw(DLE_EOT + bytes([n]))
        reply = self.connection._read()
        if not reply:
            raise TimeoutError(f"no reply to DLE EOT {n}")
        return parse_status(n, reply[-1])

    def _failed(self, error: str) -> None:
        log.warning("ticket printer offline: %s", error)
        self._set(status=DeviceStatus.OFFLINE, detail=error, last_error=error)
        self._reset()

    def _reset(self) -> None:
        try:
            self.connection.close()
        except _LINK_ERRORS as exc:
            log.debug("closing printer connection: %s", exc)
        # escpos opens again on the next access only while ``device`` is False.
        self.connection.device = False

    def _set(self, **changes: Any) -> None:
        current = asdict(self._health)
        self._health = PrinterHealth(**(current | changes | {"checked_at": time.time()}))


def open_printer(config: Mapping[str, Any]) -> TicketPrinter:
    """A TicketPrinter for a config dict; ValueError naming the key on a bad config."""
    kind = config.get("type")
    if kind not in CONNECTIONS:
        raise ValueError(f"printer.type: {kind!r} is not one of {', '.join(CONNECTIONS)}")
    build, keys = CONNECTIONS[kind]
    unknown = set(config) - keys - {"type", "profile"}
    if unknown:
        raise ValueError(f"printer.{sorted(unknown)[0]}: unknown key for type {kind} (typo?)")
    profile = config.get("profile", PROFILE)
    try:
        connection: Escpos = build(config, profile)
    except (RuntimeError, KeyError) as exc:  # escpos: RuntimeError when pyusb is missing
        raise ValueError(f"printer ({kind}): {exc!r}") from exc
    return TicketPrinter(connection, profile=profile)
