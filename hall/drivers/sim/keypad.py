"""Simulated caller keypads and evaluators: the device end of the RS-485 bus.

``KeypadSim`` presses keys (sends FUNC 0x01 frames), sends ratings (FUNC
0x11), checks that the host echoed each frame (its acknowledgement) and keeps
what the host told every address: the display digits, beeps, rating prompts
and thank-yous. Faults: bad checksum, truncated frames, garbage bytes, and a
silent device that sends nothing at all.

The CLI (``add_parser``/``run``) plays a scripted session and prints events as
JSON lines, e.g. ``keypad --port /tmp/ttyB --press 3:call --press 3:6 --press 3:confirm``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TextIO

from hall.drivers import bus485 as b
from hall.drivers.errors import DriverError
from hall.drivers.port import SerialLink
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)

#: Key names accepted by ``parse_key`` and the CLI; digits are "0".."9".
KEY_NAMES = {
    "call": b.KEY_CALL_NEXT,
    "recall": b.KEY_RECALL,
    "finish": b.KEY_FINISH,
    "pause": b.KEY_PAUSE,
    "transfer": b.KEY_TRANSFER,
    "confirm": b.KEY_CONFIRM,
    **{str(d): d for d in range(10)},
}
HOST_FUNC_NAMES = {
    b.FUNC_DISPLAY: "display",
    b.FUNC_BEEP: "beep",
    b.FUNC_RATE_NOW: "rate_now",
    b.FUNC_THANK_YOU: "thank_you",
}


def parse_key(name: str) -> int:
    """A key code from its name ("call", "6", "confirm") or a number ("0x0c")."""
    if name in KEY_NAMES:
        return KEY_NAMES[name]
    try:
        return int(name, 0)
    except ValueError:
        raise ValueError(f"unknown key {name!r}; use one of {sorted(KEY_NAMES)}") from None


class Fault(StrEnum):
    """Ways to spoil one frame on the wire."""

    BAD_CHECKSUM = "badsum"  # checksum byte off by one
    TRUNCATED = "truncated"  # checksum and end byte never sent


@dataclass
class SentFrame:
    """A frame the simulator sent, and whether the host echoed it back."""

    raw: bytes
    fault: Fault | None = None
    sent_at: float = field(default_factory=time.monotonic)
    acked_at: float | None = None

    @property
    def acked(self) -> bool:
        """True once the host echoed these exact bytes."""
        return self.acked_at is not None


class KeypadSim:
    """Keypads and evaluators at any addresses, on one ``SerialLink``.

    ``auto_rate`` maps evaluator addresses to the raw rating they answer every
    prompt with. State is read under ``lock``; ``wait(cond, timeout)`` blocks
    until ``cond()`` holds after a received frame.
    """

    def __init__(
        self,
        link: SerialLink,
        *,
        auto_rate: Mapping[int, int] | None = None,
        on_host_frame: Callable[[b.Frame], None] | None = None,
    ) -> None:
        """Attach to ``link`` (sets its ``on_bytes``); start the link separately."""
        self.link = link
        self.auto_rate = dict(auto_rate or {})
        self.on_host_frame = on_host_frame
        self.parser = b.FrameParser()
        self.lock = threading.Condition()
        self.silent = False
        self.sent: list[SentFrame] = []
        self.host_frames: list[b.Frame] = []
        self.displays: dict[int, str] = {}
        self.beeps: Counter[int] = Counter()
        self.prompts: dict[int, str | None] = {}  # ticket being rated, None when idle
        self.thank_yous: Counter[int] = Counter()
        self.stray_echoes = 0  # device-function frames from the host matching nothing sent
        self.suppressed = 0  # frames not sent because the device is silent
        link.on_bytes = self.feed

    # -- device -> host -------------------------------------------------------

    def send_frame(
        self, addr: int, func: int, data: bytes = b"", fault: Fault | None = None
    ) -> SentFrame | None:
        """Send one frame, spoiled by ``fault`` if given; None if the device is silent."""
        raw = b.encode_frame(addr, func, data)
        if fault is Fault.BAD_CHECKSUM:
            raw = raw[:-2] + bytes(((raw[-2] + 1) & 0xFF, b.END))
        elif fault is Fault.TRUNCATED:
            raw = raw[:-2]
        with self.lock:
            if self.silent:
                self.suppressed += 1
                return None
            sent = SentFrame(raw, fault)
            self.sent.append(sent)  # before sending, so a fast echo finds it
        try:
            self.link.send(raw)
        except DriverError:
            with self.lock:
                self.sent.remove(sent)
            raise
        return sent

    def press(self, addr: int, key: int | str, fault: Fault | None = None) -> SentFrame | None:
        """Press one caller key (a code or a name from ``KEY_NAMES``)."""
        code = parse_key(key) if isinstance(key, str) else key
        return self.send_frame(addr, b.FUNC_CALLER_KEY, bytes((code,)), fault)

    def press_keys(self, addr: int, *keys: int | str) -> list[SentFrame | None]:
        """Press several keys in order, e.g. ``press_keys(3, "6", "confirm")``."""
        return [self.press(addr, key) for key in keys]

    def rate(self, addr: int, raw: int, fault: Fault | None = None) -> SentFrame | None:
        """Press an evaluator key: send FUNC 0x11 with DATA[0] = ``raw``."""
        return self.send_frame(addr, b.FUNC_RATING, bytes((raw,)), fault)

    def send_garbage(self, data: bytes) -> None:
        """Put raw bytes on the line (line noise, a foreign protocol)."""
        with self.lock:
            if self.silent:
                self.suppressed += 1
                return
        self.link.send(data)

    def unacked(self) -> list[SentFrame]:
        """Good frames the host has not echoed yet."""
        with self.lock:
            return [s for s in self.sent if s.fault is None and not s.acked]

    # -- host -> device ---------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Handle bytes from the host (the link calls this)."""
        for frame in self.parser.feed(data):
            self._handle(frame)

    def _handle(self, frame: b.Frame) -> None:
        answer = None
        with self.lock:
            self.host_frames.append(frame)
            if frame.func in b.HOST_FUNCS:
                answer = self._host_command(frame)
            else:
                self._ack(frame)
            self.lock.notify_all()
        if self.on_host_frame is not None:
            self.on_host_frame(frame)
        if answer is not None:
            self.rate(frame.addr, answer)

    def _ack(self, frame: b.Frame) -> None:
        for sent in self.sent:
            if sent.raw == frame.raw and not sent.acked:
                sent.acked_at = time.monotonic()
                return
        self.stray_echoes += 1

    def _host_command(self, frame: b.Frame) -> int | None:
        """Apply a host command to the device state; return an auto-rating to send."""
        if frame.func == b.FUNC_DISPLAY:
            self.displays[frame.addr] = b.decode_display(frame.data)
        elif frame.func == b.FUNC_BEEP:
            self.beeps[frame.addr] += 1
        elif frame.func == b.FUNC_RATE_NOW:
            self.prompts[frame.addr] = frame.data.decode("ascii", "replace")
            return self.auto_rate.get(frame.addr)
        elif frame.func == b.FUNC_THANK_YOU:
            self.prompts[frame.addr] = None
            self.thank_yous[frame.addr] += 1
        return None

    def wait(self, cond: Callable[[], bool], timeout: float) -> bool:
        """Block until ``cond()`` (checked under the lock) is true; False on timeout."""
        with self.lock:
            return self.lock.wait_for(cond, timeout)


