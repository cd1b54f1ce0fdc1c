"""考核: a quarter's scores for 200 clerks over a year of generated activity.

Generates a SQLite store (the daemon's schema) for a hall of 200 clerks, one window
each, with every working day of 2026 (the shipped holiday table): check-in and
check-out (some late, early or missing), pauses (some over the limit), 空岗 alerts,
差评 cases in every state, complaints, cases finished late or open, and cards; then
times ``hall.queue.supervision.assessment.scores`` for 2026Q4 by clerk and by window
(the tests' generator, tests/queue/supervision/assess_helpers.py, seeded).

    python bench/bench_assessment.py [--clerks 200] [--rounds 3] [--db DIR] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.supervision import assessment
from hall.workdays import WorkCalendar
from tests.queue.supervision.assess_helpers import Activity, background, hall_of
from tests.support import TZ

YEAR = 2026
TARGET_S = 2.0


def working_days(cal: WorkCalendar) -> list[dt.date]:
    """Every working day of the year on the shipped holiday table."""
    day, out = dt.date(YEAR, 1, 1), []
    while day.year == YEAR:
        if cal.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def main() -> None:
    """Generate (unless ``--db`` holds a store already), then time the quarter's scores."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clerks", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--db", type=Path, help="data dir to keep the store in")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    config = HallConfig.model_validate(hall_of(args.clerks))
    ctx = Context.open(config, b"k" * 32)
    folder = args.db or Path(tempfile.mkdtemp(prefix="bench-assess-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "hall.sqlite3").exists():
        t0 = time.perf_counter()
        act = Activity(folder)
        background(act, random.Random(16), range(1, args.clerks + 1), working_days(ctx.calendar))
        for n in range(1, args.clerks + 1, 7):
            act.card("red" if n % 2 else "commendation", "staff", f"S{n:02d}", dt.date(YEAR, 11, 3))
        counts = {t.name: len(rows) for t, rows in act.rows.items()}
        act.write()
        print(f"generated in {time.perf_counter() - t0:.1f} s: {counts}")
    now = dt.datetime(YEAR + 1, 1, 5, 10, 0, tzinfo=TZ).timestamp()  # Q4 is over
    engine = open_engine(sqlite_url(folder))
    try:
        for kind in ("staff", "window"):
            times = []
            for _ in range(args.rounds):
                with engine.connect() as conn:
                    t0 = time.perf_counter()
                    result = assessment.scores(ctx, conn, f"{YEAR}Q4", kind, now)
                    times.append(time.perf_counter() - t0)
            lines = sum(len(r["lines"]) for r in result["rows"])
            grades = dict(Counter(r["grade"] for r in result["rows"]).most_common())
            print(
                f"{YEAR}Q4 by {kind}: {len(result['rows'])} rows, {lines} lines, "
                f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms"
                f" (target {TARGET_S:.0f} s), grades {grades}, "
                f"load {os.getloadavg()[0]:.1f}"
            )
    finally:
        engine.dispose()
        if not args.db and not args.keep:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
