"""Bus master for caller keypads (呼叫器) and evaluators (评价器) on one RS-485 bus.

The host echoes every valid device frame back as its acknowledgement; bad
frames are dropped and counted, never acted on (DEVICES.md section 1). Key
presses become ``KeyCommand`` events and ratings ``RatingEvent`` events,
delivered to callbacks on the link's reader thread. ``EvaluatorSessions`` adds
the "no key within N seconds -> 未评价" rule on top.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from hall.drivers import bus485 as b
from hall.drivers.errors import DriverError
from hall.drivers.port import SerialLink
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)


class Command(StrEnum):
    """What a window clerk asked for on a caller keypad."""

    CALL_NEXT = "call_next"
    RECALL = "recall"
    FINISH = "finish"  # finish the case and ask for a rating
    PAUSE_TOGGLE = "pause_toggle"
    TRANSFER = "transfer"
    NO_SHOW = "no_show"
    HOLD = "hold"
    CALL_BACK = "call_back"


#: Single keys that are commands by themselves.
KEY_COMMANDS = {
    b.KEY_CALL_NEXT: Command.CALL_NEXT,
    b.KEY_RECALL: Command.RECALL,
    b.KEY_FINISH: Command.FINISH,
    b.KEY_PAUSE: Command.PAUSE_TOGGLE,
    b.KEY_TRANSFER: Command.TRANSFER,
}
#: Digits typed before the confirm key (0x0F).
DIGIT_COMMANDS = {"6": Command.NO_SHOW, "0": Command.HOLD, "3": Command.CALL_BACK}
MAX_DIGITS = 6

#: The national five-level rule; evaluators send DATA[0] = level.
RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
UNRATED = "未评价"


@dataclass(frozen=True)
class KeyCommand:
    """A command from the caller keypad at ``addr``."""

    addr: int
    command: Command


@dataclass(frozen=True)
class RatingEvent:
    """A rating key from the evaluator at ``addr``; ``level`` is 1..5."""

    addr: int
    level: int
    raw: int
    mapped_from_4key: bool


@dataclass
class BusDevice:
    """What the host knows about one bus address. Times are wall-clock."""

    addr: int
    kind: str = "unknown"  # "caller", "evaluator" or "unknown"
    frames_ok: int = 0
    frames_bad: int = 0  # bad frames whose address byte named this device
    unknown_keys: int = 0
    bad_ratings: int = 0
    last_frame: float | None = None


def check_four_key_map(mapping: Mapping[int, int]) -> dict[int, int]:
    """Validate a 4-key evaluator's raw (0..3) -> level (1..5) mapping."""
    for raw, level in mapping.items():
        if not 0 <= raw <= 3 or level not in RATING_LEVELS:
            raise ValueError(f"4-key mapping {raw}->{level}: need raw 0..3 and level 1..5")
    return dict(mapping)


