"""The 通报 of a quarter for a 40-window hall: built, rendered as A4 HTML and printed to PDF.

Generates a SQLite store (the daemon's schema) with a quarter (2026Q4, 92 days) of
tickets for 40 windows: ``--per-day`` tickets on each working day of the 2026 calendar
(National Day 10-01..10-07 off, make-up Saturday 10-10 worked), a tenth of that on
weekends (双休日 service), with service begun across the day (some at lunch, after
17:00, before 09:00); 5 % priority and 8 % appointment tickets; leave and leaders'
sign-ins. Then times the report (hall/queue/supervision/reports.py) from the tickets
(closed days not cached), again with the days cached, the A4 HTML
(hall/queue/web/pages/report_page.py), and the PDF through headless Chromium
(hall/queue/supervision/report_cli.py: Chromium's start included). Target: the PDF
≤ 5 s.

    python bench/bench_report.py [--per-day 800] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine
from hall.queue.core.tables.supervision import leave_table
from hall.queue.core.writer import Tx
from hall.queue.stats import day_cache
from hall.queue.stats.periods import parse_period
from hall.queue.supervision import reports
from hall.queue.supervision.report_cli import render_pdf
from hall.queue.web.pages import report_page
from hall.tools.cdp import CHROMIUM
from hall.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026Q4"
WINDOWS = 40
TZ = ZoneInfo("Asia/Shanghai")


def config() -> HallConfig:
    """The demo hall (config.yaml) with 40 windows of the general service."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["windows"] = [
        {"number": n, "name_zh": f"综合受理{n}", "services": ["general"], "matters": ["*"]}
        for n in range(1, WINDOWS + 1)
    ]
    raw["devices"] = {}
    raw["departments"] = []
    return HallConfig.model_validate(raw)


def generate(path: Path, per_day: int, calendar: WorkCalendar, seed: int = 16) -> int:
    """Fill a fresh store at ``path``; the number of tickets."""
    open_engine(f"sqlite:///{path}").dispose()  # the schema, with every index
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    period = parse_period(PERIOD)
    rows = []
    day = period.start
    while day <= period.end:
        n = per_day if calendar.is_working_day(day) else per_day // 10
        midnight = dt.datetime.combine(day, dt.time(), TZ).timestamp()
        for seq in range(1, n + 1):
            # Service begins from 08:30 to 18:30 local, most of it in office hours.
            start = midnight + rng.choice((8.5, 9, 10, 11, 12.2, 13.5, 14, 15, 16, 17.3)) * 3600
            start += rng.uniform(0, 3000)
            r = rng.random()
            status = "finished" if r < 0.95 else "no_show" if r < 0.98 else "transferred"
            kind = "priority" if r < 0.05 else "appointment" if r < 0.13 else "normal"
            window = rng.randrange(1, WINDOWS + 1)
            rows.append(
                (
                    f"{day:%Y%m%d}-{seq}",
                    day.isoformat(),
                    "general",
                    seq,
                    f"A{seq:03d}",
                    kind,
                    status,
                    start - 900,
                    start - 900,
                    start - 60,
                    start if status != "no_show" else None,
                    start + rng.uniform(120, 900) if status == "finished" else None,
                    window,
                    f"S{window:03d}",
                    "即办件" if status == "finished" else None,
                    0,
                    start,
                )
            )
        day += dt.timedelta(days=1)
    db.executemany(
        "INSERT INTO tickets (id, day, service, seq, number, kind, status, issued_at, queue_at,"
        " called_at, served_at, finished_at, window, staff_id, case_type, recalls, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    for i in range(30):
        first = period.start + dt.timedelta(days=rng.randrange(80))
        db.execute(
            f"INSERT INTO {leave_table.name} (staff_id, start_day, start_half, end_day, end_half, days,"
            " kind, reason, cover_staff, requested_by, requested_at, status, note)"
            " VALUES (?, ?, 'am', ?, 'pm', ?, '事假', '-', ?, ?, 0, 'approved', '')",
            (
                f"S{i % 40 + 1:03d}",
                first.isoformat(),
                (first + dt.timedelta(days=3)).isoformat(),
                4.0,
                f"S{(i + 1) % 40 + 1:03d}",
                f"S{i % 40 + 1:03d}",
            ),
        )
    db.execute("COMMIT")
    db.close()
    return len(rows)


def main() -> int:
    """Generate the store, time the report, the page and the PDF; print the table rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=800, help="tickets per working day")
    parser.add_argument("--db", type=Path, help="store path (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the store")
    args = parser.parse_args()
    cfg = config()
    calendar = WorkCalendar.load()
    ctx = Context.open(cfg, b"", calendar)
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    path = args.db or folder / "hall.sqlite3"
    t0 = time.perf_counter()
    n = generate(path, args.per_day, calendar)
    print(
        f"generated {n:,} tickets over {PERIOD} for {WINDOWS} windows in "
        f"{time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f}"
    )
    period, today = parse_period(PERIOD), dt.date(2027, 1, 5)
    now = dt.datetime(2027, 1, 5, 10, tzinfo=dt.UTC).timestamp()
    engine = open_engine(f"sqlite:///{path}")
    timings = {}
    with engine.connect() as conn:
        t = time.perf_counter()
        report, fresh = reports.build(ctx, conn, period, today, now)
        timings["report from the tickets (92 days read)"] = time.perf_counter() - t
        conn.rollback()
        with conn.begin():
            day_cache.store(Tx(conn, now), fresh)
        t = time.perf_counter()
        report, _ = reports.build(ctx, conn, period, today, now)
        timings["report, closed days cached"] = time.perf_counter() - t
    engine.dispose()
    t = time.perf_counter()
    html = report_page.a4_html(report)
    timings["A4 HTML"] = time.perf_counter() - t
    if CHROMIUM is None:
        print("chromium not installed: no PDF")
    else:
        out = folder / "report.pdf"
        t = time.perf_counter()
        pages = render_pdf(html, out)
        timings[f"PDF through Chromium ({pages} pages, {out.stat().st_size // 1024} KiB)"] = (
            time.perf_counter() - t
        )
    o = report["outside_hours"]
    print(
        f"served {report['service']['served']:,}; outside hours {o['outside_total']:,} "
        f"(lunch {o['lunch']:,}, weekend/holiday {o['weekend_holiday']:,}, "
        f"after close {o['after_close']:,}, before open {o['before_open']:,})"
    )
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.2f} s |")
    total = sum(v for k, v in timings.items() if "cached" not in k)
    print(f"| from the tickets to the PDF | {total:.2f} s |")
    if not args.keep and args.db is None:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
