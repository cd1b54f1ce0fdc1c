"""Device fan-out benchmarks: a real daemon driving its LED and keypad buses over socat ptys.

The daemon (``python -m hall.queue``) runs as a subprocess; its LED bus and
keypad bus are the near ends of two socat pty pairs and this script reads the
far ends (``hall.drivers.port.SerialLink``, i.e. pyserial ``serial_for_url``;
only hall/drivers may import serial), timestamping every chunk that arrives.

1. call -> first byte: POST /windows/1/call, then the first byte of the next
   board frame at the far end of the LED pty; the bus is idle before each call.
2. burst: 10 windows (bx5 boards + a bx5 hall board) loop call -> finish as
   fast as the API allows; bytes/s at the far end against the 9600 8N1 line
   capacity (960 B/s), frames decoded, updates coalesced (GET /devices).
3. voice: espeak-ng synthesis time per announcement (hall.drivers.voice.Voice,
   play off, WAVs written), and the audio duration for context.

A pty does not slow to the baud rate: bytes arrive when the daemon's driver
writes them, so LedBus's own pacing (bytes x 10 / baud) is all that limits.

Usage: ``python bench/bench_devices.py [--calls 200] [--seconds 10] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_queue import free_port, pct  # noqa: E402

from hall.config import hash_pin  # noqa: E402
from hall.drivers.errors import FrameError  # noqa: E402
from hall.drivers.led_bx5 import decode_bx5  # noqa: E402
from hall.drivers.port import SerialLink  # noqa: E402
from hall.drivers.sim.board import MixedSplitter  # noqa: E402
from hall.drivers.voice import Voice, VoiceSettings  # noqa: E402

BAUD = 9600
CAPACITY = BAUD / 10  # bytes/s at 8N1
PIN = "1357"
KIOSK = {"Authorization": "Bearer bench-kiosk-token"}
MANAGER = {"Authorization": "Bearer bench-manager-token"}
WINDOWS = 10
HALL_BOARD = 99


def hall_config(led: str, keypad: str) -> dict:
    """10 windows, one always-open service each (A..J), bx5 boards 1..10, hall board 99."""
    letters = string.ascii_uppercase[:WINDOWS]
    pin_hash = hash_pin(PIN)
    return {
        "hall": {"name": "设备基准大厅", "number_digits": 4},
        "services": [
            {"code": f"s{c.lower()}", "name_zh": f"业务{c}", "name_en": c, "prefix": c}
            | {"hours": "always"}
            for c in letters
        ],
        "windows": [
            {"number": n, "services": [f"s{c.lower()}"], "devices": {"led_board": n, "keypad": n}}
            for n, c in enumerate(letters, 1)
        ],
        "staff": [
            {"id": f"S{n:02d}", "name": f"员工{n}", "pin_hash": pin_hash, "windows": [n]}
            for n in range(1, WINDOWS + 1)
        ],
        "api": {
            "tokens": [
                {"name": "kiosk", "token": KIOSK["Authorization"][7:], "role": "kiosk"},
                {"name": "manager", "token": MANAGER["Authorization"][7:], "role": "manager"},
            ]
        },
        "devices": {
            "keypad_bus": {"port": keypad, "baudrate": BAUD},
            "led_bus": {
                "port": led,
                "baudrate": BAUD,
                "format": "bx5",
                "hall_board": {"address": HALL_BOARD, "calls": 4},
            },
        },
    }


class FarEnd:
    """The far end of a pty: timestamps each chunk and splits it into board frames."""

    def __init__(self, path: str) -> None:
        self.chunks: list[tuple[float, int]] = []  # (perf_counter at arrival, bytes)
        self.frames: list[tuple[float, int, bool]] = []  # (completed at, bytes, decoded ok)
        self._splitter = MixedSplitter()
        self._cond = threading.Condition()
        self.link = SerialLink(path, baudrate=BAUD, on_bytes=self._on_bytes, read_timeout=0.01)

    def _on_bytes(self, data: bytes) -> None:
        now = time.perf_counter()
        found = []
        for fmt, chunk in self._splitter.feed(data):
            try:
                ok = chunk is not None and fmt == "bx5" and decode_bx5(chunk) is not None
            except FrameError:
                ok = False
            found.append((now, len(chunk or b""), ok))
        with self._cond:
            self.chunks.append((now, len(data)))
            self.frames.extend(found)
            self._cond.notify_all()

    def first_after(self, t0: float, timeout: float) -> float:
        """Arrival time of the first chunk at or after ``t0``."""
        with self._cond:
            ok = self._cond.wait_for(lambda: self.chunks and self.chunks[-1][0] >= t0, timeout)
            if not ok:
                raise RuntimeError("no board frame arrived")
            return next(t for t, _ in self.chunks if t >= t0)

    def wait_idle(self, margin: float = 0.05, timeout: float = 10.0) -> None:
        """Wait until no byte has come for the last frame's line time + ``margin``
        (so LedBus has nothing left to send) and no frame is half-received."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._cond:
                last = self.chunks[-1][0] if self.chunks else 0.0
                quiet = (self.frames[-1][1] if self.frames else 0) * 10 / BAUD + margin
                if self._splitter.bx5.idle and time.perf_counter() - last >= quiet:
                    return
            time.sleep(0.005)
        raise RuntimeError("LED bus never went idle")


