"""LedBus: coalescing, round-robin, pacing, offline links, texts, and end to end."""

import threading

import pytest

from hall.drivers.led.board import (
    PAUSED_TEXT,
    BoardSpec,
    HallHistory,
    LedBus,
    call_text,
    gbk_safe,
    hall_text,
    serving_text,
)
from hall.drivers.led.bx5 import decode_bx5
from hall.drivers.led.line import decode_line
from hall.drivers.sim.board import BoardSim
from hall.drivers.status import DeviceStatus
from tests.drivers._board_helpers import PortLink, RecordingLink, socat_pair, wait_until

BOARDS = [
    BoardSpec("w1", 1, "bx5"),
    BoardSpec("w2", 2, "line"),
    BoardSpec("hall", 99, "bx5"),
]


def decode_any(frame: bytes):
    return decode_line(frame) if frame[0] == 0x02 else decode_bx5(frame)


def addr_text(frame: bytes) -> tuple[int, str]:
    f = decode_any(frame)
    return (f.addr if hasattr(f, "addr") else f.dst, f.text)


@pytest.fixture
def link():
    return RecordingLink()


@pytest.fixture
def bus(link):
    with LedBus(link, 9600, BOARDS, inter_frame_gap=0.01) as b:
        yield b


def test_texts():
    assert call_text("A001", 3) == "A001 请到3号窗口"
    assert serving_text("A001") == "A001 正在办理"
    assert PAUSED_TEXT == "暂停服务"
    assert hall_text([("A002", 5), ("A001", 3)]) == "A002 请到5号窗口  A001 请到3号窗口"
    history = HallHistory(size=3)
    for n, w in [("A001", 1), ("A002", 2), ("A003", 3), ("A004", 4)]:
        history.add(n, w)
    assert history.text() == "A004 请到4号窗口  A003 请到3号窗口  A002 请到2号窗口"
    assert history.add("A002", 7).startswith("A002 请到7号窗口  A004")  # a recall moves up


def test_gbk_safe_replaces_and_counts():
    assert gbk_safe("A001 😀 请\x03") == ("A001 ? 请?", 2)


def test_show_sends_each_format_to_its_address(bus, link):
    bus.show("w1", call_text("A001", 3))
    bus.show("w2", PAUSED_TEXT)
    assert bus.wait_idle(2)
    got = {addr_text(f) for f in link.frames()}
    assert got == {(1, "A001 请到3号窗口"), (2, "暂停服务")}
    status = bus.status()
    assert status["w1"]["frames_sent"] == 1 and status["w1"]["status"] == "ok"
    assert status["w2"]["last_text"] == "暂停服务" and status["w2"]["last_send"] is not None
    assert status["hall"]["status"] == "starting" and status["hall"]["frames_sent"] == 0


def test_unencodable_characters_are_counted(bus, link):
    bus.show("w1", "A001 😀")
    assert bus.wait_idle(2)
    assert addr_text(link.frames()[0]) == (1, "A001 ?")
    assert bus.status()["w1"]["replaced_chars"] == 1


def test_rapid_updates_coalesce(bus, link):
    for i in range(50):
        bus.show("w1", f"A{i:03d} 请到1号窗口")
    assert bus.wait_idle(2)
    texts = [addr_text(f)[1] for f in link.frames()]
    assert texts[-1] == "A049 请到1号窗口"
    assert len(texts) <= 3
    st = bus.status()["w1"]
    assert st["frames_sent"] + st["coalesced"] == 50


def test_frames_are_paced_by_line_time(bus, link):
    for i in range(6):
        bus.show(["w1", "w2", "hall"][i % 3], f"第{i}条")
        assert bus.wait_idle(2)
    bus.show("w1", "x")
    bus.show("w2", "y")
    bus.show("hall", "z")
    assert bus.wait_idle(2)
    sent = link.sent
    for (t0, f0), (t1, _) in zip(sent, sent[1:], strict=False):
        fmt = "line" if f0[0] == 0x02 else "bx5"
        assert t1 - t0 >= bus.line_time(len(f0), fmt) - 0.002


