"""The serial ID card reader: real bytes through a socat pty pair, bad lines counted.

The card photo (third field, base64 image file) is decoded, or dropped with a reason.
"""

from __future__ import annotations

import base64
import logging

import cv2
import numpy as np
import pytest

from hall.drivers.idreader import MAX_LINE, MAX_PHOTO_BYTES, IdCard, IdCardReader
from hall.drivers.port import SerialLink
from tests.support import make_id, wait_until
from tests.support.serial import start_ok

NUMBER = make_id("44030419851231153")


def test_lines_in_pieces_gbk_and_utf8() -> None:
    cards: list[IdCard] = []
    reader = IdCardReader(cards.append)
    reader.feed(f"{NUMBER},张".encode())
    assert cards == []  # no end of line yet
    reader.feed("三\r\n".encode())
    reader.feed(f"{NUMBER.lower()}\n".encode())
    reader.feed(f"{NUMBER},李四\r".encode("gbk"))
    assert [(c.number, c.name) for c in cards] == [
        (NUMBER, "张三"),
        (NUMBER, None),
        (NUMBER, "李四"),
    ]
    assert NUMBER not in repr(cards[0])


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1"), "check digit"),
        ("12345", "18 characters"),
        ("\xff\xfe", "not UTF-8 or GBK"),
    ],
)
def test_bad_lines_are_counted_never_cards(line: str, reason: str) -> None:
    cards, errors = [], []
    reader = IdCardReader(cards.append, errors.append)
    raw = line.encode("latin-1") if line.startswith("\xff") else line.encode()
    reader.feed(raw + b"\n")
    assert cards == [] and reader.bad_lines == 1 and reason in errors[0]
    reader.feed(b"x" * (MAX_LINE + 1))
    assert reader.bad_lines == 2 and reader.last_error == "line too long"


def test_a_card_through_a_serial_link(socat) -> None:
    cards: list[IdCard] = []
    reader = IdCardReader(cards.append)
    host = SerialLink(socat.a, retry_initial=0.05, retry_max=0.2)
    host.on_bytes = reader.feed
    device = SerialLink(socat.b, retry_initial=0.05, retry_max=0.2)
    try:
        start_ok(host)
        start_ok(device)
        device.send(f"{NUMBER},王小明\r\n".encode())
        assert wait_until(lambda: cards, 5)
        assert (cards[0].number, cards[0].name) == (NUMBER, "王小明")
    finally:
        device.stop()
        host.stop()


def portrait(seed: int = 7) -> np.ndarray:
    """A card-sized (102 x 126) BGR portrait of noise: nothing compresses it away."""
    return np.random.default_rng(seed).integers(0, 256, (126, 102, 3), dtype=np.uint8)


def b64(image: np.ndarray, ext: str) -> str:
    ok, data = cv2.imencode(ext, image)
    assert ok
    return base64.b64encode(data.tobytes()).decode()


def test_the_photo_field_is_decoded_to_a_bgr_image() -> None:
    cards: list[IdCard] = []
    reader = IdCardReader(cards.append)
    image = portrait()
    bmp = b64(image, ".bmp")  # what vendor middleware writes for the chip's WLT photo
    assert len(bmp) > 50_000  # a real card photo's size, far past the old 256-byte bound
    reader.feed(f"{NUMBER},张三,{bmp}\r\n".encode())
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    reader.feed(f"{NUMBER},,{b64(grey, '.png')}\n".encode("gbk"))
    reader.feed(f"{NUMBER},李四,\n".encode())  # an empty photo field: no photo, no complaint
    assert [(c.number, c.name) for c in cards] == [
        (NUMBER, "张三"),
        (NUMBER, None),
        (NUMBER, "李四"),
    ]
    assert np.array_equal(cards[0].photo, image)
    assert cards[1].photo.shape == (126, 102, 3)
    assert np.array_equal(cards[1].photo[..., 1], grey)
    assert cards[2].photo is None and reader.bad_photos == 0 and reader.bad_lines == 0
    assert not cards[0].photo.flags.writeable  # the card's photo is not drawn on
    assert "张三" not in repr(cards[0]) and bmp[:20] not in repr(cards[0])


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("not*base64!", "not base64"),
        (base64.b64encode(b"GIF89a but not really an image").decode(), "not an image"),
        (base64.b64encode(b"\xff\xd8" + bytes(MAX_PHOTO_BYTES)).decode(), "larger than"),
    ],
)
def test_a_bad_photo_loses_the_photo_not_the_card(
    field: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    cards, errors = [], []
    reader = IdCardReader(cards.append, errors.append)
    with caplog.at_level(logging.WARNING, logger="hall.drivers.idreader"):
        reader.feed(f"{NUMBER},王五,{field}\r\n".encode())
    assert [(c.number, c.name, c.photo) for c in cards] == [(NUMBER, "王五", None)]
    assert reader.bad_photos == 1 and reader.bad_lines == 0 and errors == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reason in logged  # the problem is named, not the card's content
    assert NUMBER not in logged and "王五" not in logged and field[:12] not in logged


def test_an_overlong_line_is_one_bad_line_and_the_next_card_still_reads() -> None:
    cards: list[IdCard] = []
    reader = IdCardReader(cards.append)
    line = f"{NUMBER},张三,".encode() + b"A" * MAX_LINE + b"\r\n"
    for i in range(0, len(line), 64):  # as a serial port delivers it: small reads
        reader.feed(line[i : i + 64])
    assert cards == [] and reader.bad_lines == 1 and reader.last_error == "line too long"
    reader.feed(line)  # in one read, end of line included: refused the same way
    assert cards == [] and reader.bad_lines == 2
    reader.feed(f"{NUMBER},李四\r\n".encode())
    assert [(c.number, c.name) for c in cards] == [(NUMBER, "李四")]


def test_a_card_with_its_photo_through_a_serial_link(socat) -> None:
    cards: list[IdCard] = []
    reader = IdCardReader(cards.append)
    host = SerialLink(socat.a, retry_initial=0.05, retry_max=0.2)
    host.on_bytes = reader.feed
    device = SerialLink(socat.b, retry_initial=0.05, retry_max=0.2)
    image = portrait(11)
    try:
        start_ok(host)
        start_ok(device)
        device.send(f"{NUMBER},王小明,{b64(image, '.bmp')}\r\n".encode())
        assert wait_until(lambda: cards, 10)
        assert (cards[0].number, cards[0].name) == (NUMBER, "王小明")
        assert np.array_equal(cards[0].photo, image) and reader.bad_lines == 0
    finally:
        device.stop()
        host.stop()
