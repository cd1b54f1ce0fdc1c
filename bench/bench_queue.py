"""Queue daemon benchmarks: ticket issue throughput/latency and call → SSE event latency.

Runs a real daemon subprocess (SQLite WAL, synchronous=FULL, group commit) on
loopback and drives it from this process with aiohttp:

* closed loop: N clients each issue tickets back to back for a few seconds
  (N = 1, 10, 100): throughput and latency (median, p99);
* open loop: 100 connections sharing a fixed offered rate (500/s): latency
  when the daemon is asked for the target rate, not for all it can do;
* call → event: a subscriber follows /api/v1/events while staff call numbers;
  time from sending the call request to the ``ticket.called`` event arriving.

Usage: ``python bench/bench_queue.py [--seconds 5] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall.config import hash_pin  # noqa: E402

KIOSK = {"Authorization": "Bearer bench-kiosk-token"}
PIN = "1357"


def bench_config() -> dict:
    """26 always-open services with 4-digit numbers, so a long run never runs out."""
    services = [
        {
            "code": f"s{c.lower()}",
            "name_zh": f"业务{c}",
            "name_en": f"Service {c}",
            "prefix": c,
            "hours": "always",
            "per_person_daily_limit": 5,
        }
        for c in string.ascii_uppercase
    ]
    pin_hash = hash_pin(PIN)
    return {
        "hall": {"name": "基准测试大厅", "number_digits": 4},
        "services": services,
        "windows": [{"number": 1, "services": [s["code"] for s in services]}],
        "staff": [{"id": "B1", "name": "测试员", "pin_hash": pin_hash, "windows": [1]}],
        "api": {
            "tokens": [
                {"name": "bench-kiosk", "token": "bench-kiosk-token", "role": "kiosk"},
                {"name": "bench-display", "token": "bench-display-token", "role": "display"},
            ]
        },
    }


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values, in ms."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k] * 1000


def summary(lat: list[float], elapsed: float, errors: int) -> dict:
    """The figures of one run: count, errors, requests/s and latency in ms (median, p99, max).

    ``lat`` holds the successful requests' latencies in seconds; ``elapsed`` is the
    run's length in seconds.
    """
    return {
        "requests": len(lat),
        "errors": errors,
        "per_s": round(len(lat) / elapsed, 1),
        "median_ms": round(statistics.median(lat) * 1000, 2),
        "p99_ms": round(pct(lat, 99), 2),
        "max_ms": round(max(lat) * 1000, 2),
    }


async def closed_loop(base: str, clients: int, seconds: float) -> dict:
    """``clients`` kiosks each issue tickets back to back for ``seconds``; see summary()."""
    lat: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    conn = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base, headers=KIOSK, connector=conn) as http:

        async def client(i: int) -> None:
            nonlocal errors
            n = 0
            while time.perf_counter() < deadline:
                svc = f"s{string.ascii_lowercase[(i + n) % 26]}"
                n += 1
                t0 = time.perf_counter()
                async with http.post("/api/v1/tickets", json={"service": svc}) as r:
                    await r.read()
                    if r.status == 201:
                        lat.append(time.perf_counter() - t0)
                    else:
                        errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        return summary(lat, time.perf_counter() - start, errors)


async def open_loop(
    base: str, connections: int, rate: float, seconds: float, warmup_s: float = 1.0
) -> dict:
    """Requests start on a fixed schedule; latency counts from the scheduled start.

    The first ``warmup_s`` seconds (100 TCP connections being opened) are run
    but not counted.
    """
    lat: list[float] = []
    errors = 0
    skip = int(rate * warmup_s)
    total = int(rate * (seconds + warmup_s))
    sem = asyncio.Semaphore(connections)
    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(base, headers=KIOSK, connector=conn) as http:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            async with sem:
                svc = f"s{string.ascii_lowercase[i % 26]}"
                async with http.post("/api/v1/tickets", json={"service": svc}) as r:
                    await r.read()
                    if r.status == 201:
                        # From the scheduled time: waiting for a free connection counts too.
                        if i >= skip:
                            lat.append(time.perf_counter() - scheduled)
                    else:
                        errors += 1

        await asyncio.gather(*(one(i) for i in range(total)))
        out = summary(lat, time.perf_counter() - start - warmup_s, errors)
        out["offered_per_s"] = rate
        return out


async def call_to_event(base: str, calls: int) -> dict:
    """Time from each of ``calls`` call requests to its ``ticket.called`` SSE event.

    Issues ``calls`` tickets first, logs staff B1 in at window 1, then calls and
    finishes them one at a time. Returns the count and latency in ms.
    """
    login = requests.post(
        base + "/api/v1/staff/login", json={"staff_id": "B1", "pin": PIN, "window": 1}, timeout=10
    )
    staff = {"Authorization": f"Bearer {login.json()['token']}"}
    lat: list[float] = []
    async with aiohttp.ClientSession(base) as http:
        for _ in range(calls):
            r = await http.post("/api/v1/tickets", headers=KIOSK, json={"service": "sz"})
            assert r.status == 201, await r.text()
        events = await http.get(
            "/api/v1/events",
            headers={"Authorization": "Bearer bench-display-token"},
            timeout=aiohttp.ClientTimeout(None),
        )
        arrived: asyncio.Queue[float] = asyncio.Queue()

        async def follow() -> None:
            async for line in events.content:
                if line.startswith(b"event: ticket.called"):
                    arrived.put_nowait(time.perf_counter())

        reader = asyncio.create_task(follow())
        for _ in range(calls):
            t0 = time.perf_counter()
            async with http.post("/api/v1/windows/1/call", headers=staff) as r:
                assert r.status == 200, await r.text()
            t1 = await asyncio.wait_for(arrived.get(), 5)
            lat.append(t1 - t0)
            async with http.post(
                "/api/v1/windows/1/finish", headers=staff, json={"case_type": "即办件"}
            ) as r:
                assert r.status == 200
        reader.cancel()
        events.close()
    return {
        "calls": calls,
        "median_ms": round(statistics.median(lat) * 1000, 2),
        "p99_ms": round(pct(lat, 99), 2),
        "max_ms": round(max(lat) * 1000, 2),
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daemon(folder: Path, config: dict | None = None) -> tuple[subprocess.Popen, str]:
    """A daemon subprocess on a free port (the bench hall by default), once healthy."""
    cfg = folder / "config.yaml"
    cfg.write_text(yaml.safe_dump(config or bench_config(), allow_unicode=True), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hall.queue",
            "--config",
            str(cfg),
            "--data-dir",
            str(folder / "data"),
            "--port",
            str(port),
            "--log-level",
            "WARNING",
        ],
        cwd=ROOT,
        stdout=open(folder / "daemon.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/api/v1/health", timeout=1).ok:
                return proc, base
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("daemon did not start")


def main() -> None:
    """Run each scenario on a fresh daemon; print its figures and, with ``--json``, save them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    scenarios = [
        (
            f"issue_closed_{n}",
            f"issue, closed loop, {n:3d} clients",
            lambda base, n=n: closed_loop(base, n, args.seconds),
        )
        for n in (1, 10, 100)
    ]
    scenarios.append(
        (
            "issue_open_100_at_500",
            "issue, open loop, 100 conns @ 500/s",
            lambda base: open_loop(base, 100, 500, args.seconds),
        )
    )
    scenarios.append(
        ("call_to_event", "call -> SSE event", lambda base: call_to_event(base, args.calls))
    )
    for key, label, run in scenarios:
        # A fresh daemon and database for each scenario, so none measures another's backlog.
        with tempfile.TemporaryDirectory() as tmp:
            proc, base = start_daemon(Path(tmp))
            try:
                fig = asyncio.run(run(base))
            finally:
                proc.terminate()
                proc.wait(15)
        results[key] = fig
        print(f"{label}: {fig}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
