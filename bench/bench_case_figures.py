"""The register's figures over 100,000 cases: 办结率 by hall/department/matter/clerk, 黄红牌, digest.

Generates a SQLite store (the daemon's schema) with N cases received over 2026 from
January to November (more of them lately), 8 departments, 40 matters, 60 clerks; the
older a case, the likelier it is finished (then ready or delivered), 3 % refused, the
rest open: running (accepted or received), waiting for 补正 or suspended, with the
promised date and 黄牌 day the register would store (2 working days before). Then times,
as of 2026-12-01, on one connection like the daemon's read path:

- ``case_figures.compute`` for a month, a quarter and the whole year (one aggregate);
- ``digest.warned`` for the hall and for one department (the 黄红牌 sheet, the panel);
- ``digest.digest`` of the day for every department;
- ``callbacks.figures`` over the year with 5 % of the finished cases drawn.

    python bench/bench_case_figures.py [--cases 100000] [--rounds 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.queue.cases import callbacks, digest
from hall.queue.core.schema import open_engine
from hall.queue.core.tables.cases import case_callbacks_table, cases_table
from hall.queue.core.writer import Tx
from hall.queue.stats import case_figures
from hall.workdays import WorkCalendar

DEPARTMENTS = [f"d{i}" for i in range(8)]
MATTERS = {f"M-{i:03d}": DEPARTMENTS[i % 8] for i in range(40)}
CLERKS = {d: [f"S{i:03d}" for i in range(60) if i % 8 == n] for n, d in enumerate(DEPARTMENTS)}
TODAY = dt.date(2026, 12, 1)
START = dt.date(2026, 1, 5)


def generate(path: Path, n: int, seed: int = 15) -> None:
    """N cases as the register would leave them, and 5 % of the finished drawn for 回访."""
    rng = random.Random(seed)
    cal = WorkCalendar.load()
    engine = open_engine(f"sqlite:///{path}")
    rows, drawn = [], []
    for i in range(n):
        matter = rng.choice(list(MATTERS))
        dept = MATTERS[matter]
        received = START + dt.timedelta(days=int(rng.random() ** 0.6 * (TODAY - START).days))
        limit = rng.choice((1, 3, 5, 10, 15, 20))
        promised = cal.add_working_days(received, limit)
        clerk = rng.choice(CLERKS[dept])
        row = {
            "receipt": f"R{i:08d}",
            "source": "kiosk" if rng.random() < 0.2 else "window",
            "submission_id": None,
            "ticket_id": None,
            "matter": matter,
            "department": dept,
            "kind": rng.choice(("即办件", "承诺件", "承诺件", "联办件", "上报件")),
            "received_at": 0.0,
            "received_on": received.isoformat(),
            "limit_days": limit,
            "window": 1,
            "opened_by": clerk,
            "id_fp": "0" * 32,
            "applicant": "{}",
            "materials": "[]",
            "missing": "[]",
            "clock_reason": "",
            "clock_since": None,
            "extended_days": 0,
            "extensions": int(rng.random() < 0.05),
            "suspensions": int(rng.random() < 0.04),
            "returns": int(rng.random() < 0.1),
            "promised_date": promised.isoformat(),
            "yellow_on": cal.add_working_days(received, max(0, limit - 2)).isoformat(),
            "finished_on": None,
            "finished_by": None,
            "used_days": None,
            "on_time": None,
            "updated_at": 0.0,
        }
        # Most cases end within their limit: the older a case, the likelier it is done;
        # about 1 % of the old ones are still open (and red).
        age = (TODAY - received).days
        fate = rng.random()
        if fate < 0.03 or fate < min(0.99, age / (limit * 1.6 + 3)):
            used = max(0, int(limit * rng.uniform(0.3, 1.25)))
            done = min(TODAY, cal.add_working_days(received, used))
            status = "rejected" if fate < 0.03 else rng.choice(("finished", "ready", "delivered"))
            row |= {"status": status, "clock_state": "finished", "yellow_on": None}
            row |= {"finished_on": done.isoformat(), "finished_by": rng.choice(CLERKS[dept])}
            row |= {"used_days": used, "on_time": int(used <= limit)}
            if status != "rejected" and rng.random() < 0.05:
                drawn.append({"receipt": row["receipt"], "department": dept,
                              "sampled_on": done.isoformat(), "note": "",
                              "result": rng.choice((None, "unreached", "satisfied"))})  # fmt: skip
        elif (fate := rng.random()) < 0.8:
            row |= {"status": rng.choice(("accepted", "received")), "clock_state": "running"}
        elif fate < 0.92:
            row |= {"status": "returned", "clock_state": "waiting", "promised_date": None}
            row |= {"yellow_on": None}
        else:
            row |= {"status": "suspended", "clock_state": "suspended", "promised_date": None}
            row |= {"yellow_on": None}
        rows.append(row)
    with engine.connect() as conn, conn.begin():
        for k in range(0, len(rows), 5000):
            conn.execute(cases_table.insert(), rows[k : k + 5000])
        if drawn:
            conn.execute(case_callbacks_table.insert(), drawn)
    engine.dispose()


def timed(fn, rounds: int) -> tuple[float, float, object]:
    """Median and best wall time of ``rounds`` calls, in ms, and the last result."""
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), result


def main() -> None:
    """Generate the store (or reuse ``--db``) and print one line of JSON per measurement."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "hall.sqlite3"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.cases)
        print(json.dumps({"generated": args.cases, "s": round(time.perf_counter() - t0, 1)}))
    cal = WorkCalendar.load()
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # as the statistics' read path
        conn.commit()
        cases = {
            "month (November)": (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            "quarter (Q3)": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
            "year (2026)": (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        }
        for name, (a, b) in cases.items():
            med, best, found = timed(
                lambda a=a, b=b: case_figures.compute(conn, a, b, TODAY), args.rounds
            )
            hall = found["hall"]
            print(json.dumps({"what": f"figures, {name}", "median_ms": round(med, 1),
                              "best_ms": round(best, 1), "received": hall["received"],
                              "completion_rate": hall["completion_rate"],
                              "on_time_rate": hall["on_time_rate"], "yellow": hall["yellow"],
                              "red": hall["red"], "rows": sum(len(found[g]) for g in case_figures.GROUPS)}))  # fmt: skip
        for name, depts in (("warned, hall", None), ("warned, one department", ["d3"])):
            med, best, found = timed(
                lambda d=depts: digest.warned(conn, cal, TODAY, d), args.rounds
            )
            print(json.dumps({"what": name, "median_ms": round(med, 1), "best_ms": round(best, 1),
                              "cases": len(found)}))  # fmt: skip
        med, best, found = timed(
            lambda: digest.digest(Tx(conn, 0.0), TODAY, calendar=cal), args.rounds
        )
        print(json.dumps({"what": "digest, every department", "median_ms": round(med, 1),
                          "best_ms": round(best, 1), "departments": len(found["departments"])}))  # fmt: skip
        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        med, best, found = timed(lambda: callbacks.figures(conn, *year), args.rounds)
        print(json.dumps({"what": "回访 figures, year", "median_ms": round(med, 1),
                          "best_ms": round(best, 1), **found["hall"]}))  # fmt: skip
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
