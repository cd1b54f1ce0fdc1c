"""The Onbon BX-5K/6K frame envelope and the controller's reply (DEVICES.md §2a).

A frame on the wire is::

    A5 x8 | stuffed( header | data block | CRC-16/ARC LE ) | 5A

What each part rests on (public sources named in DEVICES.md §2a):

- sync 8 x A5, end 5A, the stuffing table: DEVICES.md §2a "A5 x8", "Byte stuffing";
  onbonlab/bx.k.java src/BxDataPack.java ``wrap()`` (WRAP_A5_NUM = 8, the four
  escapes); LuckyKoala/BX5KProtocol BX4K.c ``escape()`` / ``unescape()``.
- header dst u16, src u16 = 0x8000, 6 reserved bytes, devtype 0xFE, version 0x02,
  len u16, all little-endian: DEVICES.md §2a lines "dst u16" .. "len u16";
  BxDataPack.java ``pack()``; BX4K.h ``BX4KPackageHeader``.
- CRC-16/ARC over dst .. last data byte, before stuffing: DEVICES.md §2a "CRC-16/ARC";
  BX4K.c ``calcCRC()`` (table of poly 0xA001, init 0) and ``genFrame()``.
- reply: data block A0 00 (ACK) / A0 01 (NACK), error code u8, 2 reserved bytes:
  DEVICES.md §2a "Reply"; bx.k.java src/BxResp.java (group, cmd, error, r0, r1);
  the error codes: BX4K.h ``ERR_*`` (5 = CRC error).

The dynamic-area data block itself is in :mod:`hall.drivers.led.bx5`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hall.drivers.bytesplit import ByteSplitter
from hall.drivers.errors import FrameError

SYNC_BYTE = 0xA5
SYNC = bytes([SYNC_BYTE]) * 8
END = 0x5A
#: The host's address: ``src`` of every command, ``dst`` of every reply.
HOST_ADDRESS = 0x8000
BROADCAST = 0xFFFE
DEVTYPE_ANY = 0xFE  # BX4K.h DEVICE_WILDCARD; a 5K1 is 0x51
VERSION = 0x02  # BX4K.h PROTOCOL_DEFAULT

STUFFING: dict[int, bytes] = {
    0xA5: b"\xa6\x02",
    0xA6: b"\xa6\x01",
    0x5A: b"\x5b\x02",
    0x5B: b"\x5b\x01",
}
_UNSTUFFING: dict[bytes, int] = {v: k for k, v in STUFFING.items()}
_ESCAPES = frozenset(v[0] for v in STUFFING.values())
_FORBIDDEN = frozenset({SYNC_BYTE, END})

#: dst, src, 6 reserved (reserved x3, option, CRC mode, display mode), devtype, version, len.
HEADER = struct.Struct("<HH6sBBH")
_CRC = struct.Struct("<H")

REPLY_GROUP = 0xA0
REPLY_ACK, REPLY_NACK = 0x00, 0x01
_REPLY = struct.Struct("<BBBH")  # group, ACK/NACK, error code, 2 reserved


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
    return b"".join(STUFFING.get(b, bytes([b])) for b in data)


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


def wrap(dst: int, src: int, block: bytes) -> bytes:
    """The wire frame carrying data ``block`` from ``src`` to ``dst``.

    ValueError if an address is out of range or the block too long for len u16.
    """
    if len(block) > 0xFFFF:
        raise ValueError(f"bx5 data block too long: {len(block)} bytes, at most 65535")
    try:
        header = HEADER.pack(dst, src, bytes(6), DEVTYPE_ANY, VERSION, len(block))
    except struct.error as exc:
        raise ValueError(f"bx5 address out of range: {exc}") from None
    body = header + block
    return SYNC + stuff(body + _CRC.pack(crc16_arc(body))) + bytes([END])


@dataclass(frozen=True)
class Envelope:
    """A checked frame: its addresses, header bytes and data block."""

    dst: int
    src: int
    devtype: int
    version: int
    block: bytes


def unwrap(frame: bytes) -> Envelope:
    """Check sync, end, stuffing, CRC and length of one frame; return its envelope.

    Raises FrameError with the precise reason.
    """
    if not frame.startswith(SYNC):
        raise FrameError("missing sync: frame must start with 8 x A5")
    if not frame.endswith(bytes([END])) or len(frame) == len(SYNC):
        raise FrameError("missing end byte 0x5A")
    # "a receiver may take any run of A5 as the start": extra sync bytes are fine.
    body = unstuff(frame[:-1].lstrip(bytes([SYNC_BYTE])))
    if len(body) < HEADER.size + 2 + _CRC.size:
        raise FrameError(f"frame too short: {len(body)} bytes after unstuffing")
    (crc,) = _CRC.unpack(body[-2:])
    body = body[:-2]
    if crc16_arc(body) != crc:
        raise FrameError(f"bad CRC: got 0x{crc:04X}, computed 0x{crc16_arc(body):04X}")
    dst, src, _reserved, devtype, version, length = HEADER.unpack(body[: HEADER.size])
    block = body[HEADER.size :]
    if length != len(block):
        raise FrameError(f"bad length: field says {length}, block has {len(block)}")
    return Envelope(dst, src, devtype, version, block)


@dataclass(frozen=True)
class Bx5Reply:
    """A controller's answer to a command that asked for one."""

    dst: int
    src: int  # the screen that answers
    ack: bool
    error: int  # 0 = no error; BX4K.h ERR_* otherwise (e.g. 5 = CRC error)


def encode_reply(screen: int, ack: bool = True, error: int = 0) -> bytes:
    """The reply frame a controller at ``screen`` sends (the simulator plays the card)."""
    block = _REPLY.pack(REPLY_GROUP, REPLY_ACK if ack else REPLY_NACK, error, 0)
    return wrap(HOST_ADDRESS, screen, block)


def decode_reply(frame: bytes) -> Bx5Reply:
    """Decode a reply frame; FrameError if it is bad or not a reply."""
    env = unwrap(frame)
    block = env.block
    if len(block) != _REPLY.size or block[0] != REPLY_GROUP or block[1] > REPLY_NACK:
        raise FrameError(f"not a reply: data block {block[:8].hex(' ')}")
    _, code, error, _ = _REPLY.unpack(block)
    return Bx5Reply(env.dst, env.src, code == REPLY_ACK, error)


class Bx5Splitter(ByteSplitter):
    """Split a byte stream into candidate frames (sync run ... end byte).

    Feed it bytes with :meth:`push`; it returns a raw chunk when one is complete
    or cut short (a new sync run before the end byte), for :func:`unwrap` to
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
