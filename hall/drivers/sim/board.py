"""LED board simulator: plays every board on one bus at the far end of a port.

It reads a pyserial URL (a socat pty, ``loop://``, a real tty), splits the
stream into bx5 and line frames, decodes them, keeps what each configured
address shows and counts bad frames by reason. It can draw each board as a
PNG (red LEDs on black, ``board_picture.py``) so that a person can look at it.

A bx5 frame that asks for a reply is answered as a controller would
(DEVICES.md §2a: ACK ``A0 00``, NACK ``A0 01`` with an error code), on the
port or, with no port, into :attr:`BoardSim.replies_sent`; only an address
configured as a bx5 board answers, and only a frame that decoded.

Fault injection: :meth:`BoardSim.pause` stops reading (a slow or hung board:
the line backs up), ``read_delay`` slows every read, ``corrupt_rate`` flips a
byte in that fraction of frames before decoding, ``nack`` lists addresses
that refuse every frame (error 3, busy) and ``silent`` addresses that never answer.

Command line (wired by the lead as ``python -m hall.drivers.sim board``)::

    board --port URL --boards 1:bx5,2:line,99:bx5 [--png-dir DIR] [--nack 2,3]

prints each decoded update as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import serial

from hall.drivers.errors import FrameError
from hall.drivers.led.bx5 import SYNC_BYTE, Area, Bx5Splitter, decode_bx5, encode_reply
from hall.drivers.led.line import STX, LineSplitter, decode_line
from hall.drivers.sim.board_picture import FONT_PATH, FontMissing, LedRenderer
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)

FORMATS = ("bx5", "line")
#: The error code of a simulated NACK: 3 = "the controller is busy now" (BX4K.h ERR_BUSY).
NACK_ERROR = 3


@dataclass(frozen=True)
class Update:
    """One decoded frame that changed (or refreshed) a board."""

    addr: int
    format: str
    text: str
    frames: int  # frames this board has received so far
    t: float  # time.monotonic() when decoded


class MixedSplitter:
    """Split a stream carrying both bx5 and line frames.

    Between frames, A5 starts a bx5 frame and STX a line frame. Inside a line
    frame A5 is ordinary GBK text, except that a full 8-byte sync run means a
    bx5 frame has cut the line frame short.
    """

    def __init__(self) -> None:
        self.bx5 = Bx5Splitter()
        self.line = LineSplitter()
        self._active: Bx5Splitter | LineSplitter | None = None
        self._a5_run = 0
        self.garbage = 0

    def feed(self, data: bytes) -> list[tuple[str, bytes | None]]:
        """Return (format, chunk) pairs; chunk None = a line frame cut by bx5 sync."""
        out: list[tuple[str, bytes | None]] = []
        for byte in data:
            if self._active is None:
                if byte == SYNC_BYTE:
                    self._active = self.bx5
                elif byte == STX:
                    self._active, self._a5_run = self.line, 0
                else:
                    self.garbage += 1
                    continue
            if self._active is self.line:
                self._a5_run = self._a5_run + 1 if byte == SYNC_BYTE else 0
                if self._a5_run == 8:
                    self.line.reset()
                    out.append(("line", None))
                    self._active = self.bx5
                    for _ in range(8):
                        self.bx5.push(SYNC_BYTE)
                    continue
            fmt = "line" if self._active is self.line else "bx5"
            chunk = self._active.push(byte)
            if chunk is not None:
                out.append((fmt, chunk))
            if self._active.idle:
                self._active = None
        return out


class BoardSim:
    """Simulated LED boards on one bus."""

    def __init__(
        self,
        port: str | serial.SerialBase | None,
        boards: Mapping[int, str],
        *,
        baudrate: int = 9600,
        png_dir: Path | None = None,
        on_update: Callable[[Update], None] | None = None,
        read_delay: float = 0.0,
        corrupt_rate: float = 0.0,
        seed: int = 0,
        history: int = 10000,
        font_path: Path = FONT_PATH,
        nack: Iterable[int] = (),
        silent: Iterable[int] = (),
    ) -> None:
        """Set up the simulated boards; ValueError for an unknown format.

        ``boards`` maps bus address to format; ``port`` is a URL, an open
        serial object (not closed by the sim) or None to use :meth:`feed` only;
        ``nack`` and ``silent`` are bx5 addresses that refuse or ignore frames
        that ask for a reply.
        """
        for addr, fmt in boards.items():
            if fmt not in FORMATS:
                raise ValueError(f"address {addr}: unknown format {fmt!r}")
        self.boards = dict(boards)
        self.baudrate = baudrate
        self.on_update = on_update
        self.read_delay = read_delay
        self.corrupt_rate = corrupt_rate
        self._rng = random.Random(seed)
        self._port_arg = port
        self._port: serial.SerialBase | None = None
        self._splitter = MixedSplitter()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = DeviceStatus.STARTING
        self.shows: dict[int, str] = {}
        self.frames: Counter[int] = Counter()
        self.updates: deque[Update] = deque(maxlen=history)
        self.bad_frames = 0
        self.bad_reasons: Counter[str] = Counter()
        self.foreign = 0  # good frames for an address not configured with that format
        self.areas: dict[int, Area] = {}  # the bx5 area each board was last given
        self.nack, self.silent = set(nack), set(silent)
        self.replies: Counter[str] = Counter()  # "ack" / "nack" answers sent
        self.replies_sent: deque[bytes] = deque(maxlen=history)
        self.png_dir = Path(png_dir) if png_dir else None
        self.png_error: str | None = None
        self.font_path = Path(font_path)
        self._renderer: LedRenderer | None = None
        if self.png_dir:
            try:
                self._renderer = LedRenderer(self.font_path)
            except FontMissing as exc:
                self.png_error = str(exc)
                log.error("%s", exc)

    # -- life cycle --------------------------------------------------------
    def start(self) -> BoardSim:
        """Open the port (if a URL) and start reading."""
        if isinstance(self._port_arg, str):
            self._port = serial.serial_for_url(self._port_arg, self.baudrate, timeout=0.05)
        else:
            self._port = self._port_arg
        if self._port is not None:
            self._thread = threading.Thread(target=self._read_loop, name="boardsim", daemon=True)
            self._thread.start()
        self.status = DeviceStatus.OK
        return self

    def close(self) -> None:
        """Stop reading and close a port the sim opened."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        if isinstance(self._port_arg, str) and self._port is not None:
            self._port.close()
        self._port = None
        self.status = DeviceStatus.OFFLINE

    def __enter__(self) -> BoardSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pause(self) -> None:
        """Fault: stop reading, like a hung board; bytes back up in the line."""
        self._paused.set()

    def resume(self) -> None:
        """Read again after :meth:`pause`."""
        self._paused.clear()

    def _read_loop(self) -> None:
        port = self._port
        while not self._stop.is_set():
            if self._paused.is_set():
                self._stop.wait(0.02)
                continue
            try:
                data = port.read(port.in_waiting or 1)
            except (serial.SerialException, OSError) as exc:
                log.error("board sim: read failed: %s", exc)
                self.status = DeviceStatus.ERROR
                self._stop.wait(0.5)
                continue
            if data:
                self.feed(data)
                if self.read_delay:
                    self._stop.wait(self.read_delay)

    # -- decoding ----------------------------------------------------------
    def feed(self, data: bytes) -> list[Update]:
        """Decode ``data`` as if read from the port; return the updates it made."""
        made = []
        for fmt, chunk in self._splitter.feed(data):
            if chunk is None:
                self._bad("line frame cut short by bx5 sync")
                continue
            if self.corrupt_rate and self._rng.random() < self.corrupt_rate:
                pos = self._rng.randrange(len(chunk))
                chunk = chunk[:pos] + bytes([chunk[pos] ^ 0x10]) + chunk[pos + 1 :]
            wants_reply = False
            try:
                if fmt == "bx5":
                    f = decode_bx5(chunk)
                    addr, text, wants_reply = f.dst, f.text, f.reply
                    if f.area is not None and self.boards.get(addr) == "bx5":
                        self.areas[addr] = f.area
                else:
                    g = decode_line(chunk)
                    addr, text = g.addr, g.text
            except FrameError as exc:
                self._bad(f"{fmt}: {exc}")
                continue
            update = self._apply(fmt, addr, text)
            if update is not None:
                made.append(update)
            if wants_reply and self.boards.get(addr) == "bx5" and addr not in self.silent:
                self._answer(addr)
        return made

    def _answer(self, addr: int) -> None:
        ack = addr not in self.nack
        reply = encode_reply(addr, ack=ack, error=0 if ack else NACK_ERROR)
        with self._cond:
            self.replies["ack" if ack else "nack"] += 1
            self.replies_sent.append(reply)
        port = self._port
        if port is not None:
            try:
                port.write(reply)
            except (serial.SerialException, OSError) as exc:
                log.error("board sim: cannot answer board %d: %s", addr, exc)

    def _bad(self, reason: str) -> None:
        log.info("board sim: bad frame: %s", reason)
        with self._cond:
            self.bad_frames += 1
            self.bad_reasons[reason] += 1
            self._cond.notify_all()

    def _apply(self, fmt: str, addr: int, text: str) -> Update | None:
        with self._cond:
            if self.boards.get(addr) != fmt:
                # No board of that format at that address would react to it.
                self.foreign += 1
                self._cond.notify_all()
                return None
            self.shows[addr] = text
            self.frames[addr] += 1
            update = Update(addr, fmt, text, self.frames[addr], time.monotonic())
            self.updates.append(update)
            self._cond.notify_all()
        if self._renderer is not None:
            self.render_png(addr)
        if self.on_update is not None:
            self.on_update(update)
        return update

    def wait_for(self, predicate: Callable[[BoardSim], bool], timeout: float) -> bool:
        """Wait until ``predicate(self)`` holds (checked on every frame)."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def render_png(self, addr: int, path: Path | None = None) -> Path:
        """Draw what board ``addr`` shows to ``path`` (default png_dir/board-ADDR.png)."""
        renderer = self._renderer or LedRenderer(self.font_path)
        if path is None:
            if self.png_dir is None:
                raise ValueError("no path given and no png_dir configured")
            self.png_dir.mkdir(parents=True, exist_ok=True)
            path = self.png_dir / f"board-{addr}.png"
        area = self.areas.get(addr)
        rows, width = (area.h, area.w) if area else (16, 0)
        renderer.render(self.shows.get(addr, ""), rows=rows, min_width=width).save(path)
        return Path(path)


# -- command line ---------------------------------------------------------
def parse_boards(spec: str) -> dict[int, str]:
    """Parse ``"1:bx5,2:line"`` into ``{1: "bx5", 2: "line"}``."""
    boards = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        addr, _, fmt = item.partition(":")
        if not addr.isdigit() or fmt not in FORMATS:
            raise argparse.ArgumentTypeError(f"bad board {item!r}: want ADDR:bx5 or ADDR:line")
        boards[int(addr)] = fmt
    return boards


def _addresses(spec: str) -> tuple[int, ...]:
    try:
        return tuple(int(a) for a in spec.split(",") if a.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad address list {spec!r}: want e.g. 2,3") from None


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``board`` command to an argparse subparsers object."""
    p = subparsers.add_parser("board", help="simulate LED boards on a port")
    p.add_argument("--port", required=True, help="pyserial URL or device path")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--boards", required=True, type=parse_boards, help="e.g. 1:bx5,2:line")
    p.add_argument("--png-dir", type=Path, help="write board-ADDR.png on every update")
    p.add_argument("--read-delay", type=float, default=0.0, help="fault: seconds after reads")
    p.add_argument("--corrupt-rate", type=float, default=0.0, help="fault: frames to corrupt")
    p.add_argument("--nack", type=_addresses, default=(), help="fault: bx5 addresses that NACK")
    p.add_argument("--duration", type=float, default=0.0, help="exit after seconds (0: never)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the simulator until SIGINT/SIGTERM or ``--duration``; JSON lines on stdout."""
    stop = threading.Event()

    def emit(update: Update) -> None:
        sys.stdout.write(json.dumps(asdict(update), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sim = BoardSim(
        args.port,
        args.boards,
        baudrate=args.baud,
        png_dir=args.png_dir,
        on_update=emit,
        read_delay=args.read_delay,
        corrupt_rate=args.corrupt_rate,
        nack=args.nack,
    )
    if sim.png_error:
        sys.stderr.write(f"board sim: {sim.png_error}\n")
    try:
        sim.start()
    except serial.SerialException as exc:
        sys.stderr.write(f"board sim: cannot open {args.port}: {exc}\n")
        return 2
    sys.stderr.write(f"board sim: reading {args.port} for boards {args.boards}\n")
    sys.stderr.flush()
    try:
        stop.wait(args.duration or None)
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    sys.stderr.write(f"board sim: {sum(sim.frames.values())} frames, {sim.bad_frames} bad\n")
    return 0
