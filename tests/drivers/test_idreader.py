"""The serial ID card reader: real bytes through a socat pty pair, bad lines counted."""

from __future__ import annotations

import pytest

from hall.drivers.idreader import IdCard, IdCardReader
from hall.drivers.port import SerialLink
from tests.helpers import start_ok, wait_until
from tests.test_idnumber import make_id

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
    reader.feed(b"x" * 300)
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
