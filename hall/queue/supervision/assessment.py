"""考核: monthly and quarterly scores of every clerk and window, with their breakdown.

"对窗口工作人员的考核基础分为100分,违反本细则规定的按本细则规定扣分,具备本细则规定加分
条件的按规定加分。考核等次为优秀、称职、基本称职、不称职四个等次" (a 考核细则 in the seeds).
A score is ``assessment.base`` plus the points of its lines (hall/config/assessment.py);
each line names its source record (hall/queue/supervision/score_sources.py). The grade
comes from the configured thresholds; the rank is by score, highest first (equal scores
share a rank: 1, 2, 2, 4). "对多次受到'差评'评价的窗口工作人员…限期调整人员": with
``repeat_bad_ratings`` or more confirmed 差评 in the period a target is flagged.

A period is a month (``2026-11``) or a quarter (``2026Q4``); days after today are
not judged yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError
from hall.queue.supervision import score_sources
from hall.queue.supervision.score_lines import Line

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$|^(\d{4})Q([1-4])$")
GRADES = (
    ("excellent", "优秀", "Excellent"),
    ("competent", "称职", "Competent"),
    ("fair", "基本称职", "Fair"),
    ("poor", "不称职", "Poor"),
)
#: kind -> (points field in assessment.points, 中文, English), additions last.
KINDS: dict[str, tuple[str, str, str]] = {
    "late": ("late", "迟到", "Late"),
    "early": ("early", "早退", "Left early"),
    "absent": ("absent", "旷工", "Absent"),
    "pause_over": ("pause_over", "离岗超时", "Pause over the limit"),
    "vacancy": ("vacancy", "空岗", "Window left empty"),
    "complaint": ("complaint", "投诉属实", "Complaint substantiated"),
    "bad_rating": ("bad_rating", "差评", "Bad rating confirmed"),
    "overdue_case": ("overdue_case", "办件超期", "Case overdue"),
    "red_card": ("red_card", "红牌", "Red card"),
    "yellow_card": ("yellow_card", "黄牌", "Yellow card"),
    "commendation": ("commendation", "表扬", "Commendation"),
}
ADDITIONS = {"commendation"}


def parse_period(value: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` or ``YYYYQn`` → its first and last day; a 422 for anything else."""
    m = _PERIOD.match(value.strip()) if isinstance(value, str) else None
    if m and m.group(1):
        year, month = int(m.group(1)), int(m.group(2))
        if 2000 <= year <= 2099 and 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
    elif m:
        year, q = int(m.group(3)), int(m.group(4))
        if 2000 <= year <= 2099:
            first = dt.date(year, 3 * q - 2, 1)
            end_month = 3 * q
            return first, dt.date(year, end_month, calendar.monthrange(year, end_month)[1])
    raise QueueError(
        422,
        "bad_period",
        "period:考核期应为月份 YYYY-MM 或季度 YYYYQn(例如 2026-11、2026Q4)",
        "period: expected a month YYYY-MM or a quarter YYYYQn (2026-11, 2026Q4)",
    )


def grade(config: HallConfig, score: float) -> dict[str, str]:
    """The grade of a score: code, 中文 and English."""
    g = config.assessment.grades
    code = (
        "excellent"
        if score >= g.excellent
        else "competent"
        if score >= g.competent
        else "fair"
        if score >= g.fair
        else "poor"
    )
    _, zh, en = next(x for x in GRADES if x[0] == code)
    return {"grade": code, "grade_zh": zh, "grade_en": en}


def points_of(config: HallConfig, kind: str) -> float:
    """The signed points of one line of ``kind`` (deductions negative)."""
    value = getattr(config.assessment.points, KINDS[kind][0])
    return value if kind in ADDITIONS else -value


def line_view(config: HallConfig, line: Line) -> dict[str, Any]:
    """A line as the API shows it: what, when, how many points, and its source record."""
    _, zh, en = KINDS[line.kind]
    return {
        "kind": line.kind,
        "kind_zh": zh,
        "kind_en": en,
        "day": line.day,
        "points": points_of(config, line.kind),
        "source": line.source,
        "id": line.ref,  # the source record's id in its table (None: an absence)
        "staff_id": line.staff,
        "window": line.window,
    }


def _flags(config: HallConfig, lines: list[Line]) -> list[dict[str, Any]]:
    bad = sum(1 for ln in lines if ln.kind == "bad_rating")
    if bad >= config.assessment.repeat_bad_ratings:
        return [
            {
                "code": "repeat_bad_ratings",
                "count": bad,
                "zh": f"多次差评:本期差评{bad}次,应查核并限期整改",
                "en": f"Repeated bad ratings: {bad} this period; review and set a deadline",
            }
        ]
    return []


def _targets(config: HallConfig, kind: str) -> list[tuple[str, str]]:
    if kind == "staff":
        return [(s.id, s.name) for s in config.staff]
    return [(str(w.number), w.name_zh or f"{w.number}号窗口") for w in config.windows]


def scores(
    ctx: Context, conn: Connection, period: str, kind: str, now: float, target: str | None = None
) -> dict[str, Any]:
    """Every clerk's (``kind="staff"``) or window's score for ``period``, ranked.

    With ``target`` the result holds that one row (ranked among all of them).
    """
    first, last = parse_period(period)
    config = ctx.config
    grouped: dict[str, list[Line]] = defaultdict(list)
    for line in score_sources.gather(ctx, conn, first, last, now):
        key = line.staff if kind == "staff" else (None if line.window is None else str(line.window))
        if key is not None:
            grouped[key].append(line)
    rows = []
    for key, name in _targets(config, kind):
        lines = sorted(grouped.get(key, []), key=lambda ln: (ln.day, ln.kind, ln.ref or ""))
        pts = [points_of(config, ln.kind) for ln in lines]
        score = round(config.assessment.base + sum(pts), 2)
        counts: dict[str, int] = defaultdict(int)
        for ln in lines:
            counts[ln.kind] += 1
        rows.append(
            {
                "target": key,
                "name": name,
                "score": score,
                "deducted": round(-sum(p for p in pts if p < 0), 2),
                "added": round(sum(p for p in pts if p > 0), 2),
                **grade(config, score),
                "flags": _flags(config, lines),
                "counts": dict(counts),
                "lines": [line_view(config, ln) for ln in lines],
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["target"]))
    for i, row in enumerate(rows):
        same = i and rows[i - 1]["score"] == row["score"]
        row["rank"] = rows[i - 1]["rank"] if same else i + 1
    if target is not None:
        rows = [r for r in rows if r["target"] == target]
    return {
        "period": period.strip(),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "kind": kind,
        "base": config.assessment.base,
        "rows": rows,
    }