def describe_frame(frame: b.Frame) -> dict:
    """A JSON-ready description of a frame heard from the host."""
    out: dict = {"addr": frame.addr, "func": HOST_FUNC_NAMES.get(frame.func, "echo")}
    if frame.func == b.FUNC_DISPLAY:
        out["text"] = b.decode_display(frame.data)
    elif frame.func == b.FUNC_RATE_NOW:
        out["ticket"] = frame.data.decode("ascii", "replace")
    out["raw"] = frame.raw.hex(" ")
    return out


# -- command line -------------------------------------------------------------


def _addr_value(default_kind: str) -> Callable[[str], tuple[str, int | None, str, str | None]]:
    """An argparse type for "[ADDR:]VALUE[:FAULT]" that tags the step kind."""

    def parse(text: str) -> tuple[str, int | None, str, str | None]:
        parts = text.split(":")
        fault = parts.pop() if parts[-1] in {f.value for f in Fault} else None
        if len(parts) == 1:
            return default_kind, None, parts[0], fault
        if len(parts) == 2 and parts[0].isdigit():
            return default_kind, int(parts[0]), parts[1], fault
        raise argparse.ArgumentTypeError(f"expected [ADDR:]VALUE[:FAULT], got {text!r}")

    return parse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``keypad`` simulator command to a CLI's subparsers."""
    p = subparsers.add_parser("keypad", help="simulate caller keypads and evaluators")
    p.add_argument("--port", required=True, help="pyserial URL or pty path (device end)")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--addr", type=int, default=1, help="address when a step names none")
    steps = dict(dest="steps", action="append", default=[])
    p.add_argument("--press", type=_addr_value("press"), metavar="[ADDR:]KEY[:FAULT]", **steps)
    p.add_argument("--rate", type=_addr_value("rate"), metavar="[ADDR:]RAW[:FAULT]", **steps)
    p.add_argument("--garbage", type=_addr_value("garbage"), metavar="HEX", **steps)
    p.add_argument("--auto-rate", action="append", default=[], metavar="ADDR:RAW")
    p.add_argument("--silent", action="store_true", help="send nothing (a dead device)")
    p.add_argument("--ack-timeout", type=float, default=2.0, help="seconds to wait per echo")
    p.add_argument("--listen", type=float, default=0.5, help="seconds to listen at the end")
    p.add_argument("--forever", action="store_true", help="keep listening until stopped")
    p.add_argument("--connect-timeout", type=float, default=5.0)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Play the scripted steps; print JSON lines; return 1 if an echo never came."""
    out = out or sys.stdout
    out_lock = threading.Lock()

    def emit(**event: object) -> None:
        with out_lock:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
            out.flush()

    auto = dict(tuple(int(x, 0) for x in item.split(":", 1)) for item in args.auto_rate)
    link = SerialLink(args.port, baudrate=args.baud, retry_initial=0.05, retry_max=0.5)
    connected = threading.Event()
    link.on_status = lambda status: connected.set() if status is DeviceStatus.OK else None
    sim = KeypadSim(
        link, auto_rate=auto, on_host_frame=lambda f: emit(event="host", **describe_frame(f))
    )
    sim.silent = args.silent
    link.start()
    try:
        if not connected.wait(args.connect_timeout):
            emit(event="error", message=f"cannot open {args.port}: {link.last_error}")
            return 2
        missing = 0
        for kind, addr, value, fault in args.steps:
            addr = args.addr if addr is None else addr
            try:
                if kind == "garbage":
                    sim.send_garbage(bytes.fromhex(value))
                    emit(event="garbage", raw=value)
                    continue
                fault_ = Fault(fault) if fault else None
                if kind == "press":
                    sent = sim.press(addr, value, fault_)
                else:
                    sent = sim.rate(addr, int(value, 0), fault_)
            except (DriverError, ValueError) as exc:
                emit(event="error", message=str(exc))
                return 2
            if sent is None:
                emit(event=kind, addr=addr, value=value, sent=False)
                continue
            emit(event=kind, addr=addr, value=value, fault=fault, raw=sent.raw.hex(" "))
            if fault is None:
                acked = sim.wait(lambda s=sent: s.acked, args.ack_timeout)
                emit(event="ack" if acked else "no_ack", addr=addr, raw=sent.raw.hex(" "))
                missing += not acked
        if not args.forever:
            time.sleep(args.listen)  # the CLI's listening window, not a test wait
        else:  # keep playing the devices until SIGTERM / Ctrl-C (make run)
            stop = threading.Event()
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
        return 1 if missing else 0
    finally:
        link.stop()
