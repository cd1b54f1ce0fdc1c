"""End to end: the daemon drives LED boards, voice, keypads and evaluators over socat ptys.

The daemon is a real subprocess with real serial links; the simulators run in
this process on the far ends of two socat pty pairs (the keypad bus and the
LED bus), speaking and decoding the wire formats of DEVICES.md.
"""

from __future__ import annotations

import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.drivers import bus485 as b
from hall.drivers.port import SerialLink
from hall.drivers.sim.board import BoardSim
from hall.drivers.sim.keypad import KeypadSim
from tests.support import Daemon, hall_config, wait_until
from tests.support.serial import SocatPair, start_ok

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")


BOARDS = {1: "bx5", 2: "bx5", 3: "line", 4: "bx5", 5: "bx5", 99: "bx5"}


class Hall:
    """A daemon with its two device buses and the simulators on their far ends."""

    def __init__(
        self, daemon: Daemon, boards: BoardSim, keypads: KeypadSim, led_pair: SocatPair
    ) -> None:
        self.daemon = daemon
        self.led_pair = led_pair
        self.boards = boards
        self.keypads = keypads
        self.kiosk = daemon.api("kiosk-token-1")
        self.manager = daemon.api("manager-token-1")

    def ratings(self) -> list[dict]:
        return self.manager.get("/evaluations").json()

    def device(self, device_id: str) -> dict:
        return next(d for d in self.manager.get("/devices").json() if d["id"] == device_id)


@pytest.fixture
def hall(make_daemon, tmp_path: Path) -> Iterator[Hall]:
    kp_pair, led_pair = SocatPair(tmp_path / "kp"), SocatPair(tmp_path / "led")
    for pair in (kp_pair, led_pair):
        Path(pair.a).parent.mkdir()
        pair.start()
    cfg = hall_config()
    for w in cfg["windows"]:
        n = w["number"]
        w["devices"] = {"led_board": n, "keypad": n, "evaluator": 100 + n}
    cfg["windows"][2]["devices"]["led_format"] = "line"
    cfg["devices"] = {
        "keypad_bus": {
            "port": kp_pair.a,
            "evaluator_timeout_s": 3,
            "four_key": {104: {0: 2, 1: 3, 2: 4, 3: 5}},
        },
        "led_bus": {"port": led_pair.a, "hall_board": {"address": 99, "calls": 3}},
        "voice": {"enabled": True, "wav_dir": "voice", "repeat": 1},
    }
    cfg["vacancy"] = {"keypad_reason": "consultation"}  # a keypad's pause key has no reason
    boards = BoardSim(led_pair.b, BOARDS)
    boards.start()
    link = SerialLink(kp_pair.b, retry_initial=0.05, retry_max=0.2)
    keypads = KeypadSim(link)
    start_ok(link)
    h = None
    try:
        h = Hall(make_daemon(cfg), boards, keypads, led_pair)
        yield h
    finally:
        link.stop()
        (h.boards if h else boards).close()
        for pair in (kp_pair, led_pair):
            pair.stop()


def test_a_keypad_call_reaches_every_device(hall: Hall) -> None:
    ticket = hall.kiosk.post("/tickets", {"service": "general"}).json()
    hall.daemon.staff("S002", 2)
    sent = hall.keypads.press(2, b.KEY_CALL_NEXT)
    assert wait_until(lambda: sent.acked, 5), "the host did not echo the key frame"
    want = f"{ticket['number']} 请到2号窗口"
    assert wait_until(lambda: hall.boards.shows.get(2) == want, 5), hall.boards.shows
    assert wait_until(lambda: want in hall.boards.shows.get(99, ""), 5)
    # Other windows untouched: window 1 still says nobody serves there (亮证上岗).
    assert hall.boards.shows.get(1, "").startswith("暂停服务")
    assert wait_until(lambda: hall.keypads.displays.get(2) == ticket["number"][1:].rjust(6), 5)
    state = hall.kiosk.get(f"/tickets/{ticket['id']}").json()
    assert state["status"] == "called" and state["window"] == 2
    voice_dir = hall.daemon.data_dir / "voice"
    assert wait_until(lambda: list(voice_dir.glob("*.wav")), 20), "no announcement rendered"
    wav = next(voice_dir.glob("*.wav"))
    with wave.open(str(wav)) as w:
        assert w.getnframes() / w.getframerate() > 1.0  # "请A零零一号到二号窗口办理"


