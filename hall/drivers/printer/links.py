"""The connections a ticket printer can sit on, one escpos device class per ``type``.

Picked from :data:`CONNECTIONS` by the config's ``type``::

    {"type": "network", "host": "192.168.1.50", "port": 9100}
    {"type": "serial", "url": "/dev/ttyUSB0", "baudrate": 19200}   # any pyserial URL
    {"type": "usb", "vendor_id": "0x04b8", "product_id": "0x0202"}  # needs pyusb
    {"type": "file", "path": "/dev/usb/lp0"}
    {"type": "sim", "state": "ok"}                                   # hall.drivers.sim.printer

Network, serial and sim read status replies back (``can_read``); usb
(write-only here) and file cannot.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import Any

import serial
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

from hall.drivers.sim.printer import SimPrinter

# What a connection raises: sockets, serial ports and files raise OSError
# (SerialException and USBError are OSError too); escpos wraps open failures.
LINK_ERRORS = (OSError, EscposError, ValueError)


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
