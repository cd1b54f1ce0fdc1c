"""The latency limits the tests used to assert, measured here instead.

A test checks behaviour; how fast it happens depends on the machine and its load, so
the figures and their targets live here (and in bench/RESULTS.md):

- LED bus: a busy board (w1 updated flat out) does not hold up another: ``show`` on w2
  to its frame on the link, target < 0.5 s (at 9600 baud, ~2 frames of ~40 ms go first);
  the same through a socat pty to the board simulator while w1 gets 50 rapid updates.
- Serial port gone: 100 ``send`` calls on a link whose port has disappeared all fail at
  once (DeviceOffline), target < 0.5 s for the 100.
- Face check-in, first frame to window open, target <= 2 s: ``bench/bench_face.py``.

    .venv/bin/python bench/bench_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from hall.drivers.errors import DeviceOffline
from hall.drivers.led.board import BoardSpec, LedBus, call_text
from hall.drivers.port import SerialLink
from hall.drivers.sim.board import BoardSim
from hall.drivers.status import DeviceStatus
from tests.support import wait_until
from tests.support.serial import SocatPair

BOARDS = [BoardSpec("w1", 1, "bx5"), BoardSpec("w2", 2, "line"), BoardSpec("hall", 99, "bx5")]
TARGET_S = 0.5


class RecordingLink:
    """A link that keeps every frame with the monotonic time it was sent."""

    def __init__(self) -> None:
        self.status = DeviceStatus.OK
        self.sent: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()

    def send(self, data: bytes) -> None:
        """Keep the frame."""
        with self.lock:
            self.sent.append((time.monotonic(), data))

    def line_frames(self) -> int:
        """How many line-format (w2) frames were sent."""
        with self.lock:
            return sum(1 for _, d in self.sent if d[0] == 0x02)


def busy_board(runs: int) -> list[float]:
    """show(w2) while w1 is hammered, to w2's frame on the link (LedBus pacing at 9600)."""
    times = []
    for _ in range(runs):
        link = RecordingLink()
        with LedBus(link, 9600, BOARDS, inter_frame_gap=0.01) as bus:
            stop = threading.Event()

            def hammer(bus: LedBus = bus, stop: threading.Event = stop) -> None:
                i = 0
                while not stop.is_set():
                    bus.show("w1", f"A{i:04d}")
                    i += 1

            t = threading.Thread(target=hammer)
            t.start()
            try:
                assert wait_until(lambda link=link: len(link.sent) >= 3, 2)
                t0 = time.monotonic()
                bus.show("w2", "B001 请到2号窗口")
                assert wait_until(lambda link=link: link.line_frames() >= 1, 5)
                times.append(time.monotonic() - t0)
            finally:
                stop.set()
                t.join()
    return times


def busy_board_socat(runs: int) -> list[float]:
    """The same end to end: socat pty, the board simulator decoding, 50 rapid w1 updates."""
    from tests.drivers._board_helpers import PortLink

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        pair = SocatPair(Path(tmp))
        pair.start()
        try:
            link = PortLink(pair.a)
            sim = BoardSim(pair.b, {1: "bx5", 2: "line", 99: "bx5"}).start()
            bus = LedBus(link, 9600, BOARDS, inter_frame_gap=0.02).start()
            try:
                for r in range(runs):
                    for i in range(50):
                        bus.show("w1", f"A{i:03d} 请到1号窗口")
                    text = call_text(f"B{r:03d}", 2)
                    t0 = time.monotonic()
                    bus.show("w2", text)
                    assert sim.wait_for(lambda s, text=text: s.shows.get(2) == text, 5)
                    times.append(time.monotonic() - t0)
                    assert bus.wait_idle(5)
            finally:
                bus.close()
                sim.close()
                link.close()
        finally:
            pair.stop()
    return times


def offline_sends(runs: int) -> list[float]:
    """100 sends on a link whose port has gone: each raises DeviceOffline at once."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        pair = SocatPair(Path(tmp))
        pair.start()
        link = SerialLink(pair.a, retry_initial=0.02, retry_max=0.1)
        link.start()
        try:
            assert wait_until(lambda: link.status is DeviceStatus.OK, 5)
            pair.stop()
            assert wait_until(lambda: link.status is DeviceStatus.OFFLINE, 5)
            for _ in range(runs):
                t0 = time.monotonic()
                for _ in range(100):
                    try:
                        link.send(b"lost")
                    except DeviceOffline:
                        pass
                    else:
                        raise AssertionError("send on a lost port did not fail")
                times.append(time.monotonic() - t0)
        finally:
            link.stop()
    return times


def report(name: str, times: list[float]) -> bool:
    """Print one line; True if the worst run met the target."""
    ok = max(times) < TARGET_S
    print(
        f"{name}: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms over {len(times)} runs "
        f"(target < {TARGET_S * 1000:.0f} ms: {'met' if ok else 'MISSED'})"
    )
    return ok


def main() -> int:
    """Run the three measurements; exit 1 if a target was missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ok = report("LED, busy w1: show(w2) to its frame on the link", busy_board(args.runs))
    if shutil.which("socat"):
        ok &= report(
            "LED through socat, 50 w1 updates queued: show(w2) to decoded",
            busy_board_socat(args.runs),
        )
        ok &= report("port gone: 100 sends failing", offline_sends(args.runs))
    else:
        print("socat not installed: the socat measurements are skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
