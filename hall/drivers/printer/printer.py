"""The ticket printer: refuses to print unless the printer says it can, reconnects, reports health.

A document (ticket, 受理通知书 ...) is rendered to bytes in memory first and
sent in one write, only after the printer's real-time status (``DLE EOT``)
said it can print. Callers see :class:`PaperOut` and :class:`PrinterOffline`,
never escpos, socket or serial exceptions. On a connection that cannot read
back (usb, file) the status is "unknown, assumed ok" and the health detail
says so.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from escpos.escpos import Escpos

from hall.drivers.errors import PaperOut, PrinterOffline
from hall.drivers.printer.encoding import (
    DLE_EOT,
    PROFILE,
    Element,
    parse_status,
    render_elements,
)
from hall.drivers.printer.links import CONNECTIONS, LINK_ERRORS, can_read_back
from hall.drivers.printer.notice import WIDTH_80MM, PrintableNotice, notice_elements
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)

UNKNOWN_DETAIL = "status unknown: this connection cannot read back; assumed ok"


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

    def print_elements(self, elements: list[Element], label: str = "document") -> None:
        """Print a laid-out document; raise PaperOut or PrinterOffline, sending nothing, if it cannot.

        ``label`` names it in the log ("ticket A001", "受理通知书").
        """
        data = render_elements(elements, self.profile)  # all bytes first, sent in one go
        with self._lock:
            status = self._check()
            if status is DeviceStatus.PAPER_OUT:
                raise PaperOut(self._health.detail)
            if status is not DeviceStatus.OK:
                raise PrinterOffline(self._health.detail)
            try:
                self.connection._raw(data)
            except LINK_ERRORS as exc:
                self._failed(f"send failed: {exc}")
                raise PrinterOffline(self._health.detail) from exc
            self._set(printed=self._health.printed + 1)
        log.info("printed %s (%d bytes)", label, len(data))

    def print_notice(
        self, notice: PrintableNotice | Mapping[str, Any], width: int = WIDTH_80MM
    ) -> None:
        """Print a case's notice (a notice object or its JSON), wrapped to ``width`` columns.

        As :meth:`print_elements`: PaperOut or PrinterOffline, sending nothing, if it cannot.
        """
        elements = notice_elements(notice, width)
        receipt = notice["receipt"] if isinstance(notice, Mapping) else notice.receipt
        self.print_elements(elements, f"notice {receipt}")

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
        except (*LINK_ERRORS, PrinterOffline) as exc:
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
        except LINK_ERRORS as exc:
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
