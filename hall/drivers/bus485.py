"""Frame codec for the RS-485 caller/evaluator keypad bus (DEVICES.md section 1).

Wire format, 9600 8N1::

    FF 68 L L 68 ADDR FUNC DATA... CS 16
    L  = 2 + len(DATA)             one byte, written twice
    CS = (ADDR + FUNC + sum(DATA)) mod 256

So a frame is ``L + 7`` bytes long: five header bytes, L bytes of
ADDR/FUNC/DATA, the checksum and the end byte.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

PREAMBLE = 0xFF
START = 0x68
END = 0x16
#: FF 68 opens every frame; the parser resynchronises on this pair.
SYNC = bytes((PREAMBLE, START))
HEADER_LEN = 5  # FF 68 L L 68
TRAILER_LEN = 2  # CS 16
MIN_L = 2  # ADDR + FUNC, no data
MAX_DATA = 0xFF - MIN_L  # L is one byte
MAX_FRAME_LEN = HEADER_LEN + 0xFF + TRAILER_LEN

# Function codes, device -> host.
FUNC_CALLER_KEY = 0x01  # caller keypad key press; last DATA byte is the key
FUNC_RATING = 0x11  # evaluator rating; DATA[0] is the rating
# Function codes, host -> device.
FUNC_DISPLAY = 0x02  # keypad display: six digit bytes
FUNC_BEEP = 0x03
FUNC_RATE_NOW = 0x10  # evaluator "rate this case now"; DATA = ticket number, ASCII
FUNC_THANK_YOU = 0x14  # evaluator "thank you / idle"

DEVICE_FUNCS = frozenset({FUNC_CALLER_KEY, FUNC_RATING})
HOST_FUNCS = frozenset({FUNC_DISPLAY, FUNC_BEEP, FUNC_RATE_NOW, FUNC_THANK_YOU})

# Caller key codes (last DATA byte of a FUNC 0x01 frame); 0x00..0x09 are digits.
KEY_FINISH = 0x0B  # finish this case and ask for a rating
KEY_CALL_NEXT = 0x0C
KEY_RECALL = 0x0D
KEY_CONFIRM = 0x0F  # ends a digit command: 6 no-show, 0 hold, 3 call back
KEY_PAUSE = 0x12  # pause / resume the window
KEY_TRANSFER = 0x13
DIGIT_KEYS = range(0x00, 0x0A)

# Keypad display (FUNC 0x02): six digit bytes, each 0..9 or 0x0A for blank.
DISPLAY_WIDTH = 6
DISPLAY_BLANK = 0x0A


def checksum(addr: int, func: int, data: Iterable[int]) -> int:
    """Return CS = (ADDR + FUNC + sum(DATA)) mod 256."""
    return (addr + func + sum(data)) & 0xFF


def encode_frame(addr: int, func: int, data: bytes | Iterable[int] = b"") -> bytes:
    """Encode one bus frame; raise ValueError for out-of-range fields."""
    data = bytes(data)
    if not 0 <= addr <= 0xFF:
        raise ValueError(f"address {addr} is not a byte")
    if not 0 <= func <= 0xFF:
        raise ValueError(f"function code {func} is not a byte")
    if len(data) > MAX_DATA:
        raise ValueError(f"{len(data)} data bytes; a frame holds at most {MAX_DATA}")
    length = MIN_L + len(data)
    return (
        bytes((PREAMBLE, START, length, length, START, addr, func))
        + data
        + bytes((checksum(addr, func, data), END))
    )


@dataclass(frozen=True)
class Frame:
    """One valid frame: its fields and the exact bytes it arrived as."""

    addr: int
    func: int
    data: bytes
    raw: bytes


def display_digits(text: str | int) -> bytes:
    """Turn the ticket number served into the six digit bytes of FUNC 0x02.

    The keypad display has digits only. Each character maps to one position:
    a digit to its value, anything else (the letter of "A001", spaces) to
    blank (0x0A), so "A001" shows as a gap then 001. The result is
    right-aligned and padded with blanks; text longer than six characters keeps
    its last six, the serial digits that matter at the window.
    """
    cells = [int(ch) if ch in "0123456789" else DISPLAY_BLANK for ch in str(text)]
    cells = cells[-DISPLAY_WIDTH:]
    return bytes([DISPLAY_BLANK] * (DISPLAY_WIDTH - len(cells)) + cells)


def display_count(count: int) -> bytes:
    """Turn the count waiting into the six digit bytes of FUNC 0x02, left-aligned.

    DEVICES.md §1: the real devices show the count left-aligned (d d d 0A 0A 0A)
    and the number served right-aligned (:func:`display_digits`). A count of a
    million or more shows as 999999.
    """
    if count < 0:
        raise ValueError(f"a waiting count cannot be negative, got {count}")
    cells = [int(ch) for ch in str(min(count, 10**DISPLAY_WIDTH - 1))]
    return bytes(cells + [DISPLAY_BLANK] * (DISPLAY_WIDTH - len(cells)))


def decode_display(data: bytes) -> str:
    """Render display digit bytes as text: digits as themselves, blank as a space."""
    return "".join(str(b) if b <= 9 else " " for b in data)


class FrameParser:
    """Split a byte stream into frames, Packetizer-style.

    ``feed()`` returns the complete valid frames found so far and keeps any
    partial frame for the next call. Garbage before a frame is skipped and
    counted in ``bytes_skipped``. A candidate frame with a bad length,
    mismatched L bytes, bad checksum or a missing end byte is dropped and
    counted in ``frames_bad``; the parser then resumes one byte after its start,
    so a truncated frame never swallows a good one that follows it.
    """

    def __init__(self, on_bad: Callable[[str, bytes], None] | None = None) -> None:
        """``on_bad(reason, raw)`` is called for every dropped frame, if given."""
        self._buf = bytearray()
        self._on_bad = on_bad
        self.frames_ok = 0
        self.frames_bad = 0
        self.bytes_skipped = 0
        self.last_bad_reason: str | None = None
        self.bad_reasons: Counter[str] = Counter()

    def reset(self) -> None:
        """Forget any partial frame (e.g. after the port reconnects)."""
        self._buf.clear()

    @property
    def pending(self) -> int:
        """Bytes held back as the start of a frame not yet complete."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return the frames they complete, in order."""
        self._buf.extend(data)
        frames: list[Frame] = []
        while True:
            start = self._buf.find(SYNC)
            if start < 0:
                # Keep a trailing FF: it may be the first half of the next sync.
                keep = 1 if self._buf[-1:] == bytes((PREAMBLE,)) else 0
                self._skip(len(self._buf) - keep)
                break
            self._skip(start)
            verdict, size = self._check(self._buf)
            if verdict == "ok":
                raw = bytes(self._buf[:size])
                del self._buf[:size]
                self.frames_ok += 1
                frames.append(Frame(raw[5], raw[6], raw[7:-2], raw))
            elif verdict == "short":
                later = self._complete_frame_after(1)
                if later is None:
                    break
                # The candidate can only be cut short: a whole frame starts inside it.
                self._bad("truncated", bytes(self._buf[:later]))
                del self._buf[:later]
            else:
                self._bad(verdict, bytes(self._buf[:size]))
                del self._buf[:1]
        return frames

    @staticmethod
    def _check(buf: bytes | bytearray) -> tuple[str, int]:
        """Judge the candidate at buf[0]: ("ok"|"short"|reason, frame size)."""
        if len(buf) < HEADER_LEN:
            return "short", 0
        length = buf[2]
        if buf[3] != length:
            return "length bytes differ", HEADER_LEN
        if buf[4] != START:
            return "no second 0x68", HEADER_LEN
        if length < MIN_L:
            return "length too small", HEADER_LEN
        size = HEADER_LEN + length + TRAILER_LEN
        if len(buf) < size:
            return "short", size
        if buf[size - 1] != END:
            return "no 0x16 end", size
        if checksum(buf[5], buf[6], buf[7 : size - 2]) != buf[size - 2]:
            return "bad checksum", size
        return "ok", size

    def _complete_frame_after(self, offset: int) -> int | None:
        """Index of the first complete valid frame at or after ``offset``, if any."""
        pos = self._buf.find(SYNC, offset)
        while pos >= 0:
            if self._check(bytes(self._buf[pos : pos + MAX_FRAME_LEN]))[0] == "ok":
                return pos
            pos = self._buf.find(SYNC, pos + 1)
        return None

    def _skip(self, n: int) -> None:
        if n > 0:
            self.bytes_skipped += n
            del self._buf[:n]

    def _bad(self, reason: str, raw: bytes) -> None:
        self.frames_bad += 1
        self.last_bad_reason = reason
        self.bad_reasons[reason] += 1
        log.debug("dropped bad frame (%s): %s", reason, raw.hex(" "))
        if self._on_bad is not None:
            self._on_bad(reason, raw)
