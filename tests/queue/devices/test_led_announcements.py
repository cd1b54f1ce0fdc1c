"""Announcements on the LED boards, in real bytes off a socat pty, decoded per DEVICES.md §2a.

An idle window board and the hall board show the announcements for them in
turn; a call goes up at once and the serving window's board shows no
announcement until the window is idle again. The bytes are read at the far
end of the pty and decoded by the independent reader (tests/drivers/led/bx5_spec.py).
A frame cut short for a call (a stump: a new sync run before its end byte,
which a card drops, DEVICES.md §2a "a receiver may take any run of A5 as the
start") is counted, not decoded.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading

import pytest

from hall.drivers.port import SerialLink
from tests.drivers.led import bx5_spec as spec
from tests.support import TZ, Daemon, hall_config, wait_until
from tests.support.serial import start_ok

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")

SYNC = bytes([spec.SYNC]) * 8
TEXT = "综合受理窗口服务热情，特此表彰"
SHOWN = f"【表彰】{TEXT}"


class FarEnd:
    """The boards' side: every frame decoded by the §2a reader, stumps counted."""

    def __init__(self, path: str) -> None:
        self.frames: list[spec.SpecFrame] = []
        self.stumps = 0
        self.errors: list[str] = []
        self._buf = b""
        self._lock = threading.Lock()
        self.link = start_ok(SerialLink(path, on_bytes=self._read, retry_initial=0.05))

    def _read(self, data: bytes) -> None:
        with self._lock:
            self._buf += data
            while True:
                start = self._buf.find(SYNC)
                if start < 0:
                    return
                nxt = self._buf.find(SYNC, start + 8)
                while nxt > 0 and self._buf[nxt - 1] == spec.SYNC:  # still the same sync run
                    nxt = self._buf.find(SYNC, nxt + 1)
                end = self._buf.find(bytes([spec.END]), start)
                if end < 0 or (0 < nxt < end):
                    if nxt < 0:
                        return  # the frame is still coming
                    self.stumps += 1  # cut short: the next frame starts before its end
                    self._buf = self._buf[nxt:]
                    continue
                raw, self._buf = self._buf[start : end + 1], self._buf[end + 1 :]
                try:
                    self.frames.append(spec.decode(raw, "5K"))
                except AssertionError as exc:
                    self.errors.append(f"{raw.hex(' ')}: {exc}")

    def texts(self, dst: int) -> list[str]:
        with self._lock:
            return [a.text for f in self.frames if f.dst == dst for a in f.areas]

    def close(self) -> None:
        self.link.stop()


def _config(port: str) -> dict:
    cfg = hall_config()
    for w in cfg["windows"]:
        w["devices"] = {"led_board": w["number"]}
    cfg["devices"] = {
        "led_bus": {
            "port": port,
            "hall_board": {"address": 99, "calls": 3},
            "rotation": {"stay_s": 1, "hall_hold_s": 1},
        }
    }
    return cfg


def _publish(daemon: Daemon, **targets) -> dict:
    until = (daemon.now() + dt.timedelta(hours=1)).astimezone(TZ).isoformat()
    body = {"kind": "commendation", "text_zh": TEXT, "until": until, **targets}
    r = daemon.api("manager-token-1").post("/announcements", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_idle_boards_show_announcements_and_a_call_goes_up_at_once(make_daemon, led_pair) -> None:
    far = FarEnd(led_pair.b)
    try:
        daemon = make_daemon(_config(led_pair.a))
        staff = daemon.staff("S002", 2)  # window 2 open and idle
        # Its own text between calls: the window and its clerk (亮证上岗, window_boards.py).
        assert wait_until(lambda: any("2号窗口" in t for t in far.texts(2)), 10), far.texts(2)
        own = far.texts(2)[-1]
        announcement = _publish(daemon, hall=True, windows=[2])
        assert wait_until(lambda: SHOWN in far.texts(2), 10), far.texts(2)
        assert wait_until(lambda: SHOWN in far.texts(99), 10), far.texts(99)
        assert SHOWN not in far.texts(1) + far.texts(3)  # not for them

        ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
        assert staff.post("/windows/2/call").status_code == 200
        called = f"{ticket['number']} 请到2号窗口"
        assert wait_until(lambda: called in far.texts(2), 5)
        shown_at_call = len(far.texts(2))
        assert not wait_until(lambda: len(far.texts(2)) > shown_at_call, 3)  # held while serving
        assert far.texts(2)[-1] == called

        staff.post("/windows/2/finish", {"case_type": "即办件"})
        assert wait_until(lambda: far.texts(2)[-1] == SHOWN, 10)  # idle again: back in turn

        daemon.api("manager-token-1").post(f"/announcements/{announcement['id']}/withdraw")
        assert wait_until(lambda: far.texts(2)[-1] == own, 10)  # its own text again
        devices = daemon.api("manager-token-1").get("/devices").json()
        board = next(d for d in devices if d["id"] == "led:window-2")
        assert board["rotation_frames"] >= 2 and board["shown_text"] == own
    finally:
        far.close()
    assert not far.errors, far.errors
    assert far.stumps == sum(d["preempted"] for d in devices if d["kind"] == "led_board")
