"""Onbon BX-5/BX-6 LED controllers: the dynamic-area text frame (DEVICES.md 2a).

A frame on the wire is::

    A5 x8 | stuffed( header | command block | CRC-16/ARC LE ) | 5A

The field layout is partly unverified against real controllers, so it lives in
the two tables ``HEADER_FIELDS`` and ``COMMAND_FIELDS`` (and the stuffing table
``STUFFING``): correcting a field size or a constant is a one-line change there.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from hall.drivers.bytesplit import ByteSplitter
from hall.drivers.errors import FrameError

SYNC_BYTE = 0xA5
SYNC = bytes([SYNC_BYTE]) * 8
END = 0x5A
#: Host address the controller expects in ``src``.
HOST_ADDRESS = 0x8000
ENCODING = "gbk"

#: Byte stuffing between sync and end. A5 and 5A must never appear inside a frame,
#: so a receiver can always find frame boundaries. The 5A/5B pairs are unverified.
STUFFING: dict[int, bytes] = {
    0xA5: b"\xa6\x02",
    0xA6: b"\xa6\x01",
    0x5A: b"\x5b\x02",
    0x5B: b"\x5b\x01",
}
_UNSTUFFING: dict[bytes, int] = {v: k for k, v in STUFFING.items()}
_ESCAPES = frozenset(v[0] for v in STUFFING.values())
_FORBIDDEN = frozenset({SYNC_BYTE, END})


class Field(NamedTuple):
    """One fixed-size little-endian field: a struct code and, if constant, its value."""

    name: str
    code: str
    fixed: int | bytes | None = None
    #: Whether decode rejects a frame whose value differs from ``fixed``.
    checked: bool = True


HEADER_FIELDS: tuple[Field, ...] = (
    Field("dst", "H"),  # screen address
    Field("src", "H"),  # 0x8000 = the host
    Field("reserved_a", "6s", bytes(6), checked=False),
    Field("devtype", "B", 0xFE),  # 0xFE = any controller type
    Field("version", "B", 0x02),
    Field("length", "H"),  # length of the command block that follows (text included)
)

COMMAND_FIELDS: tuple[Field, ...] = (
    Field("group", "B", 0xA3),  # command group A3: area / dynamic data
    Field("command", "B", 0x06),  # 06: write dynamic area
    Field("reply", "B"),  # 0x01 reply wanted, 0x02 no reply
    Field("reserved_b", "2s", bytes(2), checked=False),
    Field("x", "H"),
    Field("y", "H"),
    Field("w", "H"),
    Field("h", "H"),
    Field("run_mode", "B"),
    Field("display_mode", "B"),
    Field("speed", "B"),
    Field("stay_time", "B"),  # unit unverified (seconds on BX-5 manuals)
    Field("text_length", "H"),  # unverified: u16 here; some firmware documents u32
)

_HEADER = struct.Struct("<" + "".join(f.code for f in HEADER_FIELDS))
_COMMAND = struct.Struct("<" + "".join(f.code for f in COMMAND_FIELDS))
_CRC = struct.Struct("<H")
REPLY_WANTED = 0x01
NO_REPLY = 0x02


class RunMode(IntEnum):
    """What the area does once the text has been shown (unverified numbering)."""

    LOOP = 0  # show again and again
    HOLD_LAST = 1  # stop on the last page
    LOOP_TIMEOUT = 2  # loop, clear when not refreshed within stay time


class DisplayMode(IntEnum):
    """How the text enters the area (BX-5 特技 numbering, unverified)."""

    STATIC = 1
    QUICK = 2
    SCROLL_LEFT = 3
    SCROLL_RIGHT = 4
    SCROLL_UP = 5
    SCROLL_DOWN = 6


@dataclass(frozen=True)
class Area:
    """A rectangle on the screen, in LED pixels."""

    x: int = 0
    y: int = 0
    w: int = 64
    h: int = 16


@dataclass(frozen=True)
class Bx5Frame:
    """A decoded dynamic-area frame."""

    dst: int
    src: int
    text: str
    area: Area
    run_mode: int
    display_mode: int
    speed: int
    stay_time: int
    reply: bool


def _crc16_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc16_table()


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: poly 0x8005 reflected (0xA001), init 0, no final xor."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def stuff(data: bytes) -> bytes:
    """Escape every sync/end/escape byte in ``data`` per ``STUFFING``."""
    out = bytearray()
    for byte in data:
        esc = STUFFING.get(byte)
        if esc is None:
            out.append(byte)
        else:
            out += esc
    return bytes(out)


def unstuff(data: bytes) -> bytes:
    """Undo :func:`stuff`; raise FrameError naming the offset of a bad sequence."""
    out = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte in _FORBIDDEN:
            raise FrameError(f"bad stuffing: unescaped 0x{byte:02X} inside frame at offset {i}")
        if byte in _ESCAPES:
            if i + 1 >= len(data):
                raise FrameError(f"bad stuffing: frame ends after escape byte 0x{byte:02X}")
            plain = _UNSTUFFING.get(data[i : i + 2])
            if plain is None:
                raise FrameError(
                    f"bad stuffing: 0x{byte:02X} followed by 0x{data[i + 1]:02X} at offset {i}"
                )
            out.append(plain)
            i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def _pack(fields: tuple[Field, ...], packer: struct.Struct, values: dict) -> bytes:
    args = [f.fixed if f.fixed is not None else values[f.name] for f in fields]
    try:
        return packer.pack(*args)
    except struct.error as exc:
        raise ValueError(f"bx5 field out of range: {exc}") from None


def _unpack(fields: tuple[Field, ...], packer: struct.Struct, data: bytes) -> dict:
    values = dict(zip((f.name for f in fields), packer.unpack(data), strict=True))
    for f in fields:
        if f.fixed is not None and f.checked and values[f.name] != f.fixed:
            raise FrameError(f"bad {f.name}: 0x{values[f.name]:02X}, expected 0x{f.fixed:02X}")
    return values


def encode_bx5(
    screen_addr: int,
    text: str,
    *,
    area: Area = Area(),
    run_mode: int = RunMode.HOLD_LAST,
    display_mode: int = DisplayMode.STATIC,
    speed: int = 1,
    stay_time: int = 10,
    reply: bool = False,
    src: int = HOST_ADDRESS,
) -> bytes:
    """Build the complete wire frame that shows ``text`` (GBK) in ``area``.

    Raises UnicodeEncodeError if the text has characters GBK cannot encode
    (callers such as LedBus replace those first) and ValueError if a field is
    out of range.
    """
    payload = text.encode(ENCODING)
    values = {
        "reply": REPLY_WANTED if reply else NO_REPLY,
        "x": area.x,
        "y": area.y,
        "w": area.w,
        "h": area.h,
        "run_mode": int(run_mode),
        "display_mode": int(display_mode),
        "speed": speed,
        "stay_time": stay_time,
        "text_length": len(payload),
    }
    command = _pack(COMMAND_FIELDS, _COMMAND, values) + payload
    header = _pack(HEADER_FIELDS, _HEADER, {"dst": screen_addr, "src": src, "length": len(command)})
    body = header + command
    return SYNC + stuff(body + _CRC.pack(crc16_arc(body))) + bytes([END])


def decode_bx5(frame: bytes) -> Bx5Frame:
    """Validate and decode one complete wire frame (sync to end byte).

    Raises FrameError with the precise reason: missing sync or end byte, bad
    stuffing, short frame, length mismatch, bad CRC, wrong command, bad text.
    """
    if not frame.startswith(SYNC):
        raise FrameError("missing sync: frame must start with 8 x A5")
    if not frame.endswith(bytes([END])) or len(frame) == len(SYNC):
        raise FrameError("missing end byte 0x5A")
    # Controllers accept extra sync bytes ahead of a frame; so do we.
    body = unstuff(frame[:-1].lstrip(bytes([SYNC_BYTE])))
    if len(body) < _HEADER.size + _COMMAND.size + _CRC.size:
        raise FrameError(f"frame too short: {len(body)} bytes after unstuffing")
    (crc,) = _CRC.unpack(body[-2:])
    body = body[:-2]
    if crc16_arc(body) != crc:
        raise FrameError(f"bad CRC: got 0x{crc:04X}, computed 0x{crc16_arc(body):04X}")
    head = _unpack(HEADER_FIELDS, _HEADER, body[: _HEADER.size])
    command = body[_HEADER.size :]
    if head["length"] != len(command):
        raise FrameError(f"bad length: field says {head['length']}, block has {len(command)}")
    cmd = _unpack(COMMAND_FIELDS, _COMMAND, command[: _COMMAND.size])
    payload = command[_COMMAND.size :]
    if cmd["text_length"] != len(payload):
        raise FrameError(f"bad text length: field says {cmd['text_length']}, got {len(payload)}")
    if cmd["reply"] not in (REPLY_WANTED, NO_REPLY):
        raise FrameError(f"bad reply flag: 0x{cmd['reply']:02X}")
    try:
        text = payload.decode(ENCODING)
    except UnicodeDecodeError as exc:
        raise FrameError(f"text is not GBK: {exc.reason} at byte {exc.start}") from None
    return Bx5Frame(
        dst=head["dst"],
        src=head["src"],
        text=text,
        area=Area(cmd["x"], cmd["y"], cmd["w"], cmd["h"]),
        run_mode=cmd["run_mode"],
        display_mode=cmd["display_mode"],
        speed=cmd["speed"],
        stay_time=cmd["stay_time"],
        reply=cmd["reply"] == REPLY_WANTED,
    )


class Bx5Splitter(ByteSplitter):
    """Split a byte stream into candidate frames (sync run ... end byte).

    Feed it bytes with :meth:`push`; it returns a raw chunk when one is complete
    or cut short (a new sync run before the end byte), for :func:`decode_bx5` to
    accept or reject. Stuffing guarantees A5 and 5A never occur inside a frame.
    """

    #: Longest frame accepted before the chunk is given up as garbage.
    MAX_FRAME = 4096

    def push(self, byte: int) -> bytes | None:
        """Take one byte; return a finished (or cut-short) chunk, else None."""
        buf = self._buf
        if byte == SYNC_BYTE:
            if buf and buf[-1] != SYNC_BYTE:
                # A new frame starts before the old one ended: hand over the stump.
                stump = bytes(buf)
                buf[:] = bytes([byte])
                return stump
            buf.append(byte)
            return None
        if not buf:
            self.garbage += 1
            return None
        buf.append(byte)
        if byte == END or len(buf) >= self.MAX_FRAME:
            chunk = bytes(buf)
            buf.clear()
            return chunk
        return None
