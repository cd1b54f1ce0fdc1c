"""Simulated ESC/POS ticket printer: keeps what it prints, answers DLE EOT, runs out of paper.

The device end (:class:`PrinterModel`) splits the incoming stream into
real-time status queries (``DLE EOT n``, answered at once in every state, as a
real printer does) and print data, which it keeps in ``output`` while it can
print and in ``refused`` while it cannot (paper out, cover open, offline,
error). It is reached two ways:

* :class:`SimPrinter`, an escpos printer object in this process (better than
  escpos's Dummy: it can be set to paper-out and answers status queries);
* :class:`SimNetworkPrinter`, a TCP server on loopback, so the driver's
  ``network`` (port 9100) and ``serial`` (``socket://``) connections are tested
  over a real socket.

Command line (wired by the lead as ``python -m hall.drivers.sim printer``)::

    printer [--host 127.0.0.1] [--port 9100] [--state paper_out] [--out FILE]

appends received print data to FILE, or prints it as hex lines on stdout.
"""

from __future__ import annotations

import argparse
import logging
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import BinaryIO

from escpos.escpos import Escpos

log = logging.getLogger(__name__)

DLE, EOT = 0x10, 0x04
CUT = b"\x1dV"  # GS V m: cut; counted to know how many tickets came out


class SimState(StrEnum):
    """What the simulated printer is doing."""

    OK = "ok"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    SILENT = "silent"  # prints nothing and answers no status query (a hung printer)


#: States in which print data is printed.
PRINTING_STATES = frozenset({SimState.OK, SimState.NEAR_END})

# Replies to DLE EOT 1..4 per state. 0x12 = the fixed bits (bit 1 and bit 4 on).
# n=1: bit 3 offline. n=2: bit 2 cover open, bit 5 paper-end stop, bit 6 error.
# n=3: bit 3 autocutter error. n=4: bits 2+3 near end, bits 5+6 paper end.
_REPLIES: dict[SimState, tuple[int, int, int, int]] = {
    SimState.OK: (0x12, 0x12, 0x12, 0x12),
    SimState.NEAR_END: (0x12, 0x12, 0x12, 0x1E),
    SimState.PAPER_OUT: (0x1A, 0x32, 0x12, 0x7E),
    SimState.COVER_OPEN: (0x1A, 0x16, 0x12, 0x12),
    SimState.OFFLINE: (0x1A, 0x12, 0x12, 0x12),
    SimState.ERROR: (0x1A, 0x52, 0x1A, 0x12),
}


class RealtimeSplitter:
    """Splits a byte stream into print data and DLE EOT n queries, across chunk edges."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> tuple[bytes, list[int]]:
        """Return (print data, query numbers n) found in ``chunk``."""
        buf = self._pending + chunk
        self._pending = b""
        data, queries, i = bytearray(), [], 0
        while i < len(buf):
            j = buf.find(DLE, i)
            if j < 0:
                data += buf[i:]
                break
            data += buf[i:j]
            if len(buf) - j < 3 and buf[j + 1 : j + 2] in (b"", bytes([EOT])):
                self._pending = buf[j:]  # a query may be cut by the chunk edge
                break
            if buf[j + 1] == EOT:
                queries.append(buf[j + 2])
                i = j + 3
            else:
                data.append(DLE)
                i = j + 1
        return bytes(data), queries


class PrinterModel:
    """The printer itself: state, printed bytes, refused bytes, status replies. Thread-safe."""

    def __init__(self, state: SimState | str = SimState.OK) -> None:
        """Start in ``state`` (a :class:`SimState` or its value)."""
        self._cond = threading.Condition()
        self._state = SimState(state)
        self._output = bytearray()
        self._refused = bytearray()
        self.queries: list[int] = []
        self.last_rx: float | None = None  # time.perf_counter() of the last byte received

    @property
    def state(self) -> SimState:
        """The current state; set it to inject paper-out, cover-open and so on."""
        return self._state

    @state.setter
    def state(self, value: SimState | str) -> None:
        self._state = SimState(value)

    @property
    def output(self) -> bytes:
        """Every byte printed so far (status queries excluded)."""
        with self._cond:
            return bytes(self._output)

    @property
    def refused(self) -> bytes:
        """Print data received while the printer could not print."""
        with self._cond:
            return bytes(self._refused)

    @property
    def cuts(self) -> int:
        """How many tickets were cut (GS V commands printed)."""
        with self._cond:
            return self._output.count(CUT)

    def receive(self, chunk: bytes, splitter: RealtimeSplitter) -> bytes:
        """Take bytes from the host; return the status replies to send back."""
        data, queries = splitter.feed(chunk)
        replies = bytearray()
        with self._cond:
            state = self._state
            (self._output if state in PRINTING_STATES else self._refused).extend(data)
            self.queries.extend(queries)
            if state is not SimState.SILENT:
                # n outside 1..4 is not answered (real printers ignore it too).
                replies.extend(_REPLIES[state][n - 1] for n in queries if 1 <= n <= 4)
            self.last_rx = time.perf_counter()
            self._cond.notify_all()
        return bytes(replies)

    def wait_for(self, predicate: Callable[[PrinterModel], bool], timeout: float) -> bool:
        """Block until ``predicate(self)`` holds after some receive; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def clear(self) -> None:
        """Forget what was printed, refused and asked."""
        with self._cond:
            self._output.clear()
            self._refused.clear()
            self.queries.clear()


