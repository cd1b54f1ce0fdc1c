"""LedBus and bx5 controller replies (DEVICES.md §2a: ACK A0 00 / NACK A0 01).

The replies are built with the independent spec module, as a controller would
send them, and fed to the bus as its link's reader would.
"""

import threading
import time

import pytest

from hall.drivers.led.board import BoardSpec, LedBus
from hall.drivers.led.bx5 import decode_bx5
from hall.drivers.status import DeviceStatus
from tests.drivers._board_helpers import wait_until
from tests.drivers.led import bx5_spec as spec

REPLYING = [BoardSpec("w1", 1, reply=True), BoardSpec("w2", 2, reply=True), BoardSpec("w3", 3)]


class AnsweringLink:
    """A link whose controllers answer each frame per ``answers[addr]`` (a list, popped)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.status = DeviceStatus.OK
        self.answers: dict[int, list[bool | None]] = {}
        self.sent: list[tuple[float, bytes]] = []
        self.bus: LedBus | None = None
        self.delay = delay

    def send(self, data: bytes) -> None:
        self.sent.append((time.monotonic(), data))
        frame = spec.decode(data, "5K")
        queue = self.answers.get(frame.dst) or [True]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if frame.reply != 0x01 or answer is None:
            return
        reply = spec.encode_reply(frame.dst, ack=answer, error=0 if answer else 5)
        if self.delay:
            threading.Timer(self.delay, self.bus.feed, (reply,)).start()
        else:
            self.bus.feed(reply[:10])  # in two reads, as a serial port may deliver it
            self.bus.feed(reply[10:])


@pytest.fixture
def link():
    return AnsweringLink()


def start(link, boards=REPLYING, **kwargs) -> LedBus:
    kwargs.setdefault("reply_timeout", 0.1)
    link.bus = LedBus(link, 9600, boards, **kwargs).start()
    return link.bus


def test_ack_counted_and_frame_asks_for_a_reply(link):
    bus = start(link)
    try:
        bus.show("w1", "A001 请到1号窗口")
        assert wait_until(lambda: bus.status()["w1"]["acks"] == 1, 2)
        assert bus.wait_idle(2)
    finally:
        bus.close()
    st = bus.status()["w1"]
    assert (st["status"], st["nacks"], st["no_reply"], st["frames_sent"]) == ("ok", 0, 0, 1)
    assert st["reply"] is True and decode_bx5(link.sent[0][1]).reply is True
    assert bus.counters == {"replies_unexpected": 0, "reply_frames_bad": 0, "echoes": 0}


def test_nack_is_counted_and_the_text_sent_again(link):
    link.answers[1] = [False, True]
    bus = start(link)
    try:
        bus.show("w1", "A002")
        assert wait_until(lambda: bus.status()["w1"]["acks"] == 1, 2)
    finally:
        bus.close()
    st = bus.status()["w1"]
    assert (st["nacks"], st["last_error_code"], st["frames_sent"], st["status"]) == (1, 5, 2, "ok")


def test_missing_answer_marks_the_board_offline_after_the_retries(link):
    link.answers[2] = [None]
    bus = start(link, reply_timeout=0.05, reply_retries=1)
    try:
        bus.show("w2", "B001")
        assert wait_until(lambda: bus.status()["w2"]["no_reply"] == 2, 2)
        assert bus.wait_idle(2)
        time.sleep(0.1)
    finally:
        bus.close()
    st = bus.status()["w2"]
    assert (st["status"], st["frames_sent"], st["acks"]) == ("offline", 2, 0)
    (t0, f0), (t1, _) = link.sent
    assert t1 - t0 >= bus.line_time(len(f0), "bx5") + 0.05 - 0.002  # quiet while waiting


def test_the_bus_stays_quiet_until_the_answer():
    link = AnsweringLink(delay=0.15)
    bus = start(link, reply_timeout=1.0)
    try:
        bus.show("w1", "A001")
        bus.show("w3", "C001")  # a board without replies: still waits its turn
        assert wait_until(lambda: len(link.sent) == 2, 3)
    finally:
        bus.close()
    (t0, _), (t1, _) = link.sent
    assert 0.14 <= t1 - t0 < 0.9  # after the answer, long before the timeout
    assert bus.status()["w1"]["acks"] == 1 and bus.status()["w3"]["status"] == "ok"


def test_stray_replies_and_echoes_are_counted(link):
    bus = start(link)
    try:
        bus.feed(spec.encode_reply(9))  # nobody asked board 9
        bus.feed(link_frame := spec.encode_reply(1)[:-3] + b"\x00\x00\x5a")  # bad CRC
        bus.show("w3", "C001")
        assert bus.wait_idle(2)
        bus.feed(link.sent[0][1])  # an adapter that echoes what the host sends
    finally:
        bus.close()
    assert link_frame.endswith(b"\x5a")
    assert bus.counters == {"replies_unexpected": 1, "reply_frames_bad": 1, "echoes": 1}


def test_backslash_shown_full_width_on_bx5_only(link):
    boards = [BoardSpec("w3", 3), BoardSpec("l4", 4, "line")]
    bus = start(link, boards)
    try:
        bus.show("w3", "A\\B")
        assert bus.wait_idle(2)
    finally:
        bus.close()
    assert decode_bx5(link.sent[0][1]).text == "A＼B"
    assert bus.status()["w3"]["replaced_chars"] == 1
