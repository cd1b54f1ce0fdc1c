"""Host KeypadBus <-> keypad/evaluator simulator, end to end over a socat pty pair."""

import argparse
import io
import json
import subprocess
import sys
import threading

import pytest

from hall.drivers import bus485 as b
from hall.drivers.errors import DeviceOffline
from hall.drivers.evaluator import EvaluatorSessions, RatingOutcome
from hall.drivers.keypad import (
    Command,
    KeyCommand,
    KeypadBus,
)
from hall.drivers.sim import keypad as simkp
from hall.drivers.sim.keypad import Fault, KeypadSim
from tests.support import wait_until
from tests.support.serial import start_ok


class Hall:
    """The host side: a bus and evaluator sessions, recording what happened."""

    def __init__(self, link, **bus_kwargs):
        self.answer = None  # optional reply to each command, run on the reader thread
        self.lock = threading.Lock()
        self.commands: list[KeyCommand] = []
        self.results = []
        self.bus = KeypadBus(link, on_command=self._command, **bus_kwargs)
        self.sessions = EvaluatorSessions(self.bus, timeout=10, on_result=self.results.append)
        self.bus.on_rating = self.sessions.handle_rating

    def _command(self, event):
        with self.lock:
            self.commands.append(event)
        if self.answer is not None:
            self.answer(event)

    def got(self, *events):
        with self.lock:
            return self.commands == list(events)


@pytest.fixture
def hall(socat, make_link):
    hall = Hall(make_link(socat.a), four_key={7: {0: 1, 1: 2, 2: 4, 3: 5}})
    start_ok(hall.bus.link)
    return hall


@pytest.fixture
def sim(socat, make_link):
    sim = KeypadSim(make_link(socat.b), auto_rate={5: 4, 7: 3})
    start_ok(sim.link)
    return sim


def test_key_press_becomes_a_command_and_is_acknowledged(hall, sim):
    sent = sim.press(3, "call")
    assert wait_until(lambda: hall.got(KeyCommand(3, Command.CALL_NEXT)))
    assert sim.wait(lambda: sent.acked, 5)
    assert sim.unacked() == []


def test_digit_command_end_to_end(hall, sim):
    sim.press_keys(3, "6", "confirm")
    sim.press_keys(4, "0", "confirm")
    assert wait_until(lambda: hall.got(KeyCommand(3, Command.NO_SHOW), KeyCommand(4, Command.HOLD)))
    assert sim.wait(lambda: not [s for s in sim.sent if not s.acked], 5)


def test_display_and_beep_reach_the_keypad(hall, sim):
    hall.bus.show_number(3, "A001")
    hall.bus.beep(3)
    assert sim.wait(lambda: sim.beeps[3] == 1, 5)
    assert sim.displays[3] == "   001"


@pytest.mark.parametrize("addr,level,four_key", [(5, 4, False), (7, 5, True)])
def test_evaluator_answers_a_prompt(hall, sim, addr, level, four_key):
    hall.sessions.ask(addr, "A001")
    assert sim.wait(lambda: sim.thank_yous[addr] == 1, 5)
    assert wait_until(lambda: hall.results)  # reported just after the thank-you goes out
    [result] = hall.results
    assert (result.outcome, result.ticket, result.level) == (RatingOutcome.RATED, "A001", level)
    assert result.mapped_from_4key is four_key
    assert sim.prompts[addr] is None
    assert sim.wait(lambda: sim.unacked() == [], 5)


def test_evaluator_without_answer_times_out(hall, sim):
    hall.sessions.timeout = 0.05
    hall.sessions.ask(9, "A002")
    assert sim.wait(lambda: sim.prompts.get(9) == "A002", 5)
    assert wait_until(lambda: hall.sessions.tick())
    assert sim.wait(lambda: sim.thank_yous[9] == 1, 5)
    assert hall.results[0].label == "未评价"


