"""A serial port that reconnects by itself: one reader and one writer thread.

The port is a pyserial URL (``serial.serial_for_url``), so ``loop://``,
``socket://host:port``, ``spy:///dev/ttyUSB0``, ``/dev/ttyUSB0`` and a pty path
all work. Callers never see ``SerialException``: ``send()`` raises
``DeviceOffline`` while the port is down, and the link's ``status`` says so.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

from hall.drivers.errors import DeviceOffline, DriverError
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)

# What a vanished port raises from open/read/write. pyserial wraps most OS
# errors in SerialException, but not every backend does (loop://, socket://).
_PORT_ERRORS = (serial.SerialException, OSError, ValueError)


def line_time(nbytes: int, baudrate: int, bits_per_byte: float = 10) -> float:
    """Seconds that ``nbytes`` take on the wire (8N1 = start + 8 data + stop = 10 bits).

    ptys and sockets do not slow to the baud rate, so latency reports add this.
    """
    return nbytes * bits_per_byte / baudrate


@dataclass(frozen=True)
class LinkStats:
    """A snapshot of a link's counters. Times are wall-clock (``time.time()``)."""

    url: str
    status: DeviceStatus
    bytes_in: int
    bytes_out: int
    bytes_dropped: int
    reconnects: int
    open_failures: int
    last_rx: float | None
    last_tx: float | None
    last_error: str | None


