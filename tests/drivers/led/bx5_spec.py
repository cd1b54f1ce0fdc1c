"""An independent reading of DEVICES.md §2a, for checking what the driver puts on the wire.

Written from the spec text only: it imports nothing from hall.drivers, so a
mistake shared by the driver and its simulator (both use hall.drivers.led.bx5)
cannot hide here. It decodes the dynamic-area command and the controller's
reply, and can build a reply (the tests play the controller with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SYNC, END = 0xA5, 0x5A
# "Byte stuffing between sync and end: A5 → A6 02, A6 → A6 01, 5A → 5B 02, 5B → 5B 01."
UNSTUFF = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}
STUFF = {v: bytes(k) for k, v in UNSTUFF.items()}


def crc_arc(data: bytes) -> int:
    """CRC-16/ARC as the spec gives it: poly 0xA001 reflected, init 0, bit by bit."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class Reader:
    """Little-endian fields read one after another ("Multi-byte values are little-endian")."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        assert self.pos + n <= len(self.data), f"short: want {n} at {self.pos} of {len(self.data)}"
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")


@dataclass
class SpecArea:
    """One area record, X and W already turned into pixels for the model."""

    area_type: int
    x: int
    y: int
    w: int
    h: int
    raw_x: int
    raw_w: int
    area_id: int
    line_space: int
    run_mode: int
    timeout: int
    sound: int
    ext_len: int
    align: int
    single_line: int
    new_line: int
    display_mode: int
    exit_mode: int
    speed: int
    stay: int
    text: str


@dataclass
class SpecFrame:
    """A decoded dynamic-area command."""

    dst: int
    src: int
    reserved: bytes
    devtype: int
    version: int
    reply: int
    process_mode: int
    reserved_b: int
    deleted: list[int]
    areas: list[SpecArea] = field(default_factory=list)


def frames_in(stream: bytes) -> list[bytes]:
    """Cut a byte stream into frames: a run of A5 starts one, 5A ends it."""
    out, i = [], 0
    while True:
        start = stream.find(bytes([SYNC]), i)
        if start < 0:
            return out
        end = stream.find(bytes([END]), start)
        if end < 0:
            return out
        out.append(stream[start : end + 1])
        i = end + 1


def _body(frame: bytes) -> bytes:
    """Sync run and end byte off, stuffing undone, CRC checked and cut off."""
    assert frame[:8] == bytes([SYNC]) * 8, "8 x A5 sync"
    assert frame[-1] == END, "5A end"
    inner = frame[:-1].lstrip(bytes([SYNC]))
    plain, i = bytearray(), 0
    while i < len(inner):
        if inner[i] in (0xA6, 0x5B):
            plain.append(UNSTUFF[(inner[i], inner[i + 1])])
            i += 2
        else:
            assert inner[i] not in (SYNC, END), "unstuffed A5/5A inside a frame"
            plain.append(inner[i])
            i += 1
    body, crc = bytes(plain[:-2]), int.from_bytes(plain[-2:], "little")
    assert crc_arc(body) == crc, f"CRC {crc:04x}, computed {crc_arc(body):04x}"
    return body


def _envelope(r: Reader) -> tuple[int, int, bytes, int, int, bytes]:
    dst, src, reserved = r.u(2), r.u(2), r.take(6)
    devtype, version, length = r.u(1), r.u(1), r.u(2)
    block = r.take(length)
    assert r.pos == len(r.data), "len u16 must cover exactly A3 .. last text byte"
    return dst, src, reserved, devtype, version, block


def decode(frame: bytes, model: str) -> SpecFrame:
    """Decode a dynamic-area command; ``model`` is "5K" or "6K" (units of X and W)."""
    dst, src, reserved, devtype, version, block = _envelope(Reader(_body(frame)))
    r = Reader(block)
    assert (r.u(1), r.u(1)) == (0xA3, 0x06), "0xA3 0x06: dynamic area"
    out = SpecFrame(dst, src, reserved, devtype, version, r.u(1), r.u(1), r.u(1), [])
    out.deleted = list(r.take(r.u(1)))
    for _ in range(r.u(1)):
        length = r.u(2)
        a = Reader(r.take(length))
        area_type, raw_x, y, raw_w, h = a.u(1), a.u(2), a.u(2), a.u(2), a.u(2)
        if model == "5K":  # "BX-5K: X and W in units of 8 pixels, Y and H in pixels."
            x, w = raw_x * 8, raw_w * 8
        else:  # "BX-6K: pixels (published 6K frames set bit 15 of X and W)."
            assert raw_x & 0x8000 and raw_w & 0x8000, "6K: bit 15 of X and W"
            x, w = raw_x & 0x7FFF, raw_w & 0x7FFF
        fields = [a.u(1), a.u(1), a.u(1), a.u(2)]  # area_id, line_space, run_mode, timeout
        fields += [a.u(1) for _ in range(9)]  # sound, ext_len, align .. speed, stay
        text = a.take(a.u(4)).decode("gbk")
        assert a.pos == length, "area_len covers the record after it exactly"
        out.areas.append(SpecArea(area_type, x, y, w, h, raw_x, raw_w, *fields, text))
    assert r.pos == len(block), "nothing after the last area"
    return out


@dataclass
class SpecReply:
    """The controller's answer: ACK (A0 00) or NACK (A0 01) and an error code."""

    dst: int
    src: int
    ack: bool
    error: int


def decode_reply(frame: bytes) -> SpecReply:
    """Decode a reply frame (same envelope, data block A0 00|01, error u8, 2 reserved)."""
    dst, src, _, _, _, block = _envelope(Reader(_body(frame)))
    assert len(block) == 5 and block[0] == 0xA0 and block[1] in (0, 1), block.hex(" ")
    return SpecReply(dst, src, block[1] == 0, block[2])


def encode_reply(screen: int, ack: bool = True, error: int = 0) -> bytes:
    """The reply a controller at ``screen`` sends to the host (dst 0x8000)."""
    block = bytes([0xA0, 0 if ack else 1, error, 0, 0])
    body = (
        (0x8000).to_bytes(2, "little")
        + screen.to_bytes(2, "little")
        + bytes(6)
        + bytes([0xFE, 0x02])
        + len(block).to_bytes(2, "little")
        + block
    )
    body += crc_arc(body).to_bytes(2, "little")
    stuffed = b"".join(STUFF.get(b, bytes([b])) for b in body)
    return bytes([SYNC]) * 8 + stuffed + bytes([END])
