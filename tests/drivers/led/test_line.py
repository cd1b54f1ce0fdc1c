"""Simple line boards: 02 ADDR TEXT(GBK) 03."""

import pytest

from hall.drivers.errors import FrameError
from hall.drivers.led.line import LineFrame, LineSplitter, decode_line, encode_line


def test_exact_bytes():
    # 请 = GBK C7 EB, 到 = B5 BD
    assert encode_line(5, "A1请到") == b"\x02\x05A1\xc7\xeb\xb5\xbd\x03"


@pytest.mark.parametrize(
    "addr,text",
    [(0, ""), (2, "A001 请到3号窗口"), (3, "暂停服务"), (255, "ZZ ァ 号")],
)
def test_round_trip(addr, text):
    assert decode_line(encode_line(addr, text)) == LineFrame(addr, text)


@pytest.mark.parametrize(
    "frame,reason",
    [
        (b"", "missing STX"),
        (b"\x01\x05A\x03", "missing STX"),
        (b"\x02\x05", "too short"),
        (b"\x02\x05AB", "missing ETX"),
        (b"\x02\x05A\x03B\x03", "ETX inside line frame text at offset 3"),
        (b"\x02\x05A\x02B\x03", "STX inside line frame text at offset 3"),
        (b"\x02\x05A\xc7\x03", "text is not GBK"),
    ],
)
def test_malformed_frames_rejected(frame, reason):
    with pytest.raises(FrameError, match=reason):
        decode_line(frame)


def test_encode_refuses_bad_input():
    with pytest.raises(ValueError, match="0..255"):
        encode_line(256, "A")
    with pytest.raises(ValueError, match="STX"):
        encode_line(1, "A\x03B")
    with pytest.raises(UnicodeEncodeError):
        encode_line(1, "😀")


def test_splitter_handles_addresses_2_and_3_noise_and_cut_frames():
    frames = [encode_line(2, "二号"), encode_line(3, "三号"), encode_line(4, "四")]
    splitter = LineSplitter()
    stream = b"noise" + frames[0] + frames[1][:-1] + frames[2]
    chunks = splitter.feed(stream[:7]) + splitter.feed(stream[7:])
    assert splitter.garbage == 5
    assert [decode_line(chunks[0]).text, decode_line(chunks[2]).text] == ["二号", "四"]
    with pytest.raises(FrameError, match="missing ETX"):
        decode_line(chunks[1])
    assert splitter.idle
