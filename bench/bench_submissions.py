"""Self-service submission benchmarks: store-and-forward, and outbox drain after an outage.

* terminal store: cases/s made durable on the terminal (3 A4-size JPEGs per case,
  fsynced, then one SQLite commit with synchronous=FULL);
* terminal → daemon forwarding: cases/s over loopback HTTP;
* daemon → upstream drain: 500 cases queued while the platform is down, the
  platform comes back; time from its return to the last case delivered,
  split into the wait for the next probe (bounded by ``retry_max_s``) and the
  sending itself.

Usage: ``python bench/bench_submissions.py [--cases 500]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall.kiosk.client import DaemonClient  # noqa: E402
from hall.kiosk.outbox import Draft, Material, TerminalOutbox  # noqa: E402
from tests.kiosk.submission_helpers import ID_NUMBER, jpeg  # noqa: E402
from tests.support import ProcessDaemon, free_port, hall_config  # noqa: E402
from tests.support.upstream import FakeUpstream  # noqa: E402

RETRY_MAX_S = 5.0


def drafts(n: int) -> list[Draft]:
    """``n`` cases of matter SJ-DJ-001, each with three A4-size JPEG pages at 150 dpi."""
    images = [jpeg(i, size=(1240, 1754)) for i in range(3)]  # A4 pages at 150 dpi
    return [
        Draft(
            "SJ-DJ-001",
            {"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"},
            {"company_name": f"公司{i}"},
            [Material(f"材料{k}", True, img) for k, img in enumerate(images)],
        )
        for i in range(n)
    ]


def wait_for(cond, timeout: float) -> float:
    """Poll ``cond`` every 10 ms; return the seconds it took, or exit after ``timeout`` s."""
    start = time.perf_counter()
    while not cond():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out")
        time.sleep(0.01)
    return time.perf_counter() - start


def main() -> None:
    """Store, forward and drain ``--cases`` cases on a real daemon; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500)
    args = parser.parse_args()
    n = args.cases
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        upstream = FakeUpstream(free_port())
        cfg = hall_config()
        cfg["upstream"] = {
            "submissions": {
                "url": upstream.url,
                "timeout_s": 2,
                "retry_initial_s": 0.5,
                "retry_max_s": RETRY_MAX_S,
            }
        }
        (tmp / "d").mkdir()
        (tmp / "d" / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
        daemon = ProcessDaemon(tmp / "d" / "config.yaml", tmp / "d").start()
        box = TerminalOutbox(
            tmp / "terminal",
            "自助机1",
            "01",
            DaemonClient(daemon.base, "kiosk-token-1", timeout=10),
        )
        try:
            work = drafts(n)
            lat = []
            t0 = time.perf_counter()
            for d in work:
                t = time.perf_counter()
                box.store(d)
                lat.append(time.perf_counter() - t)
            store_s = time.perf_counter() - t0
            print(
                f"terminal store: {n} cases in {store_s:.2f} s = {n / store_s:.1f} cases/s; "
                f"per case median {statistics.median(lat) * 1000:.1f} ms, "
                f"max {max(lat) * 1000:.1f} ms",
                flush=True,
            )
            t0 = time.perf_counter()
            box.start()
            wait_for(lambda: not box.cases("pending"), 600)
            fwd_s = time.perf_counter() - t0
            print(
                f"terminal -> daemon: {n} cases in {fwd_s:.2f} s = {n / fwd_s:.1f} cases/s "
                f"({sum(len(m.jpeg) for m in work[0].materials) // 1024} KB of images each)",
                flush=True,
            )

            def backlog() -> int:
                devices = requests.get(
                    daemon.base + "/api/v1/devices",
                    timeout=10,
                    headers={"Authorization": "Bearer manager-token-1"},
                ).json()
                return next(d for d in devices if d["id"] == "upstream:submissions")["backlog"]

            assert backlog() == n  # the platform has been down all along
            time.sleep(2 * RETRY_MAX_S)  # let the back-off reach its cap, as after a long outage
            back = time.perf_counter()
            upstream.start()
            first = wait_for(lambda: upstream.deliveries, 600)
            wait_for(lambda: backlog() == 0, 600)
            total = time.perf_counter() - back
            print(
                f"upstream drain of {n} cases after an outage: {total:.2f} s from the platform's "
                f"return ({first:.2f} s waiting for the next probe, bounded by retry_max_s = "
                f"{RETRY_MAX_S:g} s here, 120 s by default; {total - first:.2f} s sending = "
                f"{n / (total - first):.1f} cases/s); {len(upstream.keys())} distinct keys, "
                f"{len(upstream.deliveries)} deliveries",
                flush=True,
            )
        finally:
            box.stop()
            daemon.stop()
            upstream.stop()


if __name__ == "__main__":
    main()
