"""Case register listings over 100,000 cases: one department's open cases with 黄牌/红牌.

Builds a real SQLite store with the daemon's schema (every index) holding
``--cases`` register cases over 4 departments: received over the 200 days
before ``today`` (2026-10-20), about a third still open (received, returned,
accepted, suspended), the others finished, ready, delivered or refused; each
running case's promised date and first 黄牌 day stored as the register stores
them (hall/queue/cases/case_clock.py, on the shipped 2026 holiday tables). Then
times :func:`hall.queue.cases.register.listing` for one department, as
``GET /api/v1/cases?department=…&due=…`` runs it: due=red, due=yellow and every
open case, at the API's default limit (200) and its maximum (1000). Target:
≤ 100 ms each.

Usage: ``python bench/bench_cases_listing.py [--cases 100000] [--rounds 7] [--seed 15]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.queue.cases import case_clock, register
from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from hall.workdays import WorkCalendar

DEPARTMENTS = ("bdc", "scjg", "rsj", "crj")
TODAY = dt.date(2026, 10, 20)
OPEN = ("received", "returned", "accepted", "suspended")
CLOSED = ("finished", "ready", "delivered", "rejected")
COLUMNS = (
    "receipt source matter department kind status received_at received_on limit_days "
    "opened_by id_fp applicant materials missing clock_state clock_reason promised_date "
    "yellow_on extended_days extensions suspensions returns updated_at"
).split()


def build(path: Path, n: int, seed: int, cal: WorkCalendar) -> dict[str, int]:
    """Fill the store; return how many cases of each clock state it got."""
    open_engine(f"sqlite:///{path}").dispose()  # the schema, with every index
    rng = random.Random(seed)
    rows, counts = [], {"open": 0, "red": 0, "yellow": 0}
    for i in range(n):
        received = TODAY - dt.timedelta(days=rng.randint(0, 200))
        limit = rng.choice((0, 3, 5, 10, 15, 20))
        status = rng.choice(OPEN) if rng.random() < 0.33 else rng.choice(CLOSED)
        state = {"returned": "waiting", "suspended": "suspended"}.get(status, "running")
        if status in CLOSED:
            state = "finished"
        promised = yellow = None
        if state in ("running", "finished"):
            start = received + dt.timedelta(days=rng.randint(0, 20))  # after a 补正 or two
            start = min(start, TODAY)
            due = cal.add_working_days(start, limit)
            promised = due.isoformat()
            if state == "running":
                yellow = case_clock.yellow_on(cal, due, 2).isoformat()
                counts["red"] += due < TODAY
                counts["yellow"] += yellow <= TODAY.isoformat() <= promised
        counts["open"] += status in OPEN
        ts = dt.datetime.combine(received, dt.time(10), dt.UTC).timestamp() + i % 3600
        rows.append(
            (
                f"ZZ00{received:%Y%m%d}{i:06d}"[:20],
                "window",
                "SJ-SP-001",
                DEPARTMENTS[i % 4],
                "承诺件",
                status,
                ts,
                received.isoformat(),
                limit,
                "S001",
                "x" * 32,
                "sealed",
                "[]",
                "[]",
                state,
                "",
                promised,
                yellow,
                0,
                0,
                0,
                0,
                ts,
            )
        )
    con = sqlite3.connect(path)
    with con:
        marks = ",".join("?" * len(COLUMNS))
        con.executemany(f"INSERT INTO cases ({','.join(COLUMNS)}) VALUES ({marks})", rows)
    con.execute("ANALYZE")
    con.close()
    return counts


def main() -> None:
    """Build the store, time each listing ``--rounds`` times, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    cal = WorkCalendar.load()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hall.sqlite3"
        t0 = time.perf_counter()
        counts = build(path, args.cases, args.seed, cal)
        built = time.perf_counter() - t0
        engine = open_engine(f"sqlite:///{path}")
        results = []
        with engine.connect() as conn:
            tx = Tx(conn, time.time())
            for due in ("red", "yellow", "open"):
                for limit in (200, 1000):
                    times, got = [], 0
                    for _ in range(args.rounds):
                        start = time.perf_counter()
                        got = len(register.listing(tx, TODAY, "scjg", None, due, limit)["cases"])
                        times.append((time.perf_counter() - start) * 1000)
                    results.append(
                        {
                            "due": due,
                            "limit": limit,
                            "rows": got,
                            "median_ms": round(statistics.median(times), 1),
                            "best_ms": round(min(times), 1),
                        }
                    )
        engine.dispose()
    print(
        json.dumps(
            {
                "cases": args.cases,
                "departments": len(DEPARTMENTS),
                "in_store": counts,
                "build_s": round(built, 1),
                "load": os.getloadavg()[0],
                "results": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
