"""The 通报's charts as inline SVG, drawn here: no script, no library, nothing fetched.

The page's policy allows no script and styles only by hash (hall/queue/web/pages/
report_page.py), so a chart is plain SVG elements with presentation attributes
(``fill``, ``stroke``) — never a ``style`` attribute, which the policy would block.
Every chart carries ``role="img"`` and an ``aria-label``, and each bar or point a
``<title>`` with its value; numbers are printed on the bars so the paper copy reads
without colour.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 28, 40
BAR = "#3b6ea8"
BAR_2 = "#e39b2d"
LINE = "#b23b3b"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for m in (1, 2, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


def _frame(label: str, body: str, legend: list[tuple[str, str]]) -> str:
    keys = "".join(
        f'<rect x="{_LEFT + i * 150}" y="6" width="10" height="10" fill="{colour}"/>'
        f'<text x="{_LEFT + i * 150 + 14}" y="15" font-size="11">{escape(name)}</text>'
        for i, (name, colour) in enumerate(legend)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" class="chart" font-family="sans-serif">{keys}{body}</svg>'
    )


def _axis(top: float, fmt: str) -> str:
    plot_h = HEIGHT - _TOP - _BOTTOM
    out = []
    for i in range(5):
        y = HEIGHT - _BOTTOM - plot_h * i / 4
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" '
            f'stroke="#ccc" stroke-width="0.5"/>'
            f'<text x="{_LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{fmt.format(top * i / 4)}</text>"
        )
    return "".join(out)


def bars(
    label: str,
    categories: list[str],
    series: list[tuple[str, list[float]]],
    colours: tuple[str, ...] = (BAR, BAR_2),
    values: bool = True,
) -> str:
    """Grouped bars: one group per category, one bar per series, values printed on top.

    ``values=False``: the values in each bar's title only, where many bars leave no room.
    """
    top = _nice_max(max((v for _, values in series for v in values), default=0))
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.7 / max(1, len(series))
    body = [_axis(top, "{:g}")]
    for i, cat in enumerate(categories):
        x0 = _LEFT + slot * i + slot * 0.15
        for j, (name, values) in enumerate(series):
            v = values[i]
            h = plot_h * v / top
            x, y = x0 + bar_w * j, HEIGHT - _BOTTOM - h
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colours[j % len(colours)]}"><title>{escape(cat)} {escape(name)}: '
                f"{v:g}</title></rect>"
            )
            if values:
                body.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="9" '
                    f'text-anchor="middle">{v:g}</text>'
                )
        body.append(
            f'<text x="{_LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - _BOTTOM + 14}" '
            f'font-size="10" text-anchor="middle">{escape(cat)}</text>'
        )
    legend = [(name, colours[j % len(colours)]) for j, (name, _) in enumerate(series)]
    return _frame(label, "".join(body), legend)


def rate_line(label: str, categories: list[str], values: list[float | None], name: str) -> str:
    """A 0-100 % line (e.g. 满意率 per month); a missing value breaks the line."""
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    slot = plot_w / max(1, len(categories))
    body = [_axis(100, "{:.0f}%")]
    points: list[str] = []
    runs: list[list[str]] = [points]
    for i, (cat, v) in enumerate(zip(categories, values, strict=True)):
        x = _LEFT + slot * (i + 0.5)
        body.append(
            f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{escape(cat)}</text>'
        )
        if v is None:
            points = []
            runs.append(points)
            continue
        y = HEIGHT - _BOTTOM - plot_h * v
        points.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}">'
            f"<title>{escape(cat)}: {v * 100:.2f}%</title></circle>"
            f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="9" text-anchor="middle">'
            f"{v * 100:.1f}%</text>"
        )
    for run in runs:
        if len(run) > 1:
            body.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
            )
    return _frame(label, "".join(body), [(name, LINE)])
