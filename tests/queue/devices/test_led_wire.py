"""The daemon's real LED bus bytes decoded by the independent DEVICES.md §2a reader.

The reader is tests/drivers/led/bx5_spec.py; the bytes come off a socat pty, for
BX-5K and for BX-6K.

The test plays the controllers itself: it reads the raw bytes at the far end of
the pty and, when a frame asks for a reply, answers with a frame built from the
spec (ACK, or NACK for the hall board), then checks the daemon's device list.
"""

from __future__ import annotations

import shutil

import pytest

from hall.drivers.port import SerialLink
from tests.drivers.led import bx5_spec as spec
from tests.support import hall_config, wait_until
from tests.support.serial import start_ok

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")


class Controllers:
    """The far end of the LED bus: every frame kept raw; replies sent when asked."""

    def __init__(self, path: str, model: str, nack: set[int]) -> None:
        self.model, self.nack = model, nack
        self.raw = bytearray()
        self.frames: list[spec.SpecFrame] = []
        self.errors: list[str] = []
        self._pending = b""
        # The link only moves bytes (the test reads them raw); it does no parsing.
        self.link = start_ok(SerialLink(path, on_bytes=self._read, retry_initial=0.05))

    def _read(self, data: bytes) -> None:
        self.raw += data
        self._pending += data
        cut = self._pending.rfind(bytes([spec.END])) + 1
        for raw in spec.frames_in(self._pending[:cut]):
            try:
                frame = spec.decode(raw, self.model)
            except AssertionError as exc:  # kept for the test thread to report
                self.errors.append(f"{raw.hex(' ')}: {exc}")
                continue
            self.frames.append(frame)
            if frame.reply == 0x01:
                ack = frame.dst not in self.nack
                self.link.send(spec.encode_reply(frame.dst, ack, 0 if ack else 4))
        self._pending = self._pending[cut:]

    def texts(self, dst: int) -> list[str]:
        return [a.text for f in list(self.frames) if f.dst == dst for a in f.areas]

    def close(self) -> None:
        self.link.stop()


def _config(port: str, model: str, reply: bool) -> dict:
    cfg = hall_config()
    for w in cfg["windows"]:
        w["devices"] = {"led_board": w["number"]}
    cfg["devices"] = {
        "led_bus": {
            "port": port,
            "bx5": {"model": model, "reply": reply, "area": {"x": 8, "width": 96, "stay_s": 2.5}},
            "hall_board": {
                "address": 99,
                "calls": 3,
                "area": {"width": 192, "height": 32, "display_mode": "scroll_left"},
            },
        }
    }
    return cfg


@pytest.mark.parametrize("model,reply", [("5K", False), ("6K", True)])
def test_daemon_led_output_decodes_per_spec(make_daemon, led_pair, model, reply) -> None:
    far = Controllers(led_pair.b, model, nack={99})
    try:
        daemon = make_daemon(_config(led_pair.a, model, reply))
        ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
        daemon.staff("S002", 2).post("/windows/2/call")
        want = f"{ticket['number']} 请到2号窗口"
        assert wait_until(lambda: want in far.texts(2), 10), far.frames
        assert wait_until(lambda: any(t.startswith(want) for t in far.texts(99)), 10)
        manager = daemon.api("manager-token-1")

        def device(device_id: str) -> dict:
            return next(d for d in manager.get("/devices").json() if d["id"] == device_id)

        if reply:
            assert wait_until(lambda: device("led:window-2")["acks"] >= 2, 10)
            assert wait_until(lambda: device("led:hall")["nacks"] >= 1, 10)
    finally:
        far.close()
    assert not far.errors, far.errors
    assert far.frames and len(spec.frames_in(bytes(far.raw))) == len(far.frames)
    for f in far.frames:
        assert (f.src, f.reserved, f.devtype, f.version) == (0x8000, bytes(6), 0xFE, 0x02)
        assert (f.reply, f.process_mode, f.deleted, len(f.areas)) == (
            0x01 if reply else 0x02,
            0,
            [],
            1,
        )
        a = f.areas[0]
        assert (a.area_type, a.sound, a.ext_len, a.exit_mode, a.speed) == (0, 0, 0, 0, 1)
        if f.dst == 99:  # the hall board's own area
            assert (a.x, a.y, a.w, a.h, a.display_mode, a.stay) == (0, 0, 192, 32, 3, 10)
        else:
            assert (a.x, a.y, a.w, a.h, a.display_mode, a.stay) == (8, 0, 96, 16, 1, 5)
        assert (a.area_id, a.run_mode, a.timeout, a.align, a.single_line, a.new_line) == (
            0,
            1,
            5,
            0,
            1,
            1,
        )
        assert a.raw_w == (a.w | 0x8000 if model == "6K" else a.w // 8)
    if reply:
        w2, hall = device("led:window-2"), device("led:hall")
        assert (w2["status"], w2["nacks"], w2["no_reply"]) == ("ok", 0, 0)
        assert (hall["status"], hall["last_error_code"], hall["acks"]) == ("error", 4, 0)
        assert device("led_bus")["replies_unexpected"] == 0
