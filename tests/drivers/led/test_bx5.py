"""Onbon BX-5K/6K dynamic-area frames: the worked example, both models, replies, bad frames.

The expected bytes come from DEVICES.md §2a; ``bx5_spec`` is an independent
decoder written from that text (it imports nothing from the driver).
"""

import struct

import pytest

from hall.drivers.errors import FrameError
from hall.drivers.led.bx5 import (
    SYNC,
    Align,
    Area,
    AreaSettings,
    Bx5Splitter,
    DisplayMode,
    RunMode,
    crc16_arc,
    decode_bx5,
    decode_reply,
    encode_bx5,
    encode_reply,
    stuff,
    unstuff,
)
from tests.drivers.led import bx5_spec as spec

# DEVICES.md §2a, worked example: BX-5K, dst 1, "A001请到1号窗口" in area 0 at 0,0 64x16,
# no reply, run mode 1, single line, manual new line, static, speed 1, stay 0x0a, timeout 5 s.
WORKED_EXAMPLE = bytes.fromhex(
    "a5 a5 a5 a5 a5 a5 a5 a5 01 00 00 80 00 00 00 00 00 00 fe 02 33 00 a3 06 02 00 00 00 01 2a 00"
    "00 00 00 00 00 08 00 10 00 00 00 01 05 00 00 00 00 01 01 01 00 01 0a 0f 00 00 00 41 30 30 31"
    "c7 eb b5 bd 31 ba c5 b4 b0 bf da 19 51 5a"
)
EXAMPLE_TEXT = "A001请到1号窗口"


def test_crc_known_vector():
    assert spec.crc_arc(b"123456789") == 0xBB3D
    assert crc16_arc(b"123456789") == 0xBB3D
    assert crc16_arc(b"") == 0


def test_worked_example_byte_for_byte():
    assert len(WORKED_EXAMPLE) == 76
    # The defaults are the vendor's, so the example needs only address, text and area.
    assert encode_bx5(1, EXAMPLE_TEXT, area=Area(0, 0, 64, 16)) == WORKED_EXAMPLE


def test_independent_decoder_reads_the_worked_example():
    f = spec.decode(WORKED_EXAMPLE, "5K")
    assert (f.dst, f.src, f.devtype, f.version, f.reply) == (1, 0x8000, 0xFE, 0x02, 0x02)
    assert (f.process_mode, f.reserved_b, f.deleted, len(f.areas)) == (0, 0, [], 1)
    a = f.areas[0]
    assert (a.x, a.y, a.w, a.h, a.raw_w) == (0, 0, 64, 16, 8)
    assert (a.area_id, a.run_mode, a.timeout, a.single_line, a.new_line) == (0, 1, 5, 1, 1)
    assert (a.display_mode, a.speed, a.stay, a.align, a.text) == (1, 1, 10, 0, EXAMPLE_TEXT)


def test_driver_decodes_the_worked_example():
    f = decode_bx5(WORKED_EXAMPLE)
    assert (f.dst, f.src, f.text, f.reply) == (1, 0x8000, EXAMPLE_TEXT, False)
    assert f.area == Area(0, 0, 64, 16) and f.settings == AreaSettings()


def test_bx6k_sends_pixels_with_bit_15():
    frame = encode_bx5(1, EXAMPLE_TEXT, area=Area(4, 0, 100, 16), model="6K")
    a = spec.decode(frame, "6K").areas[0]
    assert (a.raw_x, a.raw_w) == (0x8004, 0x8064)
    assert (a.x, a.y, a.w, a.h, a.text) == (4, 0, 100, 16, EXAMPLE_TEXT)
    assert decode_bx5(frame).area == Area(4, 0, 100, 16)
    # Same text and area as 5K units, only X and W (and so the CRC) differ.
    five = encode_bx5(1, EXAMPLE_TEXT, area=Area(0, 0, 64, 16))
    six = encode_bx5(1, EXAMPLE_TEXT, area=Area(0, 0, 64, 16), model="6K")
    assert len(six) == len(five) and six != five


