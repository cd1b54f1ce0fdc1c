"""``python -m hall.queue report --period 2026Q4 --pdf out.pdf``: the 通报 as a PDF (or HTML, JSON).

Reads the hall's database directly (counts only: no key file needed; the daemon may
be running, WAL readers never block it) and renders the A4 page
(hall/queue/web/pages/report_page.py). The PDF is printed by headless Chromium
(hall/tools/cdp.py; installed by scripts/system-deps.sh) when it is installed: the
daemon itself never needs it, it serves the HTML. Without Chromium ``--pdf`` exits 2
with a sentence saying so; ``--html`` and ``--json`` still work.

``--clock`` (or ``$HALL_CLOCK``) sets "today" as the daemon's clock does, so a
period still running is reported up to that day.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from hall.config import setup_and_load
from hall.queue.core import clock
from hall.queue.core.domain import QueueError
from hall.queue.stats.periods import parse_period

PROG = "python -m hall.queue report"
NO_CHROMIUM = (
    "未安装 Chromium，无法生成PDF（请运行 scripts/system-deps.sh，或改用 --html 后用浏览器打印）/ "
    "Chromium is not installed: cannot make the PDF (run scripts/system-deps.sh, or use --html "
    "and print it from a browser)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--config", default="config.yaml", help="path of config.yaml")
    parser.add_argument("--data-dir", help="data directory (default: storage.data_dir)")
    parser.add_argument("--period", required=True, help="2026-10 (month), 2026Q4 or 2026")
    parser.add_argument("--pdf", type=Path, help="write the A4 PDF here (needs Chromium)")
    parser.add_argument("--html", type=Path, help="write the A4 HTML page here")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    parser.add_argument(
        "--clock",
        default=os.environ.get(clock.ENV),
        metavar="ISO-INSTANT",
        help="today as of this instant (default: $HALL_CLOCK, else the system clock)",
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser


def render_pdf(html: str, out: Path) -> int:
    """Print ``html`` to ``out`` with headless Chromium; the number of pages."""
    from hall.tools.cdp import Browser

    with tempfile.TemporaryDirectory(prefix="hall-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        browser = Browser(Path(tmp) / "profile")
        try:
            browser.goto(page.as_uri())
            data = browser.send("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
        finally:
            browser.close()
    pdf = base64.b64decode(data["data"])
    out.write_bytes(pdf)
    return pdf_pages(pdf)


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed: its page objects (``/Type /Page``, not ``/Pages``)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def main(argv: list[str]) -> int:
    """Build the report and write what was asked; 2 on a bad period or without Chromium."""
    args = _parser().parse_args(argv)
    if not (args.pdf or args.html or args.json):
        sys.stderr.write(f"{PROG}: 请指定 --pdf、--html 或 --json / give --pdf, --html or --json\n")
        return 2
    try:
        period = parse_period(args.period)
        now = clock.parse(args.clock)()
    except QueueError as exc:
        sys.stderr.write(f"{PROG}: {exc.zh} / {exc.en}\n")
        return 2
    except ValueError as exc:
        sys.stderr.write(f"{PROG}: --clock: {exc}\n")
        return 2
    if args.pdf:
        from hall.tools.cdp import CHROMIUM

        if CHROMIUM is None:
            sys.stderr.write(f"{PROG}: {NO_CHROMIUM}\n")
            return 2
    config = setup_and_load("hall.queue.report", args.config, args.log_level)
    from hall.queue.core.context import Context
    from hall.queue.core.schema import open_engine, sqlite_url
    from hall.queue.supervision import reports
    from hall.queue.web.pages import report_page

    ctx = Context.open(config, b"")  # the report reads no ID fingerprints
    today = dt.date.fromisoformat(ctx.day(now))
    url = config.storage.url
    if not url:
        folder = Path(args.data_dir or config.storage.data_dir)
        if not (folder / "hall.sqlite3").exists():  # never make an empty database to report on
            sys.stderr.write(
                f"{PROG}: {folder}中没有大厅数据库 hall.sqlite3（请用 --data-dir 指定）/ "
                f"no hall database hall.sqlite3 in {folder} (give --data-dir)\n"
            )
            return 2
        url = sqlite_url(folder)
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            report, _fresh = reports.build(ctx, conn, period, today, now)
    finally:
        engine.dispose()
    html = report_page.a4_html(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.html:
        args.html.write_text(html, encoding="utf-8")
    if args.pdf:
        pages = render_pdf(html, args.pdf)
        sys.stdout.write(f"{args.pdf}: {pages} 页 pages ({period.zh} {period.en})\n")
    return 0
