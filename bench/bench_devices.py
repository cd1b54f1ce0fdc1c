"""Device fan-out benchmarks: a real daemon driving its LED and keypad buses over socat ptys.

The daemon (``python -m hall.queue``) is a subprocess whose LED and keypad buses
are the near ends of socat pty pairs; the far ends are read here through
``hall.drivers.port.SerialLink`` (only hall/drivers may import serial). Scenarios:
(1) call -> first byte of the next board frame; (2) 10 windows calling flat out:
LED bytes/s against 9600 8N1 (960 B/s), frames, coalescing; (3) espeak-ng
synthesis time per announcement. Usage: ``python bench/bench_devices.py [--json F]``.

A pty does not slow to the baud rate: bytes arrive when the daemon's driver
writes them, so LedBus's pacing (bytes x 10 / baud) is all that limits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections.abc import Callable
from contextlib import ExitStack, suppress
from itertools import pairwise
from pathlib import Path

import aiohttp
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_queue import free_port, pct  # noqa: E402

from hall.config import hash_pin  # noqa: E402
from hall.drivers.errors import FrameError  # noqa: E402
from hall.drivers.led.bx5 import decode_bx5  # noqa: E402
from hall.drivers.port import SerialLink  # noqa: E402
from hall.drivers.sim.board import MixedSplitter  # noqa: E402
from hall.drivers.voice import Voice, VoiceSettings  # noqa: E402

BAUD = 9600
CAPACITY = BAUD / 10  # bytes/s at 8N1
PIN = "1357"
TOKENS = ("kiosk", "manager")
KIOSK, MANAGER = ({"Authorization": f"Bearer bench-{role}-token"} for role in TOKENS)
WINDOWS = 10
FINISH = {"case_type": "即办件"}
TABLE = """\nready to paste into bench/RESULTS.md:
| scenario | median | p99 | notes |
| --- | ---: | ---: | --- |
| call → first byte of the board frame on the LED pty ({c[calls]} calls, bus idle before each) | {c[median_ms]:.1f} ms | {c[p99_ms]:.1f} ms | a pty does not pace: the time the driver writes |
| LED bus, 10 windows calling flat out ({b[seconds]:.0f} s, {b[calls_per_s]:.0f} calls/s) | – | – | {b[bytes_per_s_steady]:.0f} of 960 B/s = **{b[ratio]:.1%}** of line capacity (first second left out); {b[frames_decoded]} frames decoded ({b[bytes_per_frame]} bytes each on average), {b[frames_bad]} bad; {b[daemon_coalesced]} updates coalesced |
| voice synthesis, espeak-ng ({v[announcements]} announcements, repeat 1) | {v[median_ms]:.0f} ms | {v[p99_ms]:.0f} ms | {v[audio_s]} s of audio each |"""


def hall_config(near: dict[str, Path], led_extra: dict | None = None) -> dict:
    """10 windows, one always-open service each (A..J), bx5 boards 1..10 + hall board 99.

    ``led_extra``: more ``led_bus`` settings (bench_rotation.py: the rotation's).
    """
    letters, pin_hash = string.ascii_uppercase[:WINDOWS], hash_pin(PIN)
    return {
        "hall": {"name": "设备基准大厅", "number_digits": 4},
        "services": [
            {"code": f"s{c.lower()}", "name_zh": c, "name_en": c, "prefix": c, "hours": "always"}
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
        "api": {"tokens": [{"name": r, "token": f"bench-{r}-token", "role": r} for r in TOKENS]},
        "devices": {
            "keypad_bus": {"port": str(near["keypad"]), "baudrate": BAUD},
            "led_bus": {
                "port": str(near["led"]),
                "baudrate": BAUD,
                "hall_board": {"address": 99},
                **(led_extra or {}),
            },
        },
    }


class FarEnd:
    """The far end of a pty: timestamps each chunk and splits it into board frames."""

    def __init__(self, path: str) -> None:
        self.chunks: list[tuple[float, int]] = []  # (perf_counter at arrival, bytes)
        self.frames: list[tuple[float, int, bool]] = []  # (completed at, bytes, decoded ok)
        self._splitter, self._cond = MixedSplitter(), threading.Condition()
        self.link = SerialLink(path, baudrate=BAUD, on_bytes=self._on_bytes, read_timeout=0.01)

    def _on_bytes(self, data: bytes) -> None:
        now = time.perf_counter()
        with self._cond:
            self.chunks.append((now, len(data)))
            for fmt, chunk in self._splitter.feed(data):
                ok = False
                with suppress(FrameError):
                    ok = chunk is not None and fmt == "bx5" and decode_bx5(chunk) is not None
                self.frames.append((now, len(chunk or b""), ok))
            self._cond.notify_all()

    def first_after(self, t0: float, timeout: float) -> float:
        """Arrival time of the first chunk at or after ``t0``."""
        with self._cond:
            if self._cond.wait_for(lambda: self.chunks and self.chunks[-1][0] >= t0, timeout):
                return self.chunks[bisect_left(self.chunks, (t0,))][0]
        raise RuntimeError("no board frame arrived")

    def idle(self, margin: float = 0.05) -> bool:
        """No frame half-received, none for the last one's line time + margin: LedBus is done."""
        with self._cond:
            last = self.chunks[-1][0] if self.chunks else 0.0
            quiet = (self.frames[-1][1] if self.frames else 0) * 10 / BAUD + margin
            return self._splitter.bx5.idle and time.perf_counter() - last >= quiet


def poll(ready: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait until ``ready()`` is true (a refused connection counts as not yet)."""
    for _ in range(int(timeout / 0.005)):  # roughly: ready() itself takes time too
        with suppress(requests.ConnectionError):
            if ready():
                return
        time.sleep(0.005)
    raise RuntimeError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """Terminate ``proc``; kill it if it has not exited after ``timeout`` seconds."""
    proc.terminate()
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)
    proc.kill()  # a no-op once it has exited
    proc.wait()


def start_stack(
    stack: ExitStack, tmp: Path, led_extra: dict | None = None, far_end: type = FarEnd
) -> tuple[str, FarEnd]:
    """Start socat pairs, far-end readers and the daemon; all of them stop with ``stack``."""
    near, ends = {}, {}
    for bus in ("led", "keypad"):
        near[bus], far = tmp / f"{bus}A", tmp / f"{bus}B"
        cmd = ["socat", f"pty,raw,echo=0,link={near[bus]}", f"pty,raw,echo=0,link={far}"]
        socat = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(stop, socat, 5)
        poll(lambda a=near[bus], b=far: a.exists() and b.exists(), 5, f"socat ({bus})")
        ends[bus] = far_end(str(far))  # the keypad end is only drained
        ends[bus].link.start()
        stack.callback(ends[bus].link.stop)
    port, cfg = free_port(), tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(hall_config(near, led_extra), allow_unicode=True), "utf-8")
    cmd = [sys.executable, "-m", "hall.queue", "--config", str(cfg), "--port", str(port)]
    cmd += ["--data-dir", str(tmp / "data"), "--log-level", "WARNING"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)  # warnings: our stderr
    stack.callback(stop, proc, 15)
    base = f"http://127.0.0.1:{port}/api/v1"
    poll(lambda: proc.poll() is None and requests.get(f"{base}/health", timeout=1).ok, 30, "daemon")
    return base, ends["led"]


def stats(seconds: list[float]) -> dict:
    """Median, p99 (nearest rank) and max of durations, in ms."""
    ms = {"median_ms": statistics.median(seconds) * 1000, "p99_ms": pct(seconds, 99)}
    return {k: round(v, 2) for k, v in (ms | {"max_ms": max(seconds) * 1000}).items()}


def login(base: str, window: int) -> dict:
    """Log staff S<window> in; return the Authorization header."""
    body = {"staff_id": f"S{window:02d}", "pin": PIN, "window": window}
    r = requests.post(base + "/staff/login", json=body, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def issue(base: str, services: list[str]) -> None:
    """Issue one ticket per entry of ``services``, 50 requests at a time."""
    sem = asyncio.Semaphore(50)
    async with aiohttp.ClientSession(headers=KIOSK) as http:

        async def one(code: str) -> None:
            async with sem, http.post(base + "/tickets", json={"service": code}) as r:
                assert r.status == 201, await r.text()

        await asyncio.gather(*(one(code) for code in services))


def led_totals(base: str) -> dict:
    """frames_sent, bytes_sent and coalesced summed over the LED boards (GET /devices)."""
    devs = requests.get(base + "/devices", headers=MANAGER, timeout=10).json()
    boards = [d for d in devs if d["kind"] == "led_board"]
    return {k: sum(d[k] for d in boards) for k in ("frames_sent", "bytes_sent", "coalesced")}


def call_to_first_byte(base: str, led: FarEnd, calls: int) -> dict:
    """Scenario 1: call request -> first byte of the next frame at the far end."""
    staff, lat = login(base, 1), []
    asyncio.run(issue(base, ["sa"] * calls))
    with requests.Session() as http:
        poll(led.idle, 10, "an idle LED bus")
        for _ in range(calls):
            t0 = time.perf_counter()
            http.post(base + "/windows/1/call", headers=staff).raise_for_status()
            lat.append(led.first_after(t0, 5) - t0)
            http.post(base + "/windows/1/finish", json=FINISH, headers=staff).raise_for_status()
            poll(led.idle, 10, "an idle LED bus")
    return {"calls": calls} | stats(lat)


async def burst(base: str, led: FarEnd, seconds: float, per_window: int) -> dict:
    """Scenario 2: each window loops call -> finish as fast as the API allows."""
    await issue(base, [f"s{c}" for c in string.ascii_lowercase[:WINDOWS]] * per_window)
    staff = {n: login(base, n) for n in range(1, WINDOWS + 1)}
    poll(led.idle, 10, "an idle LED bus")  # the logins' board updates are out of the way
    before, calls, errors = led_totals(base), [0], [0]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=WINDOWS)) as http:

        async def window(n: int) -> None:
            url = f"{base}/windows/{n}"
            while time.perf_counter() < start + seconds:
                async with http.post(url + "/call", headers=staff[n]) as r:
                    await r.read()
                if r.status != 200:  # e.g. queue empty: this window is done
                    errors[0] += 1
                    return
                calls[0] += 1
                async with http.post(url + "/finish", json=FINISH, headers=staff[n]) as r:
                    await r.read()

        start = time.perf_counter()
        await asyncio.gather(*(window(n) for n in range(1, WINDOWS + 1)))
        end = time.perf_counter()
    poll(led.idle, 30, "an idle LED bus")  # the last pending frames drain
    after = led_totals(base)
    lo = start + 1.0  # the steady part: the first second is left out
    steady = sum(n for t, n in led.chunks if lo <= t <= end) / (end - lo)
    per_s = [0] * int(end - start)
    for t, n in (c for c in led.chunks if start <= c[0] < start + len(per_s)):
        per_s[int(t - start)] += n
    frames = [f for f in led.frames if f[0] >= start]  # the burst and its drain
    steady_frames = [f for f in frames if lo <= f[0] <= end]  # gaps beyond the line time:
    over = [b[0] - a[0] - a[1] * 10 / BAUD for a, b in pairwise(steady_frames)]
    fig = {"seconds": round(end - start, 2), "calls": calls[0], "call_errors": errors[0]}
    fig["calls_per_s"] = round(calls[0] / (end - start), 1)
    fig |= {"bytes_per_s_steady": round(steady, 1), "ratio": round(steady / CAPACITY, 3)}
    fig |= {"bytes_per_second": per_s, "gap_beyond_line_time": stats(over)}
    fig["frames_decoded"] = sum(ok for *_, ok in frames)
    fig["bytes_per_frame"] = round(sum(n for _, n, _ in frames) / max(1, len(frames)), 1)
    fig["frames_bad"] = len(frames) - fig["frames_decoded"]
    return fig | {f"daemon_{k}": v - before[k] for k, v in after.items()}


def voice_synthesis(count: int) -> dict:
    """Scenario 3: espeak-ng render time per announcement, one at a time (no queueing)."""
    took, durations = [], []
    with tempfile.TemporaryDirectory() as tmp:
        settings = VoiceSettings(play=False, output_dir=Path(tmp), repeat=1)
        with Voice(settings) as voice:
            for i in range(count):
                t0 = time.perf_counter()
                item = voice.announce(f"A{i + 1:03d}", i % WINDOWS + 1)
                if not item.done.wait(60) or item.error:
                    raise RuntimeError(f"announcement failed: {item.error}")
                took.append(time.perf_counter() - t0)
                durations.append(item.duration)
    return {"announcements": count, "audio_s": round(statistics.median(durations), 2)} | stats(took)


def main() -> None:
    """Run the three scenarios (a fresh daemon for each bus scenario) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="scenario 1 calls")
    parser.add_argument("--seconds", type=float, default=10.0, help="scenario 2 burst length")
    parser.add_argument("--tickets", type=int, default=300, help="scenario 2 tickets per window")
    parser.add_argument("--announcements", type=int, default=30, help="scenario 3")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill as on ^C
    out: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    print("note: " + __doc__.split("\n\n")[2].replace("\n", " "), flush=True)
    for key, run in (
        ("call_to_first_byte", lambda base, led: call_to_first_byte(base, led, args.calls)),
        ("burst", lambda base, led: asyncio.run(burst(base, led, args.seconds, args.tickets))),
    ):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            base, led = start_stack(stack, Path(tmp))
            out[key] = run(base, led)
        print(f"{key}: {out[key]}", flush=True)
    out["voice"] = voice_synthesis(args.announcements)
    print(TABLE.format(c=out["call_to_first_byte"], b=out["burst"], v=out["voice"]))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
