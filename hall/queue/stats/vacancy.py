"""空岗 and 离岗 in the statistics: window open time, pause time by reason, alerts.

Per bucket (day, week, month) and window:

- ``open_s``: time the window was staffed: the staff sessions at it, from sign-in to
  sign-out (or to the session's expiry, or now), overlaps counted once;
- ``paused_s`` and ``paused_by_reason``: its pauses (hall/queue/tickets/pauses.py), an
  open pause up to now; ``pauses``: how many began in the bucket;
- ``alerts``: the 空岗 alerts raised (hall/queue/tickets/vacancy.py).

Times are cut at business-day boundaries (``hall.reset_time``), so a pause across the
night counts on both days. Windows with nothing to count have no row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from hall.config import HallConfig, parse_hhmm
from hall.queue.core.tables.tickets import (
    staff_sessions_table,
    vacancy_alerts_table,
    window_pauses_table,
)
from hall.queue.stats.figures import bucket_start
from hall.words import PauseReason

REASONS = tuple(r.value for r in PauseReason)
DEFINITIONS = {
    "vacancy.open_s": "staffed time: staff sessions at the window, sign-in to sign-out",
    "vacancy.paused_s": "time paused (暂停服务), by reason; an open pause up to now",
    "vacancy.alerts": "空岗 alerts raised: closed or paused past vacancy.alert_after_min",
}


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def period_rows(
    config: HallConfig, conn: Connection, start: dt.date, end: dt.date, period: str, now: float
) -> list[dict[str, Any]]:
    """One row per bucket and window for the business days ``start``..``end``."""
    reset, tz = parse_hhmm(config.hall.reset_time), config.hall.tz
    days = [start + dt.timedelta(n) for n in range((end - start).days + 1)]
    day_spans = [
        (
            d,
            dt.datetime.combine(d, reset, tz).timestamp(),
            dt.datetime.combine(d + dt.timedelta(days=1), reset, tz).timestamp(),
        )
        for d in days
    ]
    lo, hi = day_spans[0][1], day_spans[-1][2]
    rows: dict[tuple[str, int], dict[str, Any]] = {}

    def row(day: dt.date, window: int) -> dict[str, Any]:
        key = (bucket_start(day, period).isoformat(), window)
        if key not in rows:
            rows[key] = {
                "bucket": key[0],
                "window": window,
                "open_s": 0.0,
                "paused_s": 0.0,
                "paused_by_reason": dict.fromkeys(REASONS, 0.0),
                "pauses": 0,
                "alerts": 0,
            }
        return rows[key]

    def spread(a: float, b: float, add: Any) -> None:
        for day, d0, d1 in day_spans:
            cut = min(b, d1) - max(a, d0)
            if cut > 0:
                add(day, cut)

    s = staff_sessions_table.c
    by_window: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for w, a, ended, expires in conn.execute(
        select(s.window, s.created_at, s.ended_at, s.expires_at).where(s.created_at < hi)
    ):
        b = min(ended if ended is not None else expires, now)
        if b > lo:
            by_window[w].append((a, b))
    for w, spans in by_window.items():
        for a, b in _merge(spans):
            spread(a, b, lambda day, cut, w=w: _add(row(day, w), "open_s", cut))

    p = window_pauses_table.c
    for w, reason, a, ended in conn.execute(
        select(p.window, p.reason, p.started_at, p.ended_at).where(p.started_at < hi)
    ):
        b = min(ended if ended is not None else now, now)

        def add_pause(day: dt.date, cut: float, w: int = w, reason: str = reason) -> None:
            r = row(day, w)
            r["paused_s"] += cut
            r["paused_by_reason"][reason] = r["paused_by_reason"].get(reason, 0.0) + cut

        spread(a, b, add_pause)
        for day, d0, d1 in day_spans:
            if d0 <= a < d1:
                row(day, w)["pauses"] += 1

    a_ = vacancy_alerts_table.c
    for day_text, w in conn.execute(
        select(a_.day, a_.window).where(a_.day >= start.isoformat(), a_.day <= end.isoformat())
    ):
        row(dt.date.fromisoformat(day_text), w)["alerts"] += 1

    out = [rows[k] for k in sorted(rows)]
    for r in out:
        r["open_s"] = round(r["open_s"])
        r["paused_by_reason"] = {k: round(v) for k, v in r["paused_by_reason"].items()}
        r["paused_s"] = sum(r["paused_by_reason"].values())  # adds up as shown
    return out


def _add(r: dict[str, Any], key: str, value: float) -> None:
    r[key] += value
