"""Simple line LED boards: ``02 ADDR TEXT 03`` (DEVICES.md 2b).

STX, one address byte, the text in GBK, ETX. There is no checksum and no reply;
the sender leaves the configured inter-frame gap after each frame. GBK never
uses bytes below 0x40 inside a two-byte character, so STX and ETX cannot occur
in encoded text unless the text itself holds those control characters, which
:func:`encode_line` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from hall.drivers.bytesplit import ByteSplitter
from hall.drivers.errors import FrameError

STX = 0x02
ETX = 0x03
ENCODING = "gbk"
#: Longest text (bytes) the splitter waits for before it gives a frame up.
MAX_TEXT = 1024


@dataclass(frozen=True)
class LineFrame:
    """A decoded line frame."""

    addr: int
    text: str


def encode_line(addr: int, text: str) -> bytes:
    """Return the frame showing ``text`` on the board at ``addr`` (0..255).

    Raises UnicodeEncodeError for characters GBK cannot encode and ValueError
    for a bad address or text holding STX/ETX.
    """
    if not 0 <= addr <= 0xFF:
        raise ValueError(f"line board address must be 0..255, got {addr}")
    payload = text.encode(ENCODING)
    if STX in payload or ETX in payload:
        raise ValueError("line board text must not contain STX (0x02) or ETX (0x03)")
    return bytes([STX, addr]) + payload + bytes([ETX])


def decode_line(frame: bytes) -> LineFrame:
    """Validate and decode one frame; raise FrameError with the reason."""
    if not frame or frame[0] != STX:
        raise FrameError("missing STX (0x02) at start of line frame")
    if len(frame) < 3:
        raise FrameError(f"line frame too short: {len(frame)} bytes")
    if frame[-1] != ETX:
        raise FrameError("missing ETX (0x03) at end of line frame")
    payload = frame[2:-1]
    for name, byte in (("STX", STX), ("ETX", ETX)):
        pos = payload.find(byte)
        if pos >= 0:
            raise FrameError(f"{name} inside line frame text at offset {pos + 2}")
    try:
        text = payload.decode(ENCODING)
    except UnicodeDecodeError as exc:
        raise FrameError(f"text is not GBK: {exc.reason} at byte {exc.start + 2}") from None
    return LineFrame(addr=frame[1], text=text)


class LineSplitter(ByteSplitter):
    """Split a byte stream into candidate line frames (STX ADDR ... ETX).

    :meth:`push` takes one byte and returns a raw chunk when a frame is complete
    or was cut short by a new STX, for :func:`decode_line` to accept or reject.
    The byte after STX is always the address, whatever its value (address 2 or 3
    is legal).
    """

    def push(self, byte: int) -> bytes | None:
        """Take one byte; return a finished (or cut-short) chunk, else None."""
        buf = self._buf
        if not buf:
            if byte == STX:
                buf.append(byte)
            else:
                self.garbage += 1
            return None
        if len(buf) == 1:  # the address byte
            buf.append(byte)
            return None
        if byte == STX:
            stump = bytes(buf)
            buf[:] = bytes([byte])
            return stump
        buf.append(byte)
        if byte == ETX or len(buf) > MAX_TEXT + 2:
            chunk = bytes(buf)
            buf.clear()
            return chunk
        return None