def test_busy_board_does_not_hold_up_another(bus, link):
    stop = threading.Event()

    def hammer():
        i = 0
        while not stop.is_set():
            bus.show("w1", f"A{i:04d}")
            i += 1

    t = threading.Thread(target=hammer)
    t.start()
    try:
        assert wait_until(lambda: len(link.sent) >= 3, 2)
        mark = len(link.sent)
        bus.show("w2", "B001 请到2号窗口")
        assert wait_until(lambda: any(f[0] == 0x02 for f in link.frames()), 2)
    finally:
        stop.set()
        t.join()
    # At most the frame on the wire plus one w1 frame go first (the time this takes,
    # ~2 x 40 ms at 9600 baud, is measured by bench/bench_latency.py).
    after = link.frames()[mark:]
    first_w2 = next(i for i, f in enumerate(after) if f[0] == 0x02)
    assert first_w2 <= 2, [addr_text(f) for f in after[: first_w2 + 1]]
    assert bus.status()["w1"]["coalesced"] > 10


def test_offline_link_holds_texts_and_resends_when_back(link):
    link.status = DeviceStatus.OFFLINE
    with LedBus(link, 9600, BOARDS, retry_interval=0.01) as bus:
        bus.show("w1", "A001")
        assert wait_until(lambda: bus.status()["w1"]["status"] == "offline", 2)
        assert link.frames() == []
        link.status = DeviceStatus.OK
        assert wait_until(lambda: bus.status()["w1"]["frames_sent"] == 1, 2)
        link.status = DeviceStatus.OFFLINE
        assert wait_until(lambda: bus.status()["w1"]["status"] == "offline", 2)
        link.status = DeviceStatus.OK  # back: every board's last text goes out again
        assert wait_until(lambda: bus.status()["w1"]["frames_sent"] == 2, 2)
    assert [addr_text(f) for f in link.frames()] == [(1, "A001"), (1, "A001")]


def test_send_failure_is_retried(link):
    link.fail_next = 2
    with LedBus(link, 9600, BOARDS, retry_interval=0.01) as bus:
        bus.show("w2", "B001")
        assert wait_until(lambda: bus.status()["w2"]["frames_sent"] == 1, 2)
        assert bus.status()["w2"]["errors"] == 2
    assert [addr_text(f) for f in link.frames()] == [(2, "B001")]


def test_bad_board_config_rejected(link):
    with pytest.raises(ValueError, match="duplicate"):
        LedBus(link, 9600, [BoardSpec("a", 1), BoardSpec("a", 2)])
    with pytest.raises(ValueError, match="unknown format"):
        LedBus(link, 9600, [BoardSpec("a", 1, "vga")])
    with pytest.raises(KeyError):
        LedBus(link, 9600, BOARDS).show("nope", "x")


def test_end_to_end_through_socat(tmp_path):
    with socat_pair(tmp_path) as (host_end, board_end):
        link = PortLink(host_end)
        sim = BoardSim(board_end, {1: "bx5", 2: "line", 99: "bx5"}).start()
        bus = LedBus(link, 9600, BOARDS, inter_frame_gap=0.02).start()
        try:
            bus.show("w1", call_text("A001", 3))
            assert sim.wait_for(lambda s: s.shows.get(1) == "A001 请到3号窗口", 3)
            assert 2 not in sim.shows and 99 not in sim.shows

            before = sim.frames[1]
            for i in range(50):
                bus.show("w1", f"A{i:03d} 请到1号窗口")
            bus.show("w2", "B007 请到2号窗口")
            assert sim.wait_for(lambda s: s.shows.get(2) == "B007 请到2号窗口", 3)
            assert sim.wait_for(lambda s: s.shows.get(1) == "A049 请到1号窗口", 3)
            assert bus.wait_idle(3)
            w1_frames = sim.frames[1] - before
        finally:
            bus.close()
            sim.close()
            link.close()
    assert w1_frames <= 5, "50 rapid updates must coalesce"
    # How soon w2 shows while w1 is busy: bench/bench_latency.py (target < 0.5 s).
    assert sim.bad_frames == 0 and sim.foreign == 0
