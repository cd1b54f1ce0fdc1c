"""A case's notice as one self-contained A4 page: what the caller panel opens and prints.

:func:`a4_html` lays out a :class:`~hall.queue.cases.notice_parts.Notice`
(Chinese first, English under each line) with its CSS and its one script inline,
the QR code drawn as inline SVG (no image request, no external file), so the
page prints the same from the daemon, from a saved file or offline. The page
carries its own Content-Security-Policy: nothing loads from anywhere, and the
inline style and script run only because their SHA-256 is in the policy
(:data:`CSP`, also sent as the response header by the route). The print button
is hidden in print media.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

import qrcode

from hall.queue.cases.notice_parts import Notice, Row, Text

#: A4 at 18 mm margins; the sheet's English lines smaller and grey, under the Chinese.
STYLE = """
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
html { background: #e8e8e8; }
body { margin: 0; font-family: "Noto Serif CJK SC", "SimSun", "Songti SC", serif;
  color: #000; font-size: 11pt; line-height: 1.45; }
.sheet { width: 174mm; margin: 8mm auto; padding: 12mm 10mm; background: #fff; }
.en { display: block; font-family: "Noto Sans", Arial, sans-serif; font-size: 8.5pt;
  color: #444; line-height: 1.3; }
header { text-align: center; margin-bottom: 6mm; }
.hall { font-size: 12pt; margin: 0; }
h1 { font-size: 20pt; letter-spacing: 0.2em; margin: 3mm 0 0; }
h1 .en { font-size: 11pt; letter-spacing: 0; }
table { width: 100%; border-collapse: collapse; margin: 0 0 4mm; table-layout: fixed; }
th, td { border: 0.3mm solid #000; padding: 1.5mm 2.5mm; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
th { width: 46mm; font-weight: normal; background: #f3f3f3; }
tr.strong td { font-weight: bold; }
.text p { margin: 0 0 3mm; text-indent: 2em; }
.text .en { text-indent: 0; }
.end { display: flex; justify-content: space-between; align-items: flex-end; margin-top: 6mm; }
figure { margin: 0; text-align: center; width: 52mm; }
figure svg { width: 32mm; height: 32mm; display: block; margin: 0 auto 1mm; }
figcaption { font-size: 9pt; }
footer { text-align: right; }
footer p { margin: 0 0 1mm; }
.noprint { position: fixed; top: 6mm; right: 6mm; font-size: 14pt; padding: 2mm 6mm; }
@media print {
  html { background: none; }
  .sheet { margin: 0; padding: 0; width: auto; }
  .noprint { display: none; }
}
""".strip()
SCRIPT = (
    'document.getElementById("print").addEventListener("click", function () { window.print(); });'
)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_COMMON = (
    f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
#: The page's policy, sent as a header (a <meta> policy cannot say frame-ancestors).
CSP = f"{_COMMON}; frame-ancestors 'none'"
#: Headers of the page's response (the API's paths get no page headers otherwise).
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # personal data
}


def qr_svg(payload: str) -> str:
    """The QR code of ``payload`` as an inline SVG element: one path, a quiet zone of 4 modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    # One 1x1 square per dark module, joined in one path: "M x y h1 v1 h-1 z".
    d = "".join(
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="QR" shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
        f'fill="#fff"/><path d="{d}" fill="#000"/></svg>'
    )


def _both(text: Text, en: str | None = None) -> str:
    """Chinese, then the English on a line of its own (when there is one)."""
    english = text.en if en is None else en
    out = escape(text.zh)
    return out + (f'<span class="en">{escape(english)}</span>' if english else "")


def _rows(rows: tuple[Row, ...], css: str) -> str:
    lines = [
        f"<tr{' class=strong' if r.strong else ''}><th>{_both(r.label)}</th>"
        f"<td>{_both(r.value, r.value.en)}</td></tr>"
        for r in rows
    ]
    return f'<table class="{css}">' + "".join(lines) + "</table>" if lines else ""


def a4_html(notice: Notice) -> str:
    """The notice as one HTML page for A4 paper (see the module docstring)."""
    day = notice.issued
    paragraphs = "".join(f"<p>{_both(p)}</p>" for p in notice.paragraphs)
    qr = ""
    if notice.qr:
        caption = _both(notice.qr_caption) if notice.qr_caption else ""
        qr = f"<figure>{qr_svg(notice.qr)}<figcaption>{caption}</figcaption></figure>"
    title = escape(f"{notice.title.zh} {notice.receipt}")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_COMMON}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<main class="sheet" id="notice" data-kind="{escape(notice.kind)}">
<header><p class="hall">{_both(notice.hall)}</p><h1>{_both(notice.title)}</h1></header>
{_rows(notice.rows, "rows")}
<section class="text">{paragraphs}</section>
{_rows(notice.contacts, "contacts")}
<div class="end">{qr}<footer><p>{_both(notice.hall)}</p>
<p>{day.year}年{day.month:02d}月{day.day:02d}日<span class="en">{day.isoformat()}</span></p>
</footer></div>
</main>
<button id="print" class="noprint" type="button">打印 Print</button>
<script>{SCRIPT}</script>
</body>
</html>
"""