def test_bx5k_needs_x_and_w_in_whole_bytes():
    with pytest.raises(ValueError, match="multiples of 8"):
        encode_bx5(1, "A", area=Area(4, 0, 64, 16))
    with pytest.raises(ValueError, match="multiples of 8"):
        encode_bx5(1, "A", area=Area(0, 0, 60, 16))
    with pytest.raises(ValueError, match="model"):
        encode_bx5(1, "A", model="5Q")


def test_backslash_is_refused():
    # A backslash starts a control code on the card (\C2 = green, \n, \FO000 ...); the
    # vendor SDK has no escape for a literal one, so the encoder refuses it.
    with pytest.raises(ValueError, match="backslash"):
        encode_bx5(1, "A001\\C2")


def test_every_area_field_reaches_the_wire():
    settings = AreaSettings(
        area_id=3,
        line_space=2,
        run_mode=RunMode.LOOP_TIMEOUT,
        timeout_s=300,
        align=Align.CENTRE,
        single_line=2,
        new_line=2,
        display_mode=DisplayMode.SCROLL_LEFT,
        exit_mode=1,
        speed=0x18,
        stay_half_s=6,
    )
    frame = encode_bx5(0x1234, "暂停服务", area=Area(8, 16, 128, 32), settings=settings, reply=True)
    f = spec.decode(frame, "5K")
    a = f.areas[0]
    assert (f.dst, f.reply, a.x, a.y, a.w, a.h) == (0x1234, 0x01, 8, 16, 128, 32)
    assert (a.area_id, a.line_space, a.run_mode, a.timeout) == (3, 2, 2, 300)
    assert (a.align, a.single_line, a.new_line) == (2, 2, 2)
    assert (a.display_mode, a.exit_mode, a.speed, a.stay, a.sound, a.ext_len) == (3, 1, 24, 6, 0, 0)
    got = decode_bx5(frame)
    assert got.settings == settings and got.reply is True and got.area == Area(8, 16, 128, 32)


@pytest.mark.parametrize(
    "addr,text",
    [
        (1, "A001 请到3号窗口"),
        (0xA5A6, "暂停服务"),
        (0x5A5B, "ZZ[[ 请Z001号"),
        (99, "A003 请到5号窗口  A002 请到12号窗口"),
        (7, ""),
        (0xFFFE, "ァィゥ·Ω"),
    ],
)
@pytest.mark.parametrize("model", ["5K", "6K"])
def test_round_trip_and_independent_decode(addr, text, model):
    frame = encode_bx5(addr, text, area=Area(8, 16, 128, 32), model=model)
    inner = frame[8:-1]
    assert 0xA5 not in inner and 0x5A not in inner
    got = decode_bx5(frame)
    assert (got.dst, got.src, got.text, got.area) == (addr, 0x8000, text, Area(8, 16, 128, 32))
    f = spec.decode(frame, model)
    assert (f.dst, f.areas[0].text, f.areas[0].w) == (addr, text, 128)


def test_text_too_long_for_the_frame_length():
    # text_len is u32, but the envelope's len u16 must cover the whole data block.
    with pytest.raises(ValueError, match="too long"):
        encode_bx5(1, "号" * 40000)


def test_extra_sync_bytes_accepted():
    assert decode_bx5(b"\xa5\xa5" + encode_bx5(3, "好")).text == "好"


def test_reply_round_trip_and_spec():
    ack, nack = encode_reply(7, ack=True), encode_reply(7, ack=False, error=5)
    assert ack == spec.encode_reply(7, True, 0) and nack == spec.encode_reply(7, False, 5)
    assert spec.decode_reply(ack) == spec.SpecReply(0x8000, 7, True, 0)
    r = decode_reply(nack)
    assert (r.dst, r.src, r.ack, r.error) == (0x8000, 7, False, 5)
    with pytest.raises(FrameError, match="not a reply"):
        decode_reply(WORKED_EXAMPLE)
    with pytest.raises(FrameError, match="not a dynamic-area command"):
        decode_bx5(ack)


