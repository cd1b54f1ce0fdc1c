"""ESC/POS both ways: a layout (:class:`Element` list) to bytes, a status byte to flags.

Chinese text goes in GB18030 inside FS & ... FS . (python-escpos has no CJK
code page); QR codes use the printer's own ``GS ( k`` commands. What a ticket
*says* is not here (``hall.kiosk.receipts``): this module prints what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from escpos.escpos import Escpos
from escpos.printer import Dummy

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
class Element:
    """One item of a printed layout: a text line, a QR code, a blank line or the cut."""

    kind: Literal["text", "qr", "feed", "cut"]
    text: str = ""
    align: Literal["left", "center", "right"] = "center"
    bold: bool = False
    double: bool = False


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