def start_stack(stack: ExitStack, tmp: Path) -> tuple[str, FarEnd, FarEnd]:
    """socat pairs, far-end readers and the daemon; everything stops with ``stack``."""
    ends = {}
    for bus in ("led", "kp"):
        a, b = tmp / f"{bus}A", tmp / f"{bus}B"
        socat = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(lambda p=socat: (p.terminate(), p.wait(5)))
        deadline = time.monotonic() + 5
        while not (a.exists() and b.exists()):
            if time.monotonic() > deadline:
                raise RuntimeError("socat did not create its ptys")
            time.sleep(0.01)
        ends[bus] = (str(a), FarEnd(str(b)))
        ends[bus][1].link.start()
        stack.callback(ends[bus][1].link.stop)
    cfg = tmp / "config.yaml"
    cfg.write_text(
        yaml.safe_dump(hall_config(ends["led"][0], ends["kp"][0]), allow_unicode=True), "utf-8"
    )
    port, log = free_port(), open(tmp / "daemon.log", "wb")
    stack.callback(log.close)
    cmd = [sys.executable, "-m", "hall.queue", "--config", str(cfg), "--data-dir"]
    cmd += [str(tmp / "data"), "--port", str(port), "--log-level", "WARNING"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(lambda: (proc.terminate(), proc.wait(15)))
    base = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=1).ok:
                return base, ends["led"][1], ends["kp"][1]
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"daemon did not start; see {tmp / 'daemon.log'}")


def login(base: str, window: int) -> dict:
    """Log staff S<window> in; return the Authorization header."""
    body = {"staff_id": f"S{window:02d}", "pin": PIN, "window": window}
    r = requests.post(base + "/staff/login", json=body, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def issue(base: str, per_window: int) -> None:
    """Issue ``per_window`` tickets for each window's service, 50 requests at a time."""
    sem = asyncio.Semaphore(50)
    async with aiohttp.ClientSession(headers=KIOSK) as http:

        async def one(code: str) -> None:
            async with sem, http.post(base + "/tickets", json={"service": code}) as r:
                assert r.status == 201, await r.text()

        letters = string.ascii_lowercase[:WINDOWS]
        await asyncio.gather(*(one(f"s{c}") for c in letters for _ in range(per_window)))


def led_boards(base: str) -> dict:
    """Per LED board: frames_sent, bytes_sent, coalesced (GET /devices)."""
    devs = requests.get(base + "/devices", headers=MANAGER, timeout=10).json()
    keys = ("frames_sent", "bytes_sent", "coalesced")
    return {d["id"]: {k: d[k] for k in keys} for d in devs if d["kind"] == "led_board"}


def call_to_first_byte(base: str, led: FarEnd, calls: int) -> dict:
    """Scenario 1: call request -> first byte of the next frame at the far end."""
    staff = login(base, 1)
    with requests.Session() as http:
        for _ in range(calls):
            http.post(base + "/tickets", json={"service": "sa"}, headers=KIOSK).raise_for_status()
        led.wait_idle()
        lat = []
        for _ in range(calls):
            t0 = time.perf_counter()
            http.post(base + "/windows/1/call", headers=staff).raise_for_status()
            lat.append(led.first_after(t0, 5) - t0)
            body = {"case_type": "即办件"}
            http.post(base + "/windows/1/finish", json=body, headers=staff).raise_for_status()
            led.wait_idle()
    ms = [x * 1000 for x in lat]
    return {"calls": calls, "median_ms": round(statistics.median(ms), 2)} | {
        "p99_ms": round(pct(lat, 99), 2),
        "max_ms": round(max(ms), 2),
    }


async def call_loop(base: str, seconds: float) -> tuple[float, float, int, int]:
    """Each window loops call -> finish until the deadline; (start, end, calls, errors)."""
    staff = {n: login(base, n) for n in range(1, WINDOWS + 1)}
    counts = {"calls": 0, "errors": 0}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=WINDOWS)) as http:

        async def window(n: int) -> None:
            url, finish = f"{base}/windows/{n}", {"case_type": "即办件"}
            while time.perf_counter() < deadline:
                async with http.post(url + "/call", headers=staff[n]) as r:
                    await r.read()
                if r.status != 200:  # e.g. queue empty: this window is done
                    counts["errors"] += 1
                    return
                counts["calls"] += 1
                async with http.post(url + "/finish", json=finish, headers=staff[n]) as r:
                    await r.read()

        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(*(window(n) for n in range(1, WINDOWS + 1)))
    return start, time.perf_counter(), counts["calls"], counts["errors"]