def test_keypad_shows_the_count_waiting_left_and_the_number_served_right(hall: Hall) -> None:
    numbers = [
        hall.kiosk.post("/tickets", {"service": "general"}).json()["number"] for _ in range(3)
    ]
    staff = hall.daemon.staff("S002", 2)  # the window opens: idle, so the count (DEVICES.md §1)
    assert wait_until(lambda: hall.keypads.displays.get(2) == "3     ", 5), hall.keypads.displays
    staff.post("/windows/2/call")  # serving: the number, right-aligned
    assert wait_until(lambda: hall.keypads.displays.get(2) == numbers[0][1:].rjust(6), 5)
    staff.post("/windows/2/finish", {"case_type": "即办件"})
    assert wait_until(lambda: hall.keypads.displays.get(2) == "2     ", 5), hall.keypads.displays
    hall.kiosk.post("/tickets", {"service": "general"})  # a new arrival updates the idle keypad
    assert wait_until(lambda: hall.keypads.displays.get(2) == "3     ", 5), hall.keypads.displays
    staff.post("/windows/2/pause")
    assert wait_until(lambda: hall.keypads.displays.get(2) == "      ", 5), hall.keypads.displays


def test_line_board_and_pause_text(hall: Hall) -> None:
    hall.kiosk.post("/tickets", {"service": "other"})
    staff = hall.daemon.staff("S003", 3)
    staff.post("/windows/3/call")
    assert wait_until(lambda: hall.boards.shows.get(3) == "C001 请到3号窗口", 5)
    staff.post("/windows/3/finish", {"case_type": "即办件"})
    staff.post("/windows/3/pause")
    assert wait_until(lambda: hall.boards.shows.get(3) == "暂停服务", 5), hall.boards.shows


def test_finish_asks_the_evaluator_and_the_rating_is_recorded(hall: Hall) -> None:
    ticket = hall.kiosk.post("/tickets", {"service": "general"}).json()
    hall.daemon.staff("S002", 2)
    hall.keypads.press(2, b.KEY_CALL_NEXT)
    assert wait_until(
        lambda: hall.kiosk.get(f"/tickets/{ticket['id']}").json()["status"] == "called", 5
    )
    hall.keypads.press(2, b.KEY_FINISH)
    assert wait_until(lambda: hall.keypads.prompts.get(102) == ticket["number"], 5)
    hall.keypads.rate(102, 5)
    assert wait_until(lambda: hall.ratings(), 5)
    rating = hall.ratings()[0]
    assert (rating["number"], rating["level"], rating["label"]) == (ticket["number"], 5, "非常满意")
    assert (rating["window"], rating["staff_id"], rating["channel"]) == (2, "S002", "evaluator")
    assert rating["four_key"] is False
    # A second press for the same case is ignored and counted, never a second record.
    hall.keypads.rate(102, 1)
    assert wait_until(lambda: hall.device("evaluator-sessions")["duplicates"] == 1, 5)
    assert len(hall.ratings()) == 1
    done = hall.kiosk.get(f"/tickets/{ticket['id']}").json()
    assert done["status"] == "finished" and done["case_type"] == "即办件"


def test_no_key_means_unrated_and_four_key_devices_are_flagged(hall: Hall) -> None:
    first = hall.kiosk.post("/tickets", {"service": "general"}).json()
    second = hall.kiosk.post("/tickets", {"service": "general"}).json()
    staff = hall.daemon.staff("S004", 4)
    for _ in range(2):
        assert staff.post("/windows/4/call").status_code == 200
        staff.post("/windows/4/finish", {"case_type": "承诺件"})
        if _ == 0:
            # The citizen walks away: after evaluator_timeout_s the case is 未评价.
            assert wait_until(lambda: hall.ratings(), 10)
            unrated = hall.ratings()[0]
            assert (unrated["number"], unrated["level"], unrated["label"]) == (
                first["number"],
                None,
                "未评价",
            )
    assert wait_until(lambda: hall.keypads.prompts.get(104) == second["number"], 5)
    hall.keypads.rate(104, 3)  # a 4-key device's top key, mapped to 非常满意 by config
    assert wait_until(lambda: len(hall.ratings()) == 2, 5)
    mapped = hall.ratings()[0]
    assert (mapped["level"], mapped["four_key"]) == (5, True)


def test_keypad_keys_operate_the_window(hall: Hall) -> None:
    numbers = [
        hall.kiosk.post("/tickets", {"service": "general"}).json()["number"] for _ in range(2)
    ]
    hall.daemon.staff("S001", 1)
    windows = hall.manager

    def window1() -> dict:
        return next(w for w in windows.get("/windows").json() if w["number"] == 1)

    hall.keypads.press(1, b.KEY_CALL_NEXT)
    assert wait_until(lambda: window1()["ticket_number"] == numbers[0], 5)
    hall.keypads.press_keys(1, 6, b.KEY_CONFIRM)  # 6 + confirm = no-show
    assert wait_until(lambda: window1()["state"] == "open", 5)
    hall.keypads.press(1, b.KEY_PAUSE)
    assert wait_until(lambda: window1()["state"] == "paused", 5)
    hall.keypads.press(1, b.KEY_CALL_NEXT)  # refused while paused: the keypad beeps
    assert wait_until(lambda: hall.keypads.beeps.get(1, 0) >= 1, 5)
    hall.keypads.press(1, b.KEY_PAUSE)
    assert wait_until(lambda: window1()["state"] == "open", 5)
    (pause,) = windows.get("/vacancy/pauses").json()["pauses"]
    assert (pause["reason"], pause["by"], pause["ended_by"]) == (
        "consultation",
        "device:keypad 1",
        "resume",
    )
    hall.keypads.press_keys(1, 3, b.KEY_CONFIRM)  # 3 + confirm = call back the no-show
    hall.keypads.press(1, b.KEY_CALL_NEXT)
    assert wait_until(lambda: window1()["ticket_number"] == numbers[1], 5)
    hall.keypads.press(1, b.KEY_FINISH)
    hall.keypads.press(1, b.KEY_CALL_NEXT)
    assert wait_until(lambda: window1()["ticket_number"] == numbers[0], 5)