class SimPrinter(Escpos):
    """An escpos printer object wired straight to a :class:`PrinterModel` in this process."""

    can_read = True

    def __init__(
        self,
        state: SimState | str = SimState.OK,
        model: PrinterModel | None = None,
        profile: str = "TM-T88V",
    ) -> None:
        """Create with a new model in ``state``, or share ``model`` with other objects."""
        super().__init__(profile=profile)
        self.model = model or PrinterModel(state)
        self._splitter = RealtimeSplitter()
        self._replies = bytearray()

    @property
    def output(self) -> bytes:
        """What the simulated printer has printed."""
        return self.model.output

    def _raw(self, msg: bytes) -> None:
        """Hand bytes to the simulated printer; keep its replies for ``_read``."""
        self._replies += self.model.receive(bytes(msg), self._splitter)

    def _read(self) -> bytes:
        """The status replies not yet read (empty if it did not answer)."""
        data, self._replies = bytes(self._replies), bytearray()
        return data

    def drain(self) -> None:
        """Drop unread replies."""
        self._replies.clear()


class SimNetworkPrinter:
    """The simulated printer as a raw TCP server (what a printer's port 9100 is)."""

    def __init__(
        self,
        model: PrinterModel | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        on_data: Callable[[bytes], None] | None = None,
    ) -> None:
        """Serve ``model`` on ``host:port`` (0: any free port) once started."""
        self.model = model or PrinterModel()
        self.on_data = on_data
        self._listener = socket.create_server((host, port))
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="sim-printer", daemon=True)
        self._stopping = False

    def start(self) -> SimNetworkPrinter:
        """Start accepting connections on a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and close every socket it holds."""
        self._stopping = True
        self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join(5)
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()

    def __enter__(self) -> SimNetworkPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ, None)
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        try:
            while not self._stopping:
                for key, _ in sel.select():
                    if key.fileobj is self._listener:
                        conn, peer = self._listener.accept()
                        log.info("sim printer: connection from %s", peer)
                        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        sel.register(conn, selectors.EVENT_READ, RealtimeSplitter())
                    elif key.data is not None:
                        self._serve_one(sel, key.fileobj, key.data)
        finally:
            for key in list(sel.get_map().values()):
                if key.data is not None:
                    key.fileobj.close()
            sel.close()

    def _serve_one(
        self, sel: selectors.BaseSelector, conn: socket.socket, splitter: RealtimeSplitter
    ) -> None:
        try:
            chunk = conn.recv(65536)
            if chunk:
                replies = self.model.receive(chunk, splitter)
                if replies:
                    conn.sendall(replies)
                if self.on_data:
                    self.on_data(chunk)
                return
        except OSError as exc:
            log.info("sim printer: connection lost: %s", exc)
        sel.unregister(conn)
        conn.close()


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``printer`` simulator command to a CLI's subparsers."""
    p = subparsers.add_parser("printer", help="simulate an ESC/POS network ticket printer")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9100, help="TCP port (0: any free port)")
    p.add_argument("--state", choices=[s.value for s in SimState], default=SimState.OK.value)
    p.add_argument("--out", help="append received bytes to this file (default: hex on stdout)")
    p.add_argument("--duration", type=float, default=0.0, help="exit after seconds (0: never)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM or ``--duration``; log received bytes."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sink: BinaryIO | None = open(args.out, "ab") if args.out else None

    def on_data(chunk: bytes) -> None:
        if sink is not None:
            sink.write(chunk)
            sink.flush()
        else:
            sys.stdout.write(chunk.hex(" ") + "\n")
            sys.stdout.flush()

    try:
        server = SimNetworkPrinter(PrinterModel(args.state), args.host, args.port, on_data)
    except OSError as exc:
        sys.stderr.write(f"printer sim: cannot listen on {args.host}:{args.port}: {exc}\n")
        if sink is not None:
            sink.close()
        return 2
    with server:
        host, port = server.address
        sys.stderr.write(f"printer sim: listening on {host}:{port}, state {args.state}\n")
        sys.stderr.flush()
        try:
            stop.wait(args.duration or None)
        except KeyboardInterrupt:
            pass
    if sink is not None:
        sink.close()
    sys.stderr.write(f"printer sim: {server.model.cuts} tickets printed\n")
    return 0