def burst(base: str, led: FarEnd, seconds: float, per_window: int) -> dict:
    """Scenario 2: bus throughput while 10 windows call as fast as the API allows."""
    asyncio.run(issue(base, per_window))
    for n in range(1, WINDOWS + 1):
        login(base, n)
    led.wait_idle()
    before = led_boards(base)
    start, end, calls, errors = asyncio.run(call_loop(base, seconds))
    led.wait_idle(timeout=30)
    after = led_boards(base)
    lo = start + 1.0  # the steady part: the first second is left out
    steady = sum(n for t, n in led.chunks if lo <= t <= end) / (end - lo)
    per_s = [
        sum(n for t, n in led.chunks if start + i <= t < start + i + 1)
        for i in range(int(end - start))
    ]
    frames = [f for f in led.frames if start <= f[0] <= end]
    delta = {k: sum(after[b][k] - before[b][k] for b in after) for k in after["led:hall"]}
    return {
        "seconds": round(end - start, 2),
        "calls": calls,
        "calls_per_s": round(calls / (end - start), 1),
        "call_errors": errors,
        "bytes_per_s_steady": round(steady, 1),
        "capacity_bytes_per_s": CAPACITY,
        "ratio": round(steady / CAPACITY, 3),
        "bytes_per_second": per_s,
        "frames_decoded": sum(ok for _, _, ok in frames),
        "frames_bad": sum(not ok for _, _, ok in frames),
        "mean_frame_bytes": round(statistics.mean(n for _, n, _ in frames), 1) if frames else 0,
    } | {f"daemon_{k}": v for k, v in delta.items()}


def voice_synthesis(count: int) -> dict:
    """Scenario 3: espeak-ng render time per announcement, one at a time (no queueing)."""
    with tempfile.TemporaryDirectory() as tmp:
        voice = Voice(VoiceSettings(play=False, output_dir=Path(tmp), repeat=1)).start()
        try:
            took, durations = [], []
            for i in range(count):
                t0 = time.perf_counter()
                item = voice.announce(f"A{i + 1:03d}", i % WINDOWS + 1)
                if not item.done.wait(60) or item.error:
                    raise RuntimeError(f"announcement failed: {item.error}")
                took.append(time.perf_counter() - t0)
                durations.append(item.duration)
        finally:
            voice.close()
    return {"announcements": count, "median_ms": round(statistics.median(took) * 1000, 1)} | {
        "p99_ms": round(pct(took, 99), 1),
        "audio_median_s": round(statistics.median(durations), 2),
    }


def main() -> None:
    """Run the three scenarios (a fresh daemon for each bus scenario) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="scenario 1 calls")
    parser.add_argument("--seconds", type=float, default=10.0, help="scenario 2 burst length")
    parser.add_argument("--tickets", type=int, default=1500, help="scenario 2 tickets per window")
    parser.add_argument("--announcements", type=int, default=30, help="scenario 3")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    out: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    print("note: a pty does not slow to the baud rate; bytes arrive when the daemon's", flush=True)
    print("      driver writes them, so LedBus pacing (bytes*10/baud) is the only limit.")
    for key, run in (
        ("call_to_first_byte", lambda base, led: call_to_first_byte(base, led, args.calls)),
        ("burst", lambda base, led: burst(base, led, args.seconds, args.tickets)),
    ):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            base, led, _keypad = start_stack(stack, Path(tmp))
            out[key] = run(base, led)
        print(f"{key}: {out[key]}", flush=True)
    out["voice"] = voice_synthesis(args.announcements)
    print(f"voice: {out['voice']}")
    c, b, v = out["call_to_first_byte"], out["burst"], out["voice"]
    print("\n| measure | median | p99 | notes |\n| --- | ---: | ---: | --- |")
    print(
        f"| call → first LED byte ({c['calls']} calls) | {c['median_ms']} ms | {c['p99_ms']} ms | pty, driver write time |"
    )
    print(
        f"| voice synthesis ({v['announcements']} announcements) | {v['median_ms']} ms | {v['p99_ms']} ms | audio {v['audio_median_s']} s each |"
    )
    print(
        f"\nburst, 10 windows, {b['seconds']} s: {b['calls_per_s']} calls/s; LED bus {b['bytes_per_s_steady']} B/s "
        f"of {CAPACITY:.0f} = {b['ratio']:.1%}; {b['frames_decoded']} frames decoded, "
        f"{b['daemon_coalesced']} updates coalesced"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
