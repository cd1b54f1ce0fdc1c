"""The LED board simulator: mixed streams, bad frames, faults, pictures, CLI."""

import argparse
import json
import subprocess
import sys

import pytest
import serial
from PIL import Image

from hall.drivers.led.board import BoardSpec, LedBus
from hall.drivers.led.bx5 import encode_bx5
from hall.drivers.led.line import encode_line
from hall.drivers.sim import board
from hall.drivers.sim.board import FONT_PATH, BoardSim, FontMissing, LedRenderer, parse_boards
from tests.drivers._board_helpers import socat_pair, wait_until
from tests.drivers.led import bx5_spec as spec

BOARDS = {1: "bx5", 2: "line", 3: "line", 99: "bx5"}
needs_font = pytest.mark.skipif(not FONT_PATH.is_file(), reason="fonts-wqy-microhei missing")


def test_mixed_stream_decoded_per_address():
    sim = BoardSim(None, BOARDS)
    stream = (
        b"\xff\x00"  # line noise
        + encode_bx5(1, "A001 请到1号窗口")
        + encode_line(2, "ァZ请")  # GBK A5 A1 and 'Z' (5A) are plain text in a line frame
        + encode_line(3, "三号")  # address 3 is the ETX byte value
        + encode_bx5(99, "A001 请到1号窗口  B002 请到2号窗口")
    )
    updates = sim.feed(stream[:10]) + sim.feed(stream[10:])
    assert [(u.addr, u.format) for u in updates] == [
        (1, "bx5"),
        (2, "line"),
        (3, "line"),
        (99, "bx5"),
    ]
    assert sim.shows == {
        1: "A001 请到1号窗口",
        2: "ァZ请",
        3: "三号",
        99: "A001 请到1号窗口  B002 请到2号窗口",
    }
    assert sim.bad_frames == 0 and sim._splitter.garbage == 2


def test_bad_and_foreign_frames_counted():
    sim = BoardSim(None, BOARDS)
    good = encode_bx5(1, "好")
    broken = good[:20] + bytes([good[20] ^ 0xFF]) + good[21:]
    sim.feed(broken)
    sim.feed(encode_line(2, "被截断")[:-1] + encode_bx5(1, "一"))  # line cut by bx5 sync
    sim.feed(encode_bx5(2, "格式不对"))  # address 2 is a line board
    sim.feed(encode_line(42, "没有这块屏"))
    sim.feed(good[:30] + good)  # bx5 cut short by the next frame's sync
    assert sim.bad_frames == 3
    assert sim.bad_reasons["line frame cut short by bx5 sync"] == 1
    assert any(r.startswith("bx5: bad CRC") for r in sim.bad_reasons)
    assert sim.bad_reasons["bx5: missing end byte 0x5A"] == 1
    assert sim.foreign == 2
    assert sim.shows == {1: "好"} and sim.frames[1] == 2


def test_corrupt_rate_fault():
    sim = BoardSim(None, BOARDS, corrupt_rate=1.0)
    for i in range(5):
        sim.feed(encode_bx5(1, f"第{i}号"))
    assert sim.bad_frames == 5 and sim.shows == {}


def test_pause_fault_over_loop_port():
    port = serial.serial_for_url("loop://", timeout=0.05)
    sim = BoardSim(port, BOARDS).start()
    try:
        sim.pause()
        assert wait_until(lambda: port.in_waiting == 0, 1)
        port.write(encode_bx5(1, "暂停中"))
        assert not sim.wait_for(lambda s: 1 in s.shows, 0.2)
        sim.resume()
        assert sim.wait_for(lambda s: s.shows.get(1) == "暂停中", 2)
    finally:
        sim.close()
        port.close()


@needs_font
def test_png_has_red_leds_on_black(tmp_path):
    sim = BoardSim(None, BOARDS, png_dir=tmp_path)
    sim.feed(encode_bx5(1, "A001 请到3号窗口"))
    path = tmp_path / "board-1.png"
    assert path.is_file()
    with Image.open(path) as img:
        img = img.convert("RGB")
        assert img.getpixel((0, 0)) == (0, 0, 0)
        colours = img.getcolors(maxcolors=1 << 20)
    red = sum(n for n, (r, g, b) in colours if r >= 200 and g < 80 and b < 80)
    black = sum(n for n, c in colours if c == (0, 0, 0))
    assert red > 500 and black > red
    assert img.width > 8 * img.height  # one line of about 13 characters


@needs_font
def test_multi_line_picture_is_taller():
    renderer = LedRenderer(dot=2)
    assert renderer.render("一\n二").height == 2 * renderer.render("一").height


