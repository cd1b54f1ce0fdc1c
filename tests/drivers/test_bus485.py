"""The keypad bus frame codec: exact bytes, round trips, and a parser that survives noise."""

import pytest

from hall.drivers import bus485 as b


def test_known_frame_bytes_from_the_spec_formula():
    # addr 3, FUNC 0x01 (caller key), DATA [0x0C] (call next):
    # L = 2 + 1 = 3, CS = (3 + 0x01 + 0x0C) mod 256 = 0x10.
    expected = bytes([0xFF, 0x68, 0x03, 0x03, 0x68, 0x03, 0x01, 0x0C, 0x10, 0x16])
    assert b.encode_frame(3, b.FUNC_CALLER_KEY, [b.KEY_CALL_NEXT]) == expected


def test_checksum_wraps_modulo_256():
    # addr 0xF0, func 0x11, data [0x20]: 0xF0 + 0x11 + 0x20 = 0x121 -> 0x21.
    frame = b.encode_frame(0xF0, b.FUNC_RATING, [0x20])
    assert frame == bytes.fromhex("ff 68 03 03 68 f0 11 20 21 16")


def test_frame_without_data():
    assert b.encode_frame(5, b.FUNC_THANK_YOU) == bytes.fromhex("ff 68 02 02 68 05 14 19 16")


@pytest.mark.parametrize(
    "addr,func,data",
    [
        (0, 0, b""),
        (3, b.FUNC_CALLER_KEY, b"\x0c"),
        (255, 255, b"\xff" * 10),
        (7, b.FUNC_RATE_NOW, b"A001"),
        (9, 0x42, bytes([0xFF, 0x68, 0x16, 0x68])),  # framing bytes inside data
        (1, 2, bytes(range(b.MAX_DATA))),
    ],
)
def test_round_trip(addr, func, data):
    raw = b.encode_frame(addr, func, data)
    assert len(raw) == len(data) + 9
    assert raw[2] == raw[3] == len(data) + 2
    parser = b.FrameParser()
    assert parser.feed(raw) == [b.Frame(addr, func, data, raw)]
    assert (parser.frames_ok, parser.frames_bad, parser.pending) == (1, 0, 0)


@pytest.mark.parametrize(
    "addr,func,data", [(256, 1, b""), (-1, 1, b""), (1, 256, b""), (1, 1, bytes(254))]
)
def test_encode_rejects_out_of_range(addr, func, data):
    with pytest.raises(ValueError):
        b.encode_frame(addr, func, data)


@pytest.mark.parametrize(
    "text,digits",
    [
        ("A001", [10, 10, 10, 0, 0, 1]),  # the letter becomes a blank
        ("001", [10, 10, 10, 0, 0, 1]),
        (12, [10, 10, 10, 10, 1, 2]),
        ("", [10] * 6),
        ("123456789", [4, 5, 6, 7, 8, 9]),  # last six kept
        ("B 12", [10, 10, 10, 10, 1, 2]),
    ],
)
def test_display_digits(text, digits):
    assert b.display_digits(text) == bytes(digits)


@pytest.mark.parametrize(
    "count,digits",
    [
        (12, [1, 2, 10, 10, 10, 10]),  # DEVICES.md §1: the count waiting left-aligned
        (0, [0, 10, 10, 10, 10, 10]),
        (345, [3, 4, 5, 10, 10, 10]),  # d d d 0A 0A 0A
        (999999, [9] * 6),
        (1234567, [9] * 6),  # more than the display holds
    ],
)
def test_display_count_left_aligned(count, digits):
    assert b.display_count(count) == bytes(digits)
    # ... while the number served stays right-aligned (0A 0A 0A d d d).
    assert b.display_digits("A345") == bytes([10, 10, 10, 3, 4, 5])


def test_display_count_refuses_negative():
    with pytest.raises(ValueError):
        b.display_count(-1)


def test_decode_display():
    assert b.decode_display(b.display_digits("A001")) == "   001"


GOOD = b.encode_frame(3, b.FUNC_CALLER_KEY, [b.KEY_CALL_NEXT])
OTHER = b.encode_frame(4, b.FUNC_RATING, [5])


def frames(parser, data):
    return [f.raw for f in parser.feed(data)]


def test_garbage_before_between_and_after():
    parser = b.FrameParser()
    noise = b"\x00\x68\x16junk\xff"
    assert frames(parser, noise + GOOD + noise + OTHER + b"\x01\x02") == [GOOD, OTHER]
    assert parser.frames_ok == 2
    assert parser.frames_bad == 0
    assert parser.bytes_skipped == 2 * len(noise) + 2


def test_split_across_reads_byte_by_byte():
    parser = b.FrameParser()
    out = []
    for byte in GOOD + OTHER:
        out += frames(parser, bytes([byte]))
    assert out == [GOOD, OTHER]
    assert parser.bytes_skipped == 0


def test_trailing_ff_is_kept_for_the_next_read():
    parser = b.FrameParser()
    assert frames(parser, b"\x00" + GOOD[:1]) == []
    assert frames(parser, GOOD[1:]) == [GOOD]


@pytest.mark.parametrize(
    "bad,reason",
    [
        (GOOD[:-2] + bytes([GOOD[-2] ^ 1, 0x16]), "bad checksum"),
        (GOOD[:-1] + b"\x17", "no 0x16 end"),
        (GOOD[:3] + b"\x04" + GOOD[4:], "length bytes differ"),
        (bytes.fromhex("ff 68 01 01 68 03 16"), "length too small"),
        (GOOD[:4] + b"\x69" + GOOD[5:], "no second 0x68"),
    ],
)
def test_bad_frame_is_dropped_and_the_next_one_kept(bad, reason):
    seen = []
    parser = b.FrameParser(on_bad=lambda why, raw: seen.append(why))
    assert frames(parser, bad + GOOD) == [GOOD]
    assert parser.frames_bad == 1
    assert parser.last_bad_reason == reason
    assert seen == [reason]
    assert parser.bad_reasons[reason] == 1


def test_truncated_frame_does_not_swallow_the_next():
    parser = b.FrameParser()
    assert frames(parser, GOOD[:-2] + OTHER) == [OTHER]
    assert (parser.frames_ok, parser.frames_bad) == (1, 1)


def test_truncated_long_frame_then_short_good_one():
    # L = 0xFF announces a 262-byte frame; the good frame after it must not wait.
    long_head = bytes.fromhex("ff 68 ff ff 68 03 01 00")
    parser = b.FrameParser()
    assert frames(parser, long_head + GOOD) == [GOOD]
    assert parser.frames_bad == 1
    assert parser.last_bad_reason == "truncated"
    assert parser.pending == 0


def test_truncated_frame_split_across_reads():
    parser = b.FrameParser()
    assert frames(parser, GOOD[:6]) == []
    assert frames(parser, OTHER[:4]) == []
    assert frames(parser, OTHER[4:]) == [OTHER]
    assert parser.frames_bad == 1


def test_reset_forgets_partial_frame():
    parser = b.FrameParser()
    parser.feed(GOOD[:5])
    assert parser.pending == 5
    parser.reset()
    assert frames(parser, GOOD[5:] + OTHER) == [OTHER]
