"""Benchmark LedBus: updates/s delivered and show()-to-decoded latency.

8 window boards (1-4 bx5, 5-8 line) and one hall board (99, bx5) on one
socat pty pair, LedBus pacing at 9600 baud.
Each call updates one window board and the hall board (last 5 calls). ptys do
not slow to the baud rate, so LedBus's own pacing is what limits throughput;
"wire" latency adds the frame's own line time, i.e. when its last byte would
have reached a real board.

    .venv/bin/python bench/bench_led.py [--seconds 10] [--rates 2,10,50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from hall.drivers.led.board import BoardSpec, HallHistory, LedBus, call_text
from hall.drivers.led.bx5 import encode_bx5
from hall.drivers.led.line import encode_line
from hall.drivers.sim.board import BoardSim, Update

BAUD = 9600
WINDOWS = [BoardSpec(f"w{i}", i, "bx5" if i <= 4 else "line") for i in range(1, 9)]
HALL = BoardSpec("hall", 99, "bx5")


class Link:
    """Minimal write-only link to the pty (socat made it raw).

    Only hall/drivers may import serial, so this writes with os.write;
    hall.drivers.port.SerialLink could replace it.
    """

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)

    def send(self, data: bytes) -> None:
        """Write all of ``data``, looping over short writes."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def close(self) -> None:
        """Close the pty's file descriptor."""
        os.close(self.fd)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``values``: the sorted value at p% of the count."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def run(rate: float, seconds: float, gap: float, host: str, board: str) -> None:
    """Call at ``rate`` calls/s for ``seconds`` and print throughput and latency.

    ``host`` is the pty LedBus writes to, ``board`` the pty the simulated boards
    read, ``gap`` the line boards' inter-frame gap in seconds.
    """
    shown: dict[tuple[int, str], float] = {}
    decoded: list[tuple[Update, float]] = []
    lock = threading.Lock()

    def on_update(u: Update) -> None:
        with lock:
            t = shown.get((u.addr, u.text))
            if t is not None:
                decoded.append((u, u.t - t))

    link = Link(host)
    sim = BoardSim(
        board,
        {b.address: b.format for b in [*WINDOWS, HALL]},
        on_update=on_update,
    ).start()
    bus = LedBus(link, BAUD, [*WINDOWS, HALL], inter_frame_gap=gap).start()
    history = HallHistory(5)
    calls = 0
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            calls += 1
            spec = WINDOWS[calls % len(WINDOWS)]
            number = f"A{calls:04d}"
            texts = [
                (spec, call_text(number, spec.address)),
                (HALL, history.add(number, spec.address)),
            ]
            with lock:
                for s, text in texts:
                    shown[(s.address, text)] = time.monotonic()
            for s, text in texts:
                bus.show(s.board_id, text)
            time.sleep(max(0.0, start + calls / rate - time.monotonic()))
        bus.wait_idle(5)
        sim.wait_for(
            lambda s: (
                sum(s.frames.values()) >= sum(v["frames_sent"] for v in bus.status().values())
            ),
            5,
        )
        elapsed = time.monotonic() - start
    finally:
        bus.close()
        sim.close()
        link.close()

    status = bus.status()
    sent = sum(v["frames_sent"] for v in status.values())
    coalesced = sum(v["coalesced"] for v in status.values())
    lat = [d for _, d in decoded]
    wire = []
    for u, d in decoded:
        frame = encode_line(u.addr, u.text) if u.format == "line" else encode_bx5(u.addr, u.text)
        wire.append(d + bus.line_time(len(frame), u.format))
    byte_s = sum(v["bytes_sent"] for v in status.values()) / elapsed
    print(
        f"rate {rate:>5.1f} calls/s ({2 * rate:.0f} updates/s offered), {seconds:.0f} s: "
        f"{calls * 2} shown, {sent} frames delivered = {sent / elapsed:.1f} updates/s, "
        f"{coalesced} coalesced, bad {sim.bad_frames}, line use {byte_s:.0f} B/s of {BAUD // 10}"
    )
    if lat:
        print(
            f"    latency show->decoded: median {statistics.median(lat) * 1000:.1f} ms, "
            f"p99 {percentile(lat, 99) * 1000:.1f} ms; "
            f"with own line time: median {statistics.median(wire) * 1000:.1f} ms, "
            f"p99 {percentile(wire, 99) * 1000:.1f} ms, max {max(wire) * 1000:.1f} ms"
        )


def main() -> int:
    """For each rate in ``--rates``: a fresh socat pair and one measurement; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", default="2,10,50", help="calls per second, comma-separated")
    parser.add_argument("--gap", type=float, default=0.05, help="line-board inter-frame gap, s")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    print(
        f"LedBus at {BAUD} baud, 8 window boards (4 bx5, 4 line) + 1 hall board (bx5), "
        f"line gap {args.gap * 1000:.0f} ms"
    )
    if shutil.which("socat") is None:
        parser.error("socat is needed for the pty pair")
    for rate in rates:
        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp) / "a", Path(tmp) / "b"
            proc = subprocess.Popen(
                ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + 5
                while not (a.exists() and b.exists()) and time.monotonic() < deadline:
                    time.sleep(0.01)
                run(rate, args.seconds, args.gap, str(a), str(b))
            finally:
                proc.terminate()
                proc.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
