"""Staff sign-in under attack: what a guesser learns from timing, and what a flood costs others.

Two figures the tests cannot assert (they depend on the machine), measured against a real
``python -m hall.queue`` on loopback:

- Unknown id vs wrong PIN: the median time of a failed sign-in with an id that is not on the
  staff and with a real id and a wrong PIN. With the dummy scrypt they match; before it an
  unknown id answered in ~1 ms and a real one in ~30 ms, which told ids apart.
- The citizen page during a flood: ``GET /t/<id>`` latency alone, then while 120 bad
  sign-ins are sent at once. Before the PIN pool, scrypt ran on the event loop's default
  executor, the one the page's reads use.

``--root DIR`` runs the daemon from another source tree (e.g. the commit before the change,
``git archive <commit> | tar -x -C DIR``) with the same test hall, for the "before" figures;
that tree's config has no ``sign_in`` section, so none is written.

    .venv/bin/python bench/bench_signin.py [--root DIR] [--limits off|default] [--samples 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))  # tests.support

from hall.processes import stop  # noqa: E402
from tests.support import PIN, free_port, hall_config, wait_until, write_config  # noqa: E402

WRONG = "97531864"
FLOOD = 120
#: Limits high enough that every bad sign-in reaches scrypt: the pool alone is measured.
NO_LIMITS = {
    "backoff_s": 0,
    "lockout_failures": 100,
    "address_lockout_failures": 1000,
    "verify_queue": 1000,
}


def start(root: Path, folder: Path, sign_in: dict | None) -> tuple[subprocess.Popen, str]:
    """The daemon from ``root`` on the test hall; its process and base URL."""
    cfg = hall_config()
    if sign_in is not None:
        cfg["sign_in"] = sign_in
    config = write_config(folder / "config.yaml", cfg)
    port = free_port()
    argv = [sys.executable, "-m", "hall.queue", "--config", str(config)]
    argv += ["--data-dir", str(folder / "data"), "--port", str(port), "--log-level", "ERROR"]
    env = dict(os.environ, PYTHONPATH=str(root))
    log = open(folder / "daemon.log", "wb")
    proc = subprocess.Popen(argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(base + "/api/v1/health", timeout=1).ok
        except requests.RequestException:
            return False

    if not wait_until(up, 30):
        raise SystemExit(f"daemon did not start: see {folder / 'daemon.log'}")
    return proc, base


def login(base: str, staff: str, pin: str) -> tuple[int, float]:
    """One sign-in: status and seconds."""
    t0 = time.perf_counter()
    r = requests.post(
        base + "/api/v1/staff/login", json={"staff_id": staff, "pin": pin, "window": 1}, timeout=60
    )
    return r.status_code, time.perf_counter() - t0


def ms(values: list[float]) -> str:
    """Median / p90 / max in milliseconds."""
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"{statistics.median(values) * 1e3:.1f} / {p90 * 1e3:.1f} / {values[-1] * 1e3:.1f} ms"


def id_timing(base: str, samples: int) -> None:
    """Failed sign-ins: unknown ids vs real ids with a wrong PIN, interleaved."""
    unknown, wrong = [], []
    for i in range(samples):
        unknown.append(login(base, f"NOBODY{i}", WRONG)[1])
        wrong.append(login(base, f"S00{1 + i % 5}", WRONG)[1])
    print(f"failed sign-in, unknown id  (median / p90 / max): {ms(unknown)}")
    print(f"failed sign-in, wrong PIN   (median / p90 / max): {ms(wrong)}")


def page_latency(base: str, url: str, seconds: float) -> list[float]:
    """GET the citizen page in a loop for ``seconds``; each request's time."""
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        requests.get(url, timeout=60)
        times.append(time.perf_counter() - t0)
    return times


def flood(base: str) -> None:
    """/t/<id> alone, then during 120 simultaneous bad sign-ins."""
    ticket = requests.post(
        base + "/api/v1/tickets",
        json={"service": "general"},
        headers={"Authorization": "Bearer kiosk-token-1"},
        timeout=10,
    ).json()
    url = f"{base}/t/{ticket['id']}"
    print(f"/t/<id> alone               (median / p90 / max): {ms(page_latency(base, url, 2))}")
    during: list[float] = []
    done = threading.Event()

    def follow() -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            requests.get(url, timeout=60)
            during.append(time.perf_counter() - t0)

    reader = threading.Thread(target=follow)
    barrier = threading.Barrier(FLOOD)

    def bad(i: int) -> tuple[int, float]:
        barrier.wait()
        return login(base, f"S00{1 + i % 5}" if i % 2 else f"NOBODY{i}", WRONG)

    reader.start()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(FLOOD) as pool:
        results = list(pool.map(bad, range(FLOOD)))
    flood_s = time.perf_counter() - t0
    done.set()
    reader.join()
    codes = {c: sum(1 for s, _ in results if s == c) for c in sorted({s for s, _ in results})}
    print(f"/t/<id> during {FLOOD} bad sign-ins (median / p90 / max): {ms(during)}")
    print(f"  the {FLOOD} sign-ins took {flood_s:.2f} s; answers {codes}")
    print(f"  one sign-in (median / max): {ms([t for _, t in results])}")
    ok = login(base, "S001", PIN)[0]
    print(f"  then S001 with the right PIN: {ok}")


def main() -> int:
    """Run both measures once on a fresh daemon each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=HERE, help="source tree to run the daemon from"
    )
    parser.add_argument("--limits", choices=("off", "default"), default="off")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    sign_in = None
    if (args.root / "hall/config/sign_in.py").exists():
        sign_in = NO_LIMITS if args.limits == "off" else {}
    print(f"root {args.root}, sign_in {sign_in}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, measure in (("timing", id_timing), ("flood", flood)):
            folder = Path(tmp) / name
            (folder / "data").mkdir(parents=True)
            # The timing run needs every failure to reach scrypt even with default limits.
            limits = NO_LIMITS if name == "timing" and sign_in is not None else sign_in
            proc, base = start(args.root, folder, limits)
            try:
                if measure is id_timing:
                    measure(base, args.samples)
                else:
                    measure(base)
            finally:
                stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
