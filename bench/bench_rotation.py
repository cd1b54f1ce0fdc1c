"""Call → first byte of the call's board frame, with an announcement rotation running and without.

One real daemon (``python -m hall.queue``) drives 10 bx5 window boards and a
hall board on a socat pty (bench_devices.py's stack); its rotation
(``led_bus.rotation``) has every idle board change its text every second, so
with announcements in force the bus is saturated with rotation frames: the
worst case for a call. Calls at window 1 alternate in blocks between "no
announcement in force" and "one for every board in force" (published and
withdrawn between blocks), so both sets of figures come from the same
daemon under the same machine load. Each call is measured from the request
to the first byte of the first frame that shows the called number (window
1's board or the hall board, whichever the bus serves first; found in the raw
byte stream by address and text, as bench_devices.py's figure), a random
0.2-0.5 s after the previous call's finish, so calls land at every phase of
the rotation frames. The p99 with the rotation must stay within 20 ms of
the p99 without (LedBus.show_idle: a call cuts a rotation frame after its
current 8-byte chunk, 8.3 ms at 9600 baud).

Usage: ``python bench/bench_rotation.py [--blocks 10] [--per-block 20] [--json F]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from bisect import bisect_right
from contextlib import ExitStack
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_devices import (
    BAUD,
    FINISH,
    MANAGER,
    FarEnd,
    issue,
    login,
    start_stack,
    stats,
)

SYNC = b"\xa5" * 8
ROTATION = {"rotation": {"stay_s": 1, "hall_hold_s": 1, "chunk_bytes": 8}}
TEXT = "表彰：综合受理窗口服务热情，办事群众满意，特此表彰"


class CallEnd(FarEnd):
    """FarEnd that also keeps the raw stream and where each chunk starts in it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.raw = bytearray()
        self.starts: list[int] = []  # offset of each chunk in ``raw`` (parallel to chunks)
        self._raw_lock = threading.Lock()

    def _on_bytes(self, data: bytes) -> None:
        with self._raw_lock:
            self.starts.append(len(self.raw))
            self.raw += data
        super()._on_bytes(data)

    def offset(self) -> int:
        """Bytes received so far (read just before a call: where to look for its frame)."""
        with self._raw_lock:
            return len(self.raw)

    def call_frame(self, since: int, dsts: tuple[int, ...], text: str, timeout: float) -> float:
        """Arrival time of the first byte of the first whole frame to one of ``dsts`` with ``text``.

        Only the bytes after ``since`` are copied and searched: copying the whole stream
        every few ms would hold the GIL against the reader thread and skew its timestamps.
        """
        needle = text.encode("gbk")
        heads = [SYNC + dst.to_bytes(2, "little") for dst in dsts]
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._raw_lock:
                raw = bytes(self.raw[since:])
                first = bisect_right(self.starts, since) - 1
                starts = self.starts[first:]
            at = raw.find(SYNC)
            while at >= 0:
                run_end = at
                while run_end < len(raw) and raw[run_end] == 0xA5:
                    run_end += 1
                at = run_end - 8  # a longer sync run: the frame starts with its last 8
                end = raw.find(b"\x5a", at)
                if end < 0:
                    break
                nxt = raw.find(SYNC, at + 8)
                whole = nxt < 0 or nxt > end  # not a stump cut short for a call
                if whole and raw[at : at + 10] in heads and raw.find(needle, at, end) >= 0:
                    i = first + bisect_right(starts, since + at) - 1
                    with self._cond:
                        return self.chunks[i][0]
                at = raw.find(SYNC, at + 8)
            time.sleep(0.005)
        raise RuntimeError(f"no frame to boards {dsts} with {text!r}")


def announce(base: str) -> int:
    """One announcement for every board, in force for an hour; its id."""
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    body = {"kind": "commendation", "text_zh": TEXT, "until": until, "hall": True}
    r = requests.post(base + "/announcements", json=body | {"windows": "all"}, headers=MANAGER)
    r.raise_for_status()
    return r.json()["id"]


def devices(base: str) -> dict:
    """The LED boards' preempted and rotation_frames counters, summed."""
    devs = requests.get(base + "/devices", headers=MANAGER, timeout=10).json()
    boards = [d for d in devs if d["kind"] == "led_board"]
    return {k: sum(d[k] for d in boards) for k in ("preempted", "rotation_frames")}


def run(base: str, led: CallEnd, blocks: int, per_block: int) -> dict:
    """Alternate blocks of calls without and with the rotation; latencies per mode."""
    import asyncio

    staff = login(base, 1)
    asyncio.run(issue(base, ["sa"] * (blocks * per_block)))
    lat: dict[str, list[float]] = {"without": [], "with": []}
    rng = random.Random(14)
    with requests.Session() as http:
        for b in range(blocks):
            mode = "with" if b % 2 else "without"
            ann = announce(base) if mode == "with" else None
            time.sleep(1.5)  # the rotation gets going (or the last frames drain)
            for _ in range(per_block):
                time.sleep(rng.uniform(0.2, 0.5))
                since = led.offset()
                t0 = time.perf_counter()
                r = http.post(base + "/windows/1/call", headers=staff)
                r.raise_for_status()
                body = r.json()
                number = body.get("ticket", body)["number"]
                lat[mode].append(led.call_frame(since, (1, 99), f"{number} 请到1号窗口", 5) - t0)
                http.post(base + "/windows/1/finish", json=FINISH, headers=staff).raise_for_status()
            if ann is not None:
                http.post(
                    f"{base}/announcements/{ann}/withdraw", headers=MANAGER
                ).raise_for_status()
    out = {mode: {"calls": len(v)} | stats(v) for mode, v in lat.items()}
    out["p99_difference_ms"] = round(out["with"]["p99_ms"] - out["without"]["p99_ms"], 2)
    out["median_difference_ms"] = round(
        statistics.median(lat["with"]) * 1000 - statistics.median(lat["without"]) * 1000, 2
    )
    return out | devices(base)


def main() -> None:
    """Run the alternating blocks once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=10, help="blocks, alternating")
    parser.add_argument("--per-block", type=int, default=20, help="calls per block")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    out: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        base, led = start_stack(stack, Path(tmp), ROTATION, CallEnd)
        out |= run(base, led, args.blocks, args.per_block)
    out["machine"]["load_after"] = os.getloadavg()
    out["baud"] = BAUD
    print(json.dumps(out, indent=2))
    w, r = out["without"], out["with"]
    print(
        "\nready to paste into bench/RESULTS.md:\n| rotation | calls | median | p99 | max |\n"
        "| --- | ---: | ---: | ---: | ---: |\n"
        f"| none | {w['calls']} | {w['median_ms']:.1f} ms | {w['p99_ms']:.1f} ms | {w['max_ms']:.1f} ms |\n"
        f"| every board, 1 s turns | {r['calls']} | {r['median_ms']:.1f} ms | {r['p99_ms']:.1f} ms"
        f" | {r['max_ms']:.1f} ms |\n\np99 difference {out['p99_difference_ms']} ms (target ≤ 20 ms);"
        f" {out['preempted']} rotation frames cut for a call, {out['rotation_frames']} sent whole"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), "utf-8")


if __name__ == "__main__":
    main()
