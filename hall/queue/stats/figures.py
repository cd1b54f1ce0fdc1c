"""办件统计: figures per day / week / month and per service, window or staff.

Definitions (returned with every answer as ``definitions``):

- issued: numbers taken (transferred copies not counted again), per hall and
  service only. served: tickets finished (办结) at a window. no_shows: 过号.
  transfers: tickets sent on to another service (转移).
- wait: called − issued, over first tickets (not transferred copies) that
  were called; service_time: finished − served, over finished tickets. The
  mean is exact; median and p90 are nearest-rank, given as the lower edge of
  the histogram bucket that holds them (:data:`stats_day.EDGES`: 5 s steps
  below a minute, 15 s below 5 min, 30 s below 10, 1 min below 20 ...).
- cases_by_type: finished tickets per case type (即办件, 承诺件 ...).
- completion_rate (窗口办结率): finished tickets whose case type is not 补正
  (materials still missing) ÷ finished tickets. Self-service submissions
  (hall rows only): completion_rate = finished ÷ accepted (受理: accepted or
  finished); overdue = received or accepted cases past their promised date, as
  of today (a case waiting for 补正 waits on the citizen: not overdue).
- ratings per level, rated, unrated (未评价: served tickets with no rating) and
  satisfaction (满意率) = (非常满意 + 满意 + 基本满意) ÷ rated; ratings set aside
  by an upheld appeal (复核) are not counted, ``appealed`` says how many.
- bad (差评): rectification cases opened, by state, and open ones overdue.

Periods follow the case's business day: day, week (from Monday), month, quarter
(季度) or year (hall/queue/stats/periods.py); a bucket is labelled by its first day.
Closed days come from the ``stats_days`` cache (:mod:`hall.queue.stats.day_cache`),
so a month costs one day's queries plus reading the cached days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from hall.queue.stats import day_cache
from hall.queue.stats.day_cache import CASE_TYPES, DIMS, EDGES, VECTOR
from hall.queue.stats.periods import PERIODS, bucket_start  # noqa: F401 - re-exported

GROUPS = DIMS
LEVEL_KEYS = {5: "very_satisfied", 4: "satisfied", 3: "basically_satisfied"}
LEVEL_KEYS |= {2: "dissatisfied", 1: "very_dissatisfied"}
DEFINITIONS = {
    "satisfaction": "(非常满意+满意+基本满意) ÷ rated, upheld appeals excluded",
    "completion_rate": "finished tickets not 补正 ÷ finished tickets",
    "submissions.completion_rate": "finished ÷ accepted (受理) self-service cases",
    "unrated": "served tickets with no rating (未评价)",
    "wait": "called − issued, first tickets; median and p90 nearest-rank",
    "service_time": "finished − served",
}
_OVERDUE = (
    "state NOT IN ('closed', 'appealed') AND ((verified_day IS NULL AND contact_due < :today)"
    " OR (fixed_day IS NULL AND fix_due < :today) OR callback_due < :today)"
)
_GROUP_SQL = {"hall": "''", "service": "service", "window": "window", "staff": "staff_id"}


def percentile(hist: list[int], p: float) -> int | None:
    """Nearest-rank percentile from counts over :data:`EDGES`: its bucket's lower edge."""
    total = sum(hist)
    if total == 0:
        return None
    rank = max(1, -(-int(p * total * 1000) // 100_000))  # ceil(p/100 * n) in integers
    seen = 0
    for i, n in enumerate(hist):
        seen += n
        if seen >= rank:
            return EDGES[i]
    return EDGES[-1]


def gather(
    conn: Connection, start: dt.date, end: dt.date, today: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Figures of every day in range; also the closed days not yet cached (to store)."""
    days = [(start + dt.timedelta(d)) for d in range((end - start).days + 1)]
    closed = [d.isoformat() for d in days if d < today - dt.timedelta(days=1)]
    figures = day_cache.cached(conn, closed)
    fresh = {d: day_cache.day_figures(conn, d) for d in closed if d not in figures}
    figures |= fresh
    for d in days:
        if d.isoformat() not in figures and d <= today:
            figures[d.isoformat()] = day_cache.day_figures(conn, d.isoformat())
    return figures, fresh


def compute(
    conn: Connection,
    start: dt.date,
    end: dt.date,
    period: str,
    by: str,
    today: dt.date,
    tz: str,
    figures: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every figure for ``start``..``end`` (inclusive), one row per bucket and group."""
    if figures is None:
        figures = gather(conn, start, end, today)[0]
    index = DIMS.index(by)
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def row(bucket: str, group: str) -> dict[str, Any]:
        if (bucket, group) not in out:
            out[bucket, group] = {
                "v": [0] * len(VECTOR),
                "wait": [0] * len(EDGES),
                "service": [0] * len(EDGES),
                "bad": {"opened": 0, "overdue": 0, "by_state": {}},
                "submissions": None,
            }
        return out[bucket, group]

    for day, fig in figures.items():
        bucket = bucket_start(dt.date.fromisoformat(day), period, start).isoformat()
        for key, vector in fig["vectors"].items():
            group = "" if index == 0 else key.split("\x1f")[index - 1]
            acc = row(bucket, group)["v"]
            for i, value in enumerate(vector):
                acc[i] += value
        for name in ("wait", "service"):
            for group, hist in fig["hists"][name][by].items():
                acc = row(bucket, group)[name]
                for i, n in enumerate(hist):
                    if n:
                        acc[i] += n
    p = {"a": start.isoformat(), "b": end.isoformat(), "today": today.isoformat()}
    for r in conn.execute(
        text(
            f"SELECT opened_day, {_GROUP_SQL[by]}, state, count(*), sum({_OVERDUE})"
            " FROM rectifications WHERE opened_day >= :a AND opened_day <= :b GROUP BY 1, 2, 3"
        ),
        p,
    ):
        bucket = bucket_start(dt.date.fromisoformat(r[0]), period, start).isoformat()
        bad = row(bucket, "" if r[1] is None else str(r[1]))["bad"]
        bad["opened"] += r[3]
        bad["by_state"][r[2]] = bad["by_state"].get(r[2], 0) + r[3]
        bad["overdue"] += int(r[4] or 0)  # SUM of a NULL deadline test is NULL
    if by == "hall":
        _submissions(conn, start, period, p, tz, row)
    rows = [_finish(b, g, out[b, g], by) for b, g in sorted(out)]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "period": period,
        "by": by,
        "rows": rows,
        "definitions": DEFINITIONS,
        "attendance": None,  # filled by the route (hall/queue/attendance/report.py)
    }


def _submissions(conn: Connection, start: dt.date, period: str, p: dict, tz: str, row) -> None:
    offset = ZoneInfo(tz).utcoffset(dt.datetime.combine(start, dt.time(12)))
    local = f"date(received_at + {int(offset.total_seconds())}, 'unixepoch')"
    for r in conn.execute(
        text(
            # No NULL reaches a SUM: a case waiting for 补正 has no promised date (and
            # waits on the citizen, so it is never overdue).
            "SELECT d, count(*), sum(CASE WHEN status IN ('accepted', 'finished') THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'finished' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status IN ('received', 'accepted') AND promised_date IS NOT NULL"
            " AND promised_date < :today THEN 1 ELSE 0 END)"
            f" FROM (SELECT {local} AS d, status, promised_date FROM submissions)"
            " WHERE d >= :a AND d <= :b GROUP BY 1"
        ),
        p,
    ):
        bucket = bucket_start(dt.date.fromisoformat(r[0]), period, start).isoformat()
        s = row(bucket, "")
        s["submissions"] = s["submissions"] or {
            "received": 0,
            "accepted": 0,
            "finished": 0,
            "overdue": 0,
        }
        for k, v in zip(("received", "accepted", "finished", "overdue"), r[1:], strict=True):
            s["submissions"][k] += int(v or 0)


def _timing(hist: list[int], total_s: float) -> dict[str, Any]:
    n = sum(hist)
    return {
        "n": n,
        "mean_s": round(total_s / n, 1) if n else None,
        "median_s": percentile(hist, 50),
        "p90_s": percentile(hist, 90),
    }


def _finish(bucket: str, group: str, acc: dict[str, Any], by: str) -> dict[str, Any]:
    f = dict(zip(VECTOR, acc["v"], strict=True))
    served = f["served"]
    ratings = {LEVEL_KEYS[lv]: f[f"level:{lv}"] for lv in LEVEL_KEYS}
    rated = sum(ratings.values())
    good = ratings["very_satisfied"] + ratings["satisfied"] + ratings["basically_satisfied"]
    correction = f["type:补正"]
    subs = acc["submissions"]
    if subs is not None:
        subs["completion_rate"] = (
            round(subs["finished"] / subs["accepted"], 4) if subs["accepted"] else None
        )
    return {
        "bucket": bucket,
        "group": int(group) if by == "window" and group else group,
        "issued": f["issued"] if by in ("hall", "service") else None,
        "served": served,
        "no_shows": f["no_shows"],
        "transfers": f["transfers"],
        "wait": _timing(acc["wait"], f["wait_sum"]),
        "service_time": _timing(acc["service"], f["service_sum"]),
        "cases_by_type": {t: f[f"type:{t}"] for t in CASE_TYPES},
        "completion_rate": round((served - correction) / served, 4) if served else None,
        "ratings": ratings,
        "rated": rated,
        "unrated": max(0, served - f["rated_tickets"]),
        "appealed": f["appealed"],
        "satisfaction": round(good / rated, 4) if rated else None,
        "bad": acc["bad"],
        "submissions": subs,
    }