class KeypadBus:
    """Host end of the keypad/evaluator bus over a ``SerialLink``.

    ``four_key`` maps the address of each 4-key evaluator to its raw -> level
    mapping; every other evaluator is taken to send levels 1..5. The bus sets
    ``link.on_bytes``; callbacks run on the link's reader thread.
    """

    def __init__(
        self,
        link: SerialLink,
        *,
        on_command: Callable[[KeyCommand], None] | None = None,
        on_rating: Callable[[RatingEvent], None] | None = None,
        four_key: Mapping[int, Mapping[int, int]] | None = None,
    ) -> None:
        """Attach to ``link``; start the link separately."""
        self.link = link
        self.on_command = on_command
        self.on_rating = on_rating
        self.four_key = {addr: check_four_key_map(m) for addr, m in (four_key or {}).items()}
        self.parser = b.FrameParser(on_bad=self._on_bad)
        self._lock = threading.Lock()
        self._digits: dict[int, str] = {}
        self._devices: dict[int, BusDevice] = {
            addr: BusDevice(addr, kind="evaluator") for addr in self.four_key
        }
        self.unknown_funcs = 0
        self.host_frames_heard = 0  # host-function frames read back from the bus
        self.echo_failures = 0
        link.on_bytes = self.feed

    @property
    def status(self) -> DeviceStatus:
        """The bus is as reachable as its port."""
        return self.link.status

    def devices(self) -> dict[int, BusDevice]:
        """A snapshot of every address seen (or configured), for the device list."""
        with self._lock:
            return {addr: replace(dev) for addr, dev in self._devices.items()}

    # -- device -> host -------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Handle received bytes (the link calls this; tests may too)."""
        with self._lock:
            frames = self.parser.feed(data)
        for frame in frames:
            self._handle(frame)

    def _handle(self, frame: b.Frame) -> None:
        if frame.func in b.HOST_FUNCS:
            # Our own frame heard back on a half-duplex bus: echoing it would loop.
            self.host_frames_heard += 1
            return
        self._send(frame.raw, echo=True)
        with self._lock:
            dev = self._device(frame.addr)
            dev.frames_ok += 1
            dev.last_frame = time.time()
            event: KeyCommand | RatingEvent | None = None
            if frame.func == b.FUNC_CALLER_KEY:
                dev.kind = "caller"
                event = self._key(dev, frame.data[-1] if frame.data else None)
            elif frame.func == b.FUNC_RATING:
                dev.kind = "evaluator"
                event = self._rating(dev, frame.data[0] if frame.data else None)
            else:
                self.unknown_funcs += 1
                log.info("bus addr %d: unknown function 0x%02x", frame.addr, frame.func)
        if isinstance(event, KeyCommand):
            self._emit(self.on_command, event)
        elif isinstance(event, RatingEvent):
            self._emit(self.on_rating, event)

    def _key(self, dev: BusDevice, key: int | None) -> KeyCommand | None:
        digits = self._digits.get(dev.addr, "")
        if key in b.DIGIT_KEYS:
            self._digits[dev.addr] = (digits + str(key))[-MAX_DIGITS:]
            return None
        self._digits.pop(dev.addr, None)  # confirm or any non-digit key ends the entry
        command = DIGIT_COMMANDS.get(digits) if key == b.KEY_CONFIRM else KEY_COMMANDS.get(key)
        if command is None:
            dev.unknown_keys += 1
            log.info("caller %d: unknown key %r after digits %r", dev.addr, key, digits)
            return None
        return KeyCommand(dev.addr, command)

    def _rating(self, dev: BusDevice, raw: int | None) -> RatingEvent | None:
        mapping = self.four_key.get(dev.addr)
        if mapping is not None:
            level = mapping.get(raw)
        else:
            level = raw if raw in RATING_LEVELS else None
        if level is None or raw is None:
            dev.bad_ratings += 1
            log.info("evaluator %d: rating %r out of range", dev.addr, raw)
            return None
        return RatingEvent(dev.addr, level, raw, mapped_from_4key=mapping is not None)

    def _on_bad(self, reason: str, raw: bytes) -> None:
        # Called under self._lock from parser.feed. Blame an address only if the
        # header got that far and the address is one we already know.
        if len(raw) > 5 and raw[5] in self._devices:
            self._devices[raw[5]].frames_bad += 1

    def _device(self, addr: int) -> BusDevice:
        if addr not in self._devices:
            self._devices[addr] = BusDevice(addr)
        return self._devices[addr]

    @staticmethod
    def _emit(callback: Callable | None, event: object) -> None:
        if callback is None:
            return
        try:
            callback(event)
        except Exception:  # one failing listener must not lose later frames
            log.exception("keypad bus callback failed for %r", event)

    # -- host -> device ---------------------------------------------------------

    def show_number(self, addr: int, text: str | int) -> bytes:
        """Show the ticket number served on a caller keypad, right-aligned (``display_digits``)."""
        return self._send(b.encode_frame(addr, b.FUNC_DISPLAY, b.display_digits(text)))

    def show_waiting(self, addr: int, count: int) -> bytes:
        """Show how many are waiting on a caller keypad, left-aligned (see ``display_count``)."""
        return self._send(b.encode_frame(addr, b.FUNC_DISPLAY, b.display_count(count)))

    def beep(self, addr: int) -> bytes:
        """Make a caller keypad beep."""
        return self._send(b.encode_frame(addr, b.FUNC_BEEP))

    def ask_rating(self, addr: int, ticket_number: str) -> bytes:
        """Tell an evaluator to ask for a rating of ``ticket_number`` (ASCII, e.g. "A001")."""
        try:
            data = ticket_number.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError(f"ticket number {ticket_number!r} is not ASCII") from None
        return self._send(b.encode_frame(addr, b.FUNC_RATE_NOW, data))

    def thank_you(self, addr: int) -> bytes:
        """Put an evaluator into "thank you / idle"."""
        return self._send(b.encode_frame(addr, b.FUNC_THANK_YOU))

    def _send(self, frame: bytes, echo: bool = False) -> bytes:
        if not echo:
            self.link.send(frame)  # DeviceOffline reaches the caller
            return frame
        try:
            self.link.send(frame)
        except DriverError as exc:
            self.echo_failures += 1
            log.warning("could not acknowledge %s: %s", frame.hex(" "), exc)
        return frame