@pytest.mark.parametrize("fault", [Fault.BAD_CHECKSUM, Fault.TRUNCATED])
def test_spoilt_frame_is_dropped_and_the_next_one_kept(hall, sim, fault):
    bad = sim.press(3, "call", fault)
    good = sim.press(3, "recall")
    assert sim.wait(lambda: good.acked, 5)
    assert wait_until(lambda: hall.got(KeyCommand(3, Command.RECALL)))
    assert not bad.acked  # the host acts in order: had it echoed `bad`, we'd know by now
    assert hall.bus.parser.frames_bad == 1


def test_garbage_on_the_line(hall, sim):
    sim.send_garbage(b"\x00\x68\x16\xff\xff noise")
    good = sim.press(3, "finish")
    assert wait_until(lambda: hall.got(KeyCommand(3, Command.FINISH)))
    assert sim.wait(lambda: good.acked, 5)
    assert hall.bus.parser.bytes_skipped > 0


def test_silent_device_sends_nothing(hall, sim):
    sim.silent = True
    assert sim.press(3, "call") is None
    sim.send_garbage(b"\x00")
    assert sim.suppressed == 2
    hall.bus.show_number(3, 42)  # a silent device still hears the host
    assert sim.wait(lambda: sim.displays.get(3) == "    42", 5)
    sim.silent = False
    sent = sim.press(3, "transfer")
    assert sim.wait(lambda: sent.acked, 5)
    assert wait_until(lambda: hall.got(KeyCommand(3, Command.TRANSFER)))
    assert hall.bus.parser.bytes_skipped == 0


# -- command line -------------------------------------------------------------------

CLI = """
import argparse, sys
from hall.drivers.sim import keypad
parser = argparse.ArgumentParser()
keypad.add_parser(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args()
sys.exit(args.func(args))
"""


def test_cli_in_another_process(hall, socat):
    def answer(event):
        if event.command is Command.CALL_NEXT:
            hall.bus.show_number(event.addr, "A001")

    hall.answer = answer
    steps = ["--press", "3:call", "--press", "6", "--press", "confirm"]
    steps += ["--press", "3:recall:badsum", "--garbage", "00ff", "--rate", "5:9"]
    proc = subprocess.run(
        [sys.executable, "-c", CLI, "keypad", "--port", socat.b, "--addr", "3"] + steps,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in events if e["event"] in ("ack", "no_ack")] == ["ack"] * 4
    assert {"event": "host", "addr": 3, "func": "display", "text": "   001"}.items() <= next(
        e for e in events if e.get("func") == "display"
    ).items()
    assert wait_until(
        lambda: hall.got(KeyCommand(3, Command.CALL_NEXT), KeyCommand(3, Command.NO_SHOW))
    )
    assert hall.bus.devices()[5].bad_ratings == 1  # 9 is no rating level
    assert hall.bus.parser.frames_bad == 1


def parse_cli(*argv):
    parser = argparse.ArgumentParser()
    simkp.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["keypad", *argv])


def test_cli_steps_keep_their_order():
    args = parse_cli(
        "--port", "loop://", "--press", "call", "--garbage", "ff", "--press", "4:6:truncated"
    )
    assert args.steps == [
        ("press", None, "call", None),
        ("garbage", None, "ff", None),
        ("press", 4, "6", "truncated"),
    ]


def test_cli_reports_missing_acks(socat):
    out = io.StringIO()
    args = parse_cli(
        "--port", socat.b, "--press", "3:call", "--ack-timeout", "0.1", "--listen", "0"
    )
    assert simkp.run(args, out=out) == 1
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["event"] for e in events] == ["press", "no_ack"]


def test_cli_cannot_open_port():
    out = io.StringIO()
    args = parse_cli("--port", "/nonexistent/tty", "--connect-timeout", "0.1")
    assert simkp.run(args, out=out) == 2
    assert json.loads(out.getvalue())["event"] == "error"


def test_parse_key():
    assert simkp.parse_key("call") == b.KEY_CALL_NEXT
    assert simkp.parse_key("0x13") == b.KEY_TRANSFER
    with pytest.raises(ValueError):
        simkp.parse_key("launch")


def test_press_on_a_closed_port_raises_and_records_nothing(make_link):
    sim = KeypadSim(make_link("loop://"))  # never started
    with pytest.raises(DeviceOffline):
        sim.press(3, "call")
    assert sim.sent == []
