"""限时办结 clock for many cases: ``compute_clock`` over random histories on the 2026 calendar.

Each case is received on a random 2026 day from January to July, with a limit of
0-30 working days and up to 8 clock events in a random valid order (补正 return and
supply, suspensions and resumptions, extensions, finish), 0-10 days apart; its
clock is computed as of 60 days after receipt (yellow at 2 days left), on the
shipped holiday tables. The figures: the time for all cases in one process (as a
register listing its cases would compute them), per case, and how many came out
running, stopped, yellow and red, so a run shows the histories were varied.

Usage: ``python bench/bench_deadline.py [--cases 10000] [--seed 15] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.queue.cases.deadline import ClockEvent, compute_clock
from hall.workdays import WorkCalendar

REASONS = ("听证", "专家评审", "公告", "现场勘查")


def history(rng: random.Random, received: dt.date) -> list[ClockEvent]:
    """Up to 8 events in an order the clock accepts, 0-10 days apart."""
    events: list[ClockEvent] = []
    state, day = "running", received
    for _ in range(rng.randint(0, 8)):
        day += dt.timedelta(days=rng.randint(0, 10))
        if state == "waiting":
            events.append(ClockEvent("supply", day))
            state = "running"
        elif state == "suspended":
            kind = rng.choice(("resume", "resume", "extend"))
            events.append(ClockEvent(kind, day, days=rng.randint(1, 5) if kind == "extend" else 0))
            state = "running" if kind == "resume" else state
        else:
            kind = rng.choice(("return", "suspend", "extend", "finish"))
            if kind == "suspend":
                events.append(ClockEvent(kind, day, reason=rng.choice(REASONS)))
            else:
                events.append(ClockEvent(kind, day, days=rng.randint(1, 5) * (kind == "extend")))
            state = {"return": "waiting", "suspend": "suspended", "finish": "finished"}.get(
                kind, state
            )
        if state == "finished":
            break
    return events


def cases(n: int, seed: int) -> list[tuple[dt.date, int, list[ClockEvent], dt.date]]:
    """``n`` random cases: (received, limit, events, today)."""
    rng = random.Random(seed)
    start = dt.date(2026, 1, 5)
    out = []
    for _ in range(n):
        received = start + dt.timedelta(days=rng.randint(0, 207))  # to the end of July
        out.append(
            (received, rng.randint(0, 30), history(rng, received), received + dt.timedelta(60))
        )
    return out


def main() -> None:
    """Compute every case's clock ``--rounds`` times; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    cal = WorkCalendar.load()
    work = cases(args.cases, args.seed)
    totals, kinds = [], Counter()
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        clocks = [compute_clock(cal, r, lim, ev, today=t) for r, lim, ev, t in work]
        totals.append(time.perf_counter() - t0)
    for c in clocks:
        kinds[c.state] += 1
        kinds[c.warning or "no warning"] += 1
    best, median = min(totals), statistics.median(totals)
    out = {
        "cases": args.cases,
        "events": sum(len(ev) for _, _, ev, _ in work),
        "rounds_s": [round(t, 3) for t in totals],
        "median_ms": round(median * 1000, 1),
        "per_case_us": round(median / args.cases * 1e6, 1),
        "outcomes": dict(kinds),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    print(
        "\nready to paste into bench/RESULTS.md:\n| cases | events | median of "
        f"{args.rounds} | best | per case |\n| ---: | ---: | ---: | ---: | ---: |\n"
        f"| {args.cases} | {out['events']} | {median * 1000:.0f} ms | {best * 1000:.0f} ms"
        f" | {out['per_case_us']} µs |\n\nload (1 min) {load_before[0]:.1f} before,"
        f" {out['load_after'][0]:.1f} after; {dict(kinds)}"
    )


if __name__ == "__main__":
    main()
