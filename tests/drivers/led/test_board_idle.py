"""LedBus.show_idle: texts sent only when the bus is free (announcements), cut for a call.

A rotation frame goes out in small chunks; a :meth:`LedBus.show` (a call) that
comes in while one is on the wire ends it after the current chunk, so the
call's frame starts at most one chunk's line time later. The cut frame is a
stump the card drops (a new sync run starts the next frame, DEVICES.md §2a).
"""

from __future__ import annotations

import time

import pytest

from hall.drivers.led.board import BoardSpec, LedBus, call_text
from hall.drivers.led.bx5 import decode_bx5
from hall.drivers.led.bx5_wire import SYNC
from tests.drivers._board_helpers import RecordingLink, wait_until
from tests.drivers.led import bx5_spec as spec

#: Slow enough that a rotation frame takes about a second on the wire.
BAUD = 1200
CHUNK = 8
ANNOUNCEMENT = "【表彰】" + "综合受理窗口服务热情，群众满意，特此表彰。" * 2


@pytest.fixture
def link() -> RecordingLink:
    return RecordingLink()


@pytest.fixture
def bus(link: RecordingLink):
    boards = [BoardSpec("w1", 1, "bx5", reply=True), BoardSpec("w2", 2, "bx5")]
    with LedBus(link, BAUD, boards, rotation_chunk=CHUNK, reply_timeout=0.2) as b:
        yield b


def frames(link: RecordingLink) -> list[bytes]:
    """The bytes sent, split at each sync run (a stump stays a stump)."""
    raw = b"".join(link.frames())
    starts = [
        i for i in range(len(raw)) if raw.startswith(SYNC, i) and (i == 0 or raw[i - 1] != 0xA5)
    ]
    return [raw[a:b] for a, b in zip(starts, starts[1:] + [len(raw)], strict=True)]


def test_an_idle_text_goes_out_in_chunks_without_asking_for_a_reply(bus, link) -> None:
    bus.show_idle("w1", ANNOUNCEMENT)
    assert wait_until(lambda: bus.status()["w1"]["rotation_frames"] == 1, 10)
    assert all(len(c) <= CHUNK for c in link.frames())
    [frame] = frames(link)
    decoded = decode_bx5(frame)
    assert (decoded.dst, decoded.text) == (1, ANNOUNCEMENT)
    assert spec.decode(frame, "5K").reply == 0x02  # no reply asked for, though w1 has reply on
    st = bus.status()["w1"]
    assert (st["shown_text"], st["frames_sent"], st["preempted"]) == (ANNOUNCEMENT, 0, 0)


def test_a_call_cuts_a_rotation_frame_after_one_chunk(bus, link) -> None:
    bus.show_idle("w2", ANNOUNCEMENT)
    assert wait_until(lambda: len(link.sent) >= 3, 5)  # the rotation frame is on the wire
    t_call = time.monotonic()
    bus.show("w1", call_text("A001", 1))
    assert wait_until(lambda: any(d.startswith(SYNC) for _, d in link.sent[1:]), 5)
    t_first = next(t for t, d in link.sent[1:] if d.startswith(SYNC))
    chunk_s = CHUNK * 10 / BAUD
    assert t_first - t_call <= chunk_s + 0.03, (t_first - t_call, chunk_s)
    got = frames(link)
    assert len(got) == 2 and decode_bx5(got[1]).text == "A001 请到1号窗口"
    with pytest.raises(Exception):  # noqa: B017 - the stump decodes as nothing at all
        decode_bx5(got[0])
    st = bus.status()["w2"]
    assert (st["preempted"], st["rotation_frames"]) == (1, 0)


def test_idle_texts_wait_for_every_call_and_a_call_drops_its_boards_idle_text(bus, link) -> None:
    bus.show("w1", call_text("A001", 1))
    bus.show("w2", call_text("A002", 2))
    bus.show_idle("w1", ANNOUNCEMENT)  # after its call: shown once the bus is free
    bus.show_idle("w2", ANNOUNCEMENT)
    bus.show("w2", call_text("A003", 2))  # a newer call on w2: its idle text goes
    assert wait_until(lambda: bus.status()["w1"]["rotation_frames"] == 1, 15)
    assert bus.wait_idle(10)
    texts = [decode_bx5(f).text for f in frames(link)]
    assert texts[-1] == ANNOUNCEMENT and texts.count(ANNOUNCEMENT) == 1
    assert set(texts[:-1]) == {"A001 请到1号窗口", "A003 请到2号窗口"}