def test_missing_font_is_a_clear_error(tmp_path):
    with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
        LedRenderer(tmp_path / "nope.ttc")
    sim = BoardSim(None, BOARDS, png_dir=tmp_path, font_path=tmp_path / "nope.ttc")
    assert "not found" in sim.png_error
    sim.feed(encode_line(2, "照样解码"))
    assert sim.shows[2] == "照样解码" and not list(tmp_path.glob("*.png"))


def test_parse_boards():
    assert parse_boards("1:bx5, 2:line,99:bx5") == {1: "bx5", 2: "line", 99: "bx5"}
    for bad in ("1:vga", "x:bx5", "1"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_boards(bad)


def test_add_parser_defaults():
    parser = argparse.ArgumentParser()
    board.add_parser(parser.add_subparsers())
    args = parser.parse_args(["board", "--port", "loop://", "--boards", "1:bx5"])
    assert args.func is board.run and args.boards == {1: "bx5"} and args.baud == 9600


CLI = (
    "import argparse, sys\n"
    "from hall.drivers.sim import board\n"
    "p = argparse.ArgumentParser(); board.add_parser(p.add_subparsers())\n"
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n"
)


def test_cli_prints_json_lines(tmp_path):
    with socat_pair(tmp_path) as (host_end, board_end):
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "board", "--port", board_end, "--boards", "1:bx5,2:line"]
            + ["--png-dir", str(tmp_path / "png")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert "reading" in proc.stderr.readline()  # the sim has its port open
            with serial.serial_for_url(host_end, 9600) as port:
                port.write(encode_line(2, "开始"))
                line = proc.stdout.readline()
                port.write(encode_bx5(1, "A001 请到3号窗口"))
                line2 = proc.stdout.readline()
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert json.loads(line)["text"] == "开始"
    update = json.loads(line2)
    assert (update["addr"], update["format"], update["text"]) == (1, "bx5", "A001 请到3号窗口")
    assert "2 frames, 0 bad" in err
    if FONT_PATH.is_file():
        assert (tmp_path / "png" / "board-1.png").is_file()


def test_sim_answers_frames_that_ask_for_a_reply():
    sim = BoardSim(None, BOARDS, nack=[99], silent=[])
    sim.feed(encode_bx5(1, "A001", reply=True))
    sim.feed(encode_bx5(1, "A002"))  # no reply asked
    sim.feed(encode_bx5(99, "B001", reply=True))
    sim.feed(encode_bx5(2, "A003", reply=True))  # 2 is a line board: no bx5 card there
    sim.feed(encode_bx5(42, "A004", reply=True))  # nobody at 42
    answers = [spec.decode_reply(r) for r in sim.replies_sent]
    assert answers == [
        spec.SpecReply(0x8000, 1, True, 0),
        spec.SpecReply(0x8000, 99, False, board.NACK_ERROR),
    ]
    assert sim.replies == {"ack": 1, "nack": 1}
    silent = BoardSim(None, BOARDS, silent=[1])
    silent.feed(encode_bx5(1, "A001", reply=True))
    assert not silent.replies_sent and silent.shows[1] == "A001"


def test_bus_counts_the_sims_answers_through_socat(tmp_path, make_link):
    with socat_pair(tmp_path) as (host_end, board_end):
        sim = BoardSim(board_end, {1: "bx5", 2: "bx5"}, nack=[2]).start()
        link = make_link(host_end)
        boards = [BoardSpec("w1", 1, reply=True), BoardSpec("w2", 2, reply=True)]
        bus = LedBus(link, 9600, boards, reply_timeout=0.5, reply_retries=0)
        link.on_bytes, link.on_status = bus.feed, bus.link_changed
        link.start()
        bus.start()
        try:
            bus.show("w1", "A001 请到1号窗口")
            bus.show("w2", "A002 请到2号窗口")
            assert wait_until(lambda: bus.status()["w2"]["nacks"] == 1, 5), bus.status()
            assert wait_until(lambda: bus.status()["w1"]["acks"] == 1, 5), bus.status()
        finally:
            bus.close()
            sim.close()
    st = bus.status()
    assert (st["w1"]["status"], st["w2"]["status"], st["w2"]["last_error_code"]) == (
        "ok",
        "error",
        board.NACK_ERROR,
    )
    assert st["w1"]["no_reply"] == st["w2"]["no_reply"] == 0
    assert sim.shows == {1: "A001 请到1号窗口", 2: "A002 请到2号窗口"}
