"""The 通报 as one self-contained A4 HTML page: what a manager prints or saves as PDF.

:func:`a4_html` lays out a report (hall/queue/supervision/reports.py) section by
section (hall/queue/supervision/report_lines.py), Chinese first with the English
beside it, and its charts as inline SVG (hall/queue/supervision/report_charts.py).
Nothing loads from anywhere and no script runs: the page's own
Content-Security-Policy (:data:`CSP`, also sent as the route's header) allows only
the inline style, by its SHA-256. Sections do not split across pages where they fit
on one (``break-inside: avoid``).
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from hall.queue.supervision import report_charts
from hall.queue.supervision.report_lines import Section, pct, sections

STYLE = """
@page { size: A4; margin: 15mm 16mm; }
* { box-sizing: border-box; }
html { background: #e8e8e8; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  color: #000; font-size: 10pt; line-height: 1.4; }
.sheet { width: 178mm; margin: 8mm auto; padding: 10mm; background: #fff; }
header { text-align: center; border-bottom: 0.6mm solid #b23b3b; margin-bottom: 4mm; }
h1 { font-size: 18pt; margin: 0; letter-spacing: 0.1em; }
.en { color: #555; font-size: 8.5pt; }
h1 .en { display: block; font-size: 10pt; letter-spacing: 0; }
.meta { margin: 1mm 0 3mm; }
section { break-inside: avoid; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 0 0 1.5mm; border-left: 1.2mm solid #3b6ea8; padding-left: 2mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.2mm solid #999; padding: 0.8mm 2mm; text-align: left;
  overflow-wrap: anywhere; }
th { background: #f0f0f0; font-weight: normal; }
.cols { display: flex; gap: 3mm; align-items: flex-start; }
.cols table { flex: 1; }
table.lines td.v { text-align: right; width: 27mm; white-space: nowrap; }
.note { color: #555; font-style: italic; margin: 0; }
figure { margin: 0 0 3mm; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { text-align: center; font-size: 9pt; }
footer { margin-top: 6mm; text-align: right; font-size: 9pt; }
@media print {
  html { background: none; }
  .sheet { margin: 0; padding: 0; width: auto; }
}
""".strip()


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_COMMON = (
    f"default-src 'none'; style-src {_sha256(STYLE)}; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
#: The page's policy, sent as a header (a <meta> policy cannot say frame-ancestors).
CSP = f"{_COMMON}; frame-ancestors 'none'"
#: Headers of the page's response (API paths get no page headers otherwise).
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _section(sec: Section) -> str:
    parts = [f'<section><h2>{escape(sec.zh)} <span class="en">{escape(sec.en)}</span></h2>']
    if sec.lines:
        # More than six lines: two tables side by side, to keep the report to few sheets.
        half = (len(sec.lines) + 1) // 2 if len(sec.lines) > 6 else len(sec.lines)
        tables = [
            '<table class="lines">'
            + "".join(
                f'<tr><td>{escape(zh)} <span class="en">{escape(en)}</span></td>'
                f'<td class="v">{escape(value)}</td></tr>'
                for zh, en, value in chunk
            )
            + "</table>"
            for chunk in (sec.lines[:half], sec.lines[half:])
            if chunk
        ]
        parts.append(f'<div class="cols">{"".join(tables)}</div>')
    if sec.table:
        head = "".join(f"<th>{escape(h)}</th>" for h in sec.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in sec.table
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if sec.note:
        parts.append(f'<p class="note">{escape(sec.note)}</p>')
    return "".join(parts) + "</section>"


def _label(bucket: str, trend_period: str) -> str:
    """A trend bucket's axis label: 10月 for a month, 10-05 for a week's Monday."""
    if trend_period == "month":
        return f"{int(bucket[5:7])}月"
    return bucket[5:]


def charts(report: dict[str, Any]) -> str:
    """The report's charts: served and outside-hours per bucket; 满意率 per bucket; windows."""
    trend = report["trend"]
    cats = [_label(t["bucket"], report["trend_period"]) for t in trend]
    figs = []
    if trend:
        served = report_charts.bars(
            "办结与非工作时间服务 served and outside regular hours",
            cats,
            [
                ("办结 served", [float(t["served"]) for t in trend]),
                ("非工作时间 outside hours", [float(t["outside_total"]) for t in trend]),
            ],
        )
        figs.append((served, "办结量与非工作时间服务 Served, and served outside regular hours"))
    if any(t["satisfaction"] is not None for t in trend):
        line = report_charts.rate_line(
            "满意率 satisfaction", cats, [t["satisfaction"] for t in trend], "满意率 satisfaction"
        )
        figs.append((line, "满意率 Satisfaction"))
    windows = [w for w in report["windows"] if w["served"]]
    if windows:
        chart = report_charts.bars(
            "各窗口办结 served per window",
            [str(w["window"]) for w in windows],
            [("办结 served", [float(w["served"]) for w in windows])],
            values=len(windows) <= 16,  # more bars: the values in their titles only
        )
        figs.append((chart, "各窗口办结量 Served per window (window number)"))
    return "".join(
        f'<figure class="chart-fig">{svg}<figcaption>{escape(cap)}</figcaption></figure>'
        for svg, cap in figs
    )


def a4_html(report: dict[str, Any]) -> str:
    """The report as one HTML page for A4 paper (see the module docstring)."""
    p = report["period"]
    title = f"{report['hall']}{p['zh']}工作通报"
    running = "" if report["complete"] else "（统计期未结束 period still running）"
    secs = sections(report)
    satisfaction = pct(report["service"].get("satisfaction"))
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_COMMON}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main class="sheet" id="report" data-period="{escape(p["code"])}">
<header><h1>{escape(title)}<span class="en">{escape(report["hall"])}: report of {escape(p["en"])}</span></h1>
<p class="meta">统计期 Period {escape(p["start"])} – {escape(p["end"])}，截至 as of {escape(report["as_of"])}{running}；
办结 served {report["service"]["served"]}，满意率 satisfaction {satisfaction}</p></header>
{_section(secs[0])}
{_section(secs[1])}
{charts(report)}
{"".join(_section(s) for s in secs[2:])}
<footer>{escape(report["hall"])} · {escape(report["today"])}</footer>
</main>
</body>
</html>
"""