def _body(frame: bytes) -> bytes:
    return unstuff(frame[8:-1])[:-2]


def wire(body: bytes) -> bytes:
    """Sync + stuffed(body + CRC LE) + end: for crafting frames by hand."""
    return SYNC + stuff(body + struct.pack("<H", spec.crc_arc(body))) + b"\x5a"


def _with_block(block: bytes) -> bytes:
    return wire(_body(WORKED_EXAMPLE)[:12] + struct.pack("<H", len(block)) + block)


BLOCK = _body(WORKED_EXAMPLE)[14:]
AREA_HEAD = BLOCK[9:32]  # the area record up to text_len


def _area(text: bytes, text_len: int | None = None) -> bytes:
    n = len(text) if text_len is None else text_len
    record = AREA_HEAD + struct.pack("<I", n) + text
    return _with_block(BLOCK[:7] + struct.pack("<H", len(record)) + record)


def _flip_crc(frame: bytes) -> bytes:
    body = unstuff(frame[8:-1])
    return SYNC + stuff(body[:-2] + bytes([body[-2] ^ 1, body[-1]])) + b"\x5a"


@pytest.mark.parametrize(
    "frame,reason",
    [
        (b"\xa5" * 7 + WORKED_EXAMPLE[8:], "missing sync"),
        (WORKED_EXAMPLE[:-1], "missing end byte"),
        (SYNC, "missing end byte"),
        (SYNC + b"\x5a", "frame too short"),
        (_flip_crc(WORKED_EXAMPLE), "bad CRC"),
        (SYNC + b"\x01\xa6\x03\x00" + b"\x5a", "bad stuffing: 0xA6 followed by 0x03"),
        (SYNC + b"\x01\x5b\x00" + b"\x5a", "bad stuffing: 0x5B followed by 0x00"),
        (SYNC + b"\x01\x02\xa6" + b"\x5a", "bad stuffing: frame ends after escape byte 0xA6"),
        (SYNC + b"\x01\xa5\x02" + b"\x5a", "unescaped 0xA5 inside frame at offset 1"),
        (SYNC + b"\x01\x02\x03" + b"\x5a", "frame too short"),
        (wire(_body(WORKED_EXAMPLE)[:12] + b"\x63\x00" + BLOCK), "bad length: field says 99"),
        (_with_block(b"\xa3\x07" + BLOCK[2:]), "not a dynamic-area command: A3 07"),
        (_with_block(BLOCK[:2] + b"\x03" + BLOCK[3:]), "bad reply flag: 0x03"),
        (_with_block(BLOCK[:7] + b"\x2b" + BLOCK[8:]), "area 0: area_len says 43"),
        (_area(b"A1", text_len=15), "area 0: text length says 15"),
        (_area(b"\xc7"), "area 0: text is not GBK"),
        (_with_block(BLOCK + b"\x00"), "1 byte(s) after the last area"),
        (_with_block(BLOCK[:5] + b"\x02\x01\x02" + BLOCK[6:]), None),
    ],
)
def test_malformed_frames_rejected(frame, reason):
    if reason is None:  # deletes areas 1 and 2 first, then updates area 0: valid
        assert decode_bx5(frame).deleted == (1, 2)
        return
    with pytest.raises(FrameError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_bx5(frame)


def test_encode_rejects_out_of_range_and_non_gbk():
    with pytest.raises(ValueError, match="out of range"):
        encode_bx5(0x10000, "A")
    with pytest.raises(ValueError, match="out of range"):
        encode_bx5(1, "A", settings=AreaSettings(stay_half_s=256))
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