def test_device_list_and_bad_frames(hall: Hall) -> None:
    hall.daemon.staff("S005", 5)
    hall.keypads.press(5, b.KEY_RECALL)  # nobody is called: refused, and the keypad beeps
    assert wait_until(lambda: hall.device("keypad@5")["frames_ok"] == 1, 5)
    assert wait_until(lambda: hall.keypads.beeps.get(5, 0) == 1, 5)
    hall.keypads.send_garbage(b"\xff\x68\x03\x03\x68\x05\x01\x0c\x00\x16")  # bad checksum
    assert wait_until(lambda: hall.device("keypad@5")["frames_bad"] == 1, 5)
    hall.keypads.press(5, b.KEY_RECALL)  # a good frame after a bad one still works
    assert wait_until(lambda: hall.device("keypad@5")["frames_ok"] == 2, 5)
    assert hall.device("keypad@5")["status"] == "ok"
    bus = hall.device("keypad_bus")
    assert bus["status"] == "ok" and bus["bytes_in"] > 0
    assert hall.device("led:hall")["address"] == 99
    assert hall.device("voice")["status"] == "ok"
    assert hall.device("keypad@1")["status"] == "unknown"  # never heard from yet


def test_garbage_and_unknown_addresses_never_act(hall: Hall) -> None:
    import random

    hall.kiosk.post("/tickets", {"service": "general"})
    hall.daemon.staff("S001", 1)
    rng = random.Random(11643)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    # Frame-like noise too: right start bytes, random lengths, bodies and checksums.
    for _ in range(200):
        n = rng.randrange(0, 6)
        body = bytes([1, 1] + [rng.randrange(256) for _ in range(n)])
        noise += b"\xff\x68" + bytes([n + 2, n + 2]) + b"\x68" + body + bytes([rng.randrange(256)])
    noise += b"\xff\x68\x03\x03\x68\x01\x01\x0c"  # truncated: no checksum, no end
    hall.keypads.send_garbage(noise)
    hall.keypads.press(77, b.KEY_CALL_NEXT)  # a keypad no window owns
    bus = hall.device("keypad_bus")
    assert wait_until(lambda: hall.device("keypad_bus")["bytes_in"] >= len(noise), 10), bus
    windows = {w["number"]: w for w in hall.manager.get("/windows").json()}
    assert windows[1]["ticket_number"] is None  # nothing was called
    assert hall.manager.get("/health").json()["status"] == "ok"
    hall.keypads.press(1, b.KEY_CALL_NEXT)  # and the bus still works
    assert wait_until(
        lambda: (
            next(w for w in hall.manager.get("/windows").json() if w["number"] == 1)[
                "ticket_number"
            ]
            == "A001"
        ),
        5,
    )


def test_unplugged_board_bus_catches_up_after_replug(hall: Hall) -> None:
    staff = hall.daemon.staff("S002", 2)
    numbers = [
        hall.kiosk.post("/tickets", {"service": "general"}).json()["number"] for _ in range(3)
    ]
    staff.post("/windows/2/call")
    assert wait_until(lambda: hall.boards.shows.get(2) == f"{numbers[0]} 请到2号窗口", 5)
    hall.boards.close()
    hall.led_pair.stop()  # unplug: the daemon's port disappears
    assert wait_until(lambda: hall.device("led_bus")["status"] == "offline", 10)
    for _ in range(2):  # the API keeps serving meanwhile
        assert staff.post("/windows/2/finish", {"case_type": "即办件"}).status_code == 200
        assert staff.post("/windows/2/call").status_code == 200
    hall.led_pair.start()  # replug
    hall.boards = BoardSim(hall.led_pair.b, BOARDS).start()
    assert wait_until(lambda: hall.device("led_bus")["status"] == "ok", 15)
    # The boards show the latest state, not the calls they missed one by one.
    assert wait_until(lambda: hall.boards.shows.get(2) == f"{numbers[2]} 请到2号窗口", 10), (
        hall.boards.shows
    )
    assert wait_until(lambda: hall.boards.shows.get(99, "").startswith(numbers[2]), 10)