class SerialLink:
    """One serial port with a reader thread, a writer queue and automatic reconnect.

    ``on_bytes(data)`` and ``on_status(status)`` run on the reader thread; set
    them before ``start()``. When opening fails or the port disappears the link
    closes the port, goes OFFLINE, and retries with exponential back-off from
    ``retry_initial`` to ``retry_max`` seconds; on reopening it is OK again.
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        bytesize: int = serial.EIGHTBITS,
        parity: str = serial.PARITY_NONE,
        stopbits: float = serial.STOPBITS_ONE,
        on_bytes: Callable[[bytes], None] | None = None,
        on_status: Callable[[DeviceStatus], None] | None = None,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        read_timeout: float = 0.05,
        write_timeout: float = 2.0,
        max_queue: int = 1000,
    ) -> None:
        """Describe the port; nothing is opened until ``start()``."""
        if not 0 < retry_initial <= retry_max:
            raise ValueError("need 0 < retry_initial <= retry_max")
        self.url = url
        self.baudrate = baudrate
        self.bytesize = bytesize
        self.parity = parity
        self.stopbits = stopbits
        self.on_bytes = on_bytes
        self.on_status = on_status
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=max_queue)
        self._port: serial.SerialBase | None = None
        self._port_lock = threading.Lock()  # held to write and to close
        self._stop = threading.Event()
        self._broken = threading.Event()  # set by the writer when a write fails
        self._threads: list[threading.Thread] = []
        self._status = DeviceStatus.STARTING
        self._ever_opened = False
        self.bytes_in = self.bytes_out = self.bytes_dropped = 0
        self.reconnects = self.open_failures = 0
        self.last_rx: float | None = None
        self.last_tx: float | None = None
        self.last_error: str | None = None

    @property
    def status(self) -> DeviceStatus:
        """STARTING until the first open attempt, then OK or OFFLINE."""
        return self._status

    def line_time(self, nbytes: int) -> float:
        """Wire time of ``nbytes`` at this link's baud rate and framing."""
        parity_bits = 0 if self.parity == serial.PARITY_NONE else 1
        return line_time(nbytes, self.baudrate, 1 + self.bytesize + parity_bits + self.stopbits)

    def stats(self) -> LinkStats:
        """Counters for the daemon's device list."""
        return LinkStats(
            self.url,
            self._status,
            self.bytes_in,
            self.bytes_out,
            self.bytes_dropped,
            self.reconnects,
            self.open_failures,
            self.last_rx,
            self.last_tx,
            self.last_error,
        )

    def start(self) -> None:
        """Start the reader (which opens the port) and writer threads."""
        if self._threads:
            raise DriverError(f"{self.url}: link already started")
        self._stop.clear()
        name = f"link {self.url}"
        self._threads = [
            threading.Thread(target=self._read_loop, name=f"{name} reader", daemon=True),
            threading.Thread(target=self._write_loop, name=f"{name} writer", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both threads, drop unsent bytes and close the port."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        self._close()
        while not self._queue.empty():
            self.bytes_dropped += len(self._queue.get_nowait())

    def send(self, data: bytes) -> None:
        """Queue ``data`` for the writer thread; never blocks.

        Raises DeviceOffline while the port is down (bytes queued just before the
        port vanished are dropped and counted), DriverError if the queue is full.
        """
        if self._status is not DeviceStatus.OK:
            raise DeviceOffline(f"{self.url}: port is {self._status}")
        try:
            self._queue.put_nowait(bytes(data))
        except queue.Full:
            raise DriverError(f"{self.url}: send queue full") from None

    # -- reader thread: owns opening, closing and reconnecting ---------------

    def _read_loop(self) -> None:
        delay = self.retry_initial
        while not self._stop.is_set():
            if self._port is None:
                if self._open():
                    delay = self.retry_initial
                else:
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.retry_max)
                continue
            try:
                data = self._port.read(max(1, self._port.in_waiting))
            except _PORT_ERRORS as exc:
                self._lost(exc)
                continue
            if self._broken.is_set():
                self._lost(None)
                continue
            if data:
                self.bytes_in += len(data)
                self.last_rx = time.time()
                self._deliver(data)

    def _open(self) -> bool:
        try:
            port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                timeout=self.read_timeout,
                write_timeout=self.write_timeout,
            )
        except _PORT_ERRORS as exc:
            self.open_failures += 1
            self.last_error = f"open failed: {exc}"
            if self._status is not DeviceStatus.OFFLINE:
                log.warning("%s: cannot open port: %s", self.url, exc)
            self._set_status(DeviceStatus.OFFLINE)
            return False
        with self._port_lock:
            self._port = port
            self._broken.clear()
        if self._ever_opened:
            self.reconnects += 1
            log.info("%s: port back (reconnect %d)", self.url, self.reconnects)
        self._ever_opened = True
        self._set_status(DeviceStatus.OK)
        return True

    def _lost(self, exc: Exception | None) -> None:
        self.last_error = f"port lost: {exc}" if exc else "port lost: write failed"
        log.warning("%s: %s", self.url, self.last_error)
        self._close()
        self._set_status(DeviceStatus.OFFLINE)

    def _close(self) -> None:
        with self._port_lock:
            port, self._port = self._port, None
            if port is not None:
                try:
                    port.close()
                except _PORT_ERRORS as exc:
                    log.debug("%s: error closing port: %s", self.url, exc)

    def _deliver(self, data: bytes) -> None:
        if self.on_bytes is None:
            return
        try:
            self.on_bytes(data)
        except Exception:  # a callback bug must not kill the reader thread
            log.exception("%s: on_bytes callback failed", self.url)

    def _set_status(self, status: DeviceStatus) -> None:
        if status is self._status:
            return
        self._status = status
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:  # a callback bug must not kill the reader thread
                log.exception("%s: on_status callback failed", self.url)

    # -- writer thread ------------------------------------------------------

    def _write_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            with self._port_lock:
                port = self._port
                if port is None or self._broken.is_set():
                    self.bytes_dropped += len(data)
                    continue
                try:
                    port.write(data)
                except _PORT_ERRORS as exc:
                    self.bytes_dropped += len(data)
                    self.last_error = f"write failed: {exc}"
                    self._broken.set()  # the reader thread closes and reopens
                    continue
            self.bytes_out += len(data)
            self.last_tx = time.time()
