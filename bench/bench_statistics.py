"""Statistics and ledger verification over a month of 1,000,000 tickets with ratings.

Generates a SQLite store (the daemon's schema) with N tickets over 30 days, 10
services, 40 windows, 60 staff; 96 % finished, 90 % of those rated (the rest
未评价 records), topped up with self-service ratings to N ledger records, all
hash-chained, and a 差评 case per bad rating; then times a month of statistics (period=month, by
hall/service/window/staff, and by day), the anchoring of the ledger as an older store's (HMACs
at the first start after the upgrade) and the verification of the whole chain.

    python bench/bench_statistics.py [--tickets 1000000] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from hall.queue.ratings import anchor, ledger
from hall.queue.stats import day_cache, figures
from hall.secrets.keyring import Keyring

DAYS = 30
START = dt.date(2025, 6, 1)
SERVICES = [f"s{i}" for i in range(10)]
CASE_TYPES = ["即办件", "即办件", "即办件", "承诺件", "联办件", "上报件", "补正"]
LEVELS = [5] * 70 + [4] * 15 + [3] * 8 + [2] * 4 + [1] * 3


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Fill a fresh store at ``path`` with ``n`` tickets and their ratings."""
    open_engine(f"sqlite:///{path}").dispose()  # the schema, with every index
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    tickets, ratings, cases = [], [], []
    prev, seqs = ledger.GENESIS, {}
    base = dt.datetime.combine(START, dt.time(1, 0)).timestamp()  # 09:00 Beijing
    for i in range(n):
        d = i * DAYS // n
        day = (START + dt.timedelta(days=d)).isoformat()
        svc = SERVICES[rng.randrange(10)]
        seq = seqs[(day, svc)] = seqs.get((day, svc), 0) + 1
        issued = base + d * 86400 + rng.uniform(0, 8 * 3600)
        r = rng.random()
        status = "finished" if r < 0.96 else "no_show" if r < 0.98 else "transferred"
        window = rng.randrange(1, 41)
        staff = f"S{(window + d) % 60:03d}"
        called = issued + rng.expovariate(1 / 600)
        served = called + rng.uniform(5, 60)
        finished = served + rng.expovariate(1 / 400) if status != "no_show" else None
        ctype = rng.choice(CASE_TYPES) if status == "finished" else None
        tid = f"{i:032x}"
        tickets.append(
            (tid, day, svc, seq, f"A{seq:04d}", "normal", status, issued, issued, called)
            + (served, finished, window, staff, ctype, 0, finished or called)
        )
        if status == "finished":
            level = rng.choice(LEVELS) if rng.random() < 0.9 else None  # None: 未评价
            rec = {
                "id": len(ratings) + 1,
                "kind": "rating" if level else "unrated",
                "subject": f"ticket:{tid}",
                "ticket_id": tid,
                "number": f"A{seq:04d}",
                "service": svc,
                "window": window,
                "staff_id": staff,
                "channel": "evaluator",
                "day": day,
                "ts": finished + 20,
                "level": level,
                "tags": "[]",
                "comment": "",
                "four_key": 0,
            }
            rec["prev_hash"] = prev
            rec["hash"] = prev = ledger.chain_hash(prev, rec)
            ratings.append(tuple(rec.get(f) for f in (*ledger.FIELDS, "prev_hash", "hash")))
            if level and level <= 2:
                due = (START + dt.timedelta(days=d + 3)).isoformat()
                state = rng.choice(["open", "verified", "fixed", "closed"])
                cases.append((rec["id"], rec["number"], svc, window, staff, level, finished, day))
                cases[-1] += (state, "simple", due, due, due, finished)
    while len(ratings) < n:  # top the ledger up with self-service (kiosk) ratings
        rec = {
            "id": len(ratings) + 1,
            "kind": "rating",
            "subject": f"submission:{len(ratings):032x}",
            "submission_id": f"{len(ratings):032x}",
            "number": f"ZZ{len(ratings):010d}",
            "service": "SJ-DJ-001",
            "channel": "kiosk",
            "day": (START + dt.timedelta(days=len(ratings) % DAYS)).isoformat(),
            "ts": base + 3600,
            "level": rng.choice(LEVELS[:93]),
            "tags": "[]",
            "comment": "",
            "four_key": 0,
        }
        rec["prev_hash"] = prev
        rec["hash"] = prev = ledger.chain_hash(prev, rec)
        ratings.append(tuple(rec.get(f) for f in (*ledger.FIELDS, "prev_hash", "hash")))
    db.executemany(
        "INSERT INTO tickets (id, day, service, seq, number, kind, status, issued_at, queue_at,"
        " called_at, served_at, finished_at, window, staff_id, case_type, recalls, updated_at)"
        " VALUES (" + ",".join("?" * 17) + ")",
        tickets,
    )
    cols = (*ledger.FIELDS, "prev_hash", "hash")
    db.executemany(
        f"INSERT INTO ledger ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", ratings
    )
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)", (ledger.HEAD_KEY, f"{len(ratings)}:{prev}")
    )
    db.executemany(
        "INSERT INTO rectifications (rating_id, number, service, window, staff_id, level,"
        " opened_at, opened_day, state, complexity, contact_due, fix_due, callback_due,"
        " updated_at) VALUES (" + ",".join("?" * 14) + ")",
        cases,
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    print(f"generated {n:,} tickets, {len(ratings):,} ratings, {len(cases):,} 差评 cases")


def main() -> int:
    """Generate (unless --db exists), then time statistics and verification."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "bench.sqlite3"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.tickets)
        print(f"generation: {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    engine = open_engine(f"sqlite:///{path}")
    end = START + dt.timedelta(days=DAYS - 1)
    today = end + dt.timedelta(days=1)
    tz = "Asia/Shanghai"
    with engine.connect() as conn:
        conn.exec_driver_sql("DELETE FROM stats_days")
        conn.commit()
        t0 = time.perf_counter()
        days, fresh = figures.gather(conn, START, end, today)
        cold = time.perf_counter() - t0
        print(f"cold: figures of {len(days)} days read from the tickets: {cold:.2f} s")
        conn.commit()
    with engine.begin() as conn:
        day_cache.store(Tx(conn, time.time()), fresh)
    with engine.connect() as conn:
        total = 0.0
        for period, by in [("month", g) for g in figures.GROUPS] + [("day", "hall")]:
            t0 = time.perf_counter()
            out = figures.compute(conn, START, end, period, by, today, tz)
            took = time.perf_counter() - t0
            total += took
            print(
                f"statistics period={period:5s} by={by:7s}: {took:6.3f} s, {len(out['rows'])} rows"
            )
        print(f"warm: a month of statistics, all four groupings and daily: {total:.2f} s")
        hall = figures.compute(conn, START, end, "month", "hall", today, tz)
        row = hall["rows"][0]
        print(json.dumps({k: row[k] for k in ("served", "wait", "satisfaction")}, default=str))
    ring = Keyring.open(Path(folder.name) / "keys" / "hall.keys")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE ledger SET mac = NULL, key_id = NULL")  # a --db run again
        t0 = time.perf_counter()
        anchor.anchor_store(Tx(conn, time.time()), ring)
        print(f"anchoring (the first start after the upgrade): {time.perf_counter() - t0:.2f} s")
    with engine.connect() as conn:
        t0 = time.perf_counter()
        report = ledger.verify(conn, ring)
        took = time.perf_counter() - t0
        print(
            f"ledger verification: {report.records:,} records in {took:.2f} s "
            f"({report.records / took:,.0f}/s), ok={report.ok}"
        )
    engine.dispose()
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
