"""Onbon BX-5 dynamic-area frames: exact bytes, round trips, rejected frames."""

import struct

import pytest

from hall.drivers.errors import FrameError
from hall.drivers.led.bx5 import (
    SYNC,
    Area,
    Bx5Splitter,
    DisplayMode,
    RunMode,
    crc16_arc,
    decode_bx5,
    encode_bx5,
    stuff,
    unstuff,
)


def ref_crc(data: bytes) -> int:
    """Bitwise CRC-16/ARC straight from its definition, independent of the driver."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def wire(body: bytes) -> bytes:
    """Sync + stuffed(body + CRC LE) + end: for crafting frames by hand."""
    return SYNC + stuff(body + struct.pack("<H", ref_crc(body))) + b"\x5a"


def test_crc_known_vector():
    assert ref_crc(b"123456789") == 0xBB3D
    assert crc16_arc(b"123456789") == 0xBB3D
    assert crc16_arc(b"") == 0


# Frame for screen 0x00A5, text "A1", default area and modes, worked out from DEVICES.md 2a.
BODY_A1 = bytes.fromhex(
    "a5 00"  # dst 0x00A5 LE (stuffed on the wire)
    "00 80"  # src 0x8000 LE
    "00 00 00 00 00 00"  # reserved
    "fe 02"  # devtype, version
    "15 00"  # len = 21: 2 cmd + 1 reply + 2 reserved + 8 area + 4 modes + 2 text len + 2 text
    "a3 06"  # dynamic area
    "02"  # no reply
    "00 00"  # reserved
    "00 00 00 00 40 00 10 00"  # X=0 Y=0 W=64 H=16
    "01 01 01 0a"  # run mode hold-last, static, speed 1, stay 10 s
    "02 00"  # text length 2
    "41 31"  # "A1"
)


def test_exact_bytes_with_stuffed_address_and_crc():
    assert ref_crc(BODY_A1) == 0xCAEB
    expected = (
        b"\xa5" * 8
        + b"\xa6\x02"  # A5 stuffed
        + BODY_A1[1:]
        + b"\xeb\xca"  # CRC-16/ARC LE
        + b"\x5a"
    )
    assert encode_bx5(0xA5, "A1") == expected


def test_exact_bytes_with_stuffed_text_and_crc():
    # Screen 1, text "ァ" = GBK A5 A1: the A5 inside the text must be stuffed.
    body = b"\x01\x00" + BODY_A1[2:-4] + b"\x02\x00" + b"\xa5\xa1"
    crc = struct.pack("<H", ref_crc(body))
    assert crc == b"\x35\x75" and not set(crc) & {0xA5, 0xA6, 0x5A, 0x5B}
    expected = SYNC + body.replace(b"\xa5", b"\xa6\x02") + crc + b"\x5a"
    assert encode_bx5(1, "ァ") == expected


@pytest.mark.parametrize(
    "addr,text",
    [
        (1, "A001 请到3号窗口"),
        (0xA5A6, "暂停服务"),
        (0x5A5B, "ZZ[[ 请Z001号"),
        (99, "A003 请到5号窗口  A002 请到12号窗口"),
        (7, ""),
        (0xFFFF, "ァィゥ·Ω"),
    ],
)
def test_round_trip(addr, text):
    frame = encode_bx5(
        addr,
        text,
        area=Area(8, 16, 128, 32),
        run_mode=RunMode.LOOP,
        display_mode=DisplayMode.SCROLL_LEFT,
        speed=3,
        stay_time=200,
        reply=True,
    )
    inner = frame[8:-1]
    assert 0xA5 not in inner and 0x5A not in inner
    got = decode_bx5(frame)
    assert (got.dst, got.src, got.text) == (addr, 0x8000, text)
    assert got.area == Area(8, 16, 128, 32)
    assert (got.run_mode, got.display_mode, got.speed, got.stay_time) == (0, 3, 3, 200)
    assert got.reply is True


def test_extra_sync_bytes_accepted():
    assert decode_bx5(b"\xa5\xa5" + encode_bx5(3, "好")).text == "好"


def _good_body(text: bytes = b"A1", length: int | None = None, cmd: bytes = b"\xa3\x06") -> bytes:
    block = cmd + b"\x02\x00\x00" + bytes.fromhex("0000000040001000") + b"\x01\x01\x01\x0a"
    block += struct.pack("<H", len(text)) + text
    n = len(block) if length is None else length
    return b"\x01\x00\x00\x80" + bytes(6) + b"\xfe\x02" + struct.pack("<H", n) + block


def _flip_crc(frame: bytes) -> bytes:
    body = unstuff(frame[8:-1])
    return SYNC + stuff(body[:-2] + bytes([body[-2] ^ 1, body[-1]])) + b"\x5a"


@pytest.mark.parametrize(
    "frame,reason",
    [
        (b"\xa5" * 7 + encode_bx5(1, "A")[8:], "missing sync"),
        (encode_bx5(1, "A")[:-1], "missing end byte"),
        (SYNC, "missing end byte"),
        (SYNC + b"\x5a", "frame too short"),
        (_flip_crc(encode_bx5(1, "A1")), "bad CRC"),
        (SYNC + b"\x01\xa6\x03\x00" + b"\x5a", "bad stuffing: 0xA6 followed by 0x03"),
        (SYNC + b"\x01\x5b\x00" + b"\x5a", "bad stuffing: 0x5B followed by 0x00"),
        (SYNC + b"\x01\x02\xa6" + b"\x5a", "bad stuffing: frame ends after escape byte 0xA6"),
        (SYNC + b"\x01\xa5\x02" + b"\x5a", "unescaped 0xA5 inside frame at offset 1"),
        (SYNC + b"\x01\x02\x03" + b"\x5a", "frame too short"),
        (wire(_good_body(length=99)), "bad length: field says 99"),
        (wire(_good_body(cmd=b"\xa3\x07")), "bad command: 0x07, expected 0x06"),
        (wire(_good_body(cmd=b"\xa4\x06")), "bad group: 0xA4, expected 0xA3"),
        (wire(_good_body(text=b"\xc7")), "text is not GBK"),
        (wire(_good_body()[:-4] + b"\x05\x00A1"), "bad text length: field says 5, got 2"),
        (wire(_good_body()[:2] + b"\x00\x81" + _good_body()[4:]), None),
    ],
)
def test_malformed_frames_rejected(frame, reason):
    if reason is None:  # another src is allowed: only the layout constants are checked
        assert decode_bx5(frame).src == 0x8100
        return
    with pytest.raises(FrameError, match=reason.replace("(", r"\(")):
        decode_bx5(frame)


def test_encode_rejects_out_of_range_and_non_gbk():
    with pytest.raises(ValueError, match="out of range"):
        encode_bx5(0x10000, "A")
    with pytest.raises(UnicodeEncodeError):
        encode_bx5(1, "😀")


def test_splitter_finds_frames_in_a_noisy_stream():
    a, b = encode_bx5(1, "一"), encode_bx5(2, "二")
    splitter = Bx5Splitter()
    chunks = splitter.feed(b"\x00\x11" + a + b"zz" + b[:15] + b)
    assert splitter.garbage == 4
    assert chunks[0] == a and chunks[2] == b
    with pytest.raises(FrameError, match="missing end byte"):
        decode_bx5(chunks[1])
    assert splitter.idle
