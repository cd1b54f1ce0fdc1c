"""黄牌/红牌 of open cases and the daily digest (每日督办), per department.

电子监察 "实时监察、预警纠错…红牌2张、黄牌1张" (../shared/seeds 002): a running case is
黄牌 from its ``yellow_on`` day up to its promised date, 红牌 from the day after it. The
register stores both dates on the row at every action (hall/queue/cases/deadline.py),
so a listing is one indexed query; only the warned cases' days left are counted here.

``days_left`` is the clock's ``left`` as of ``today``: working days after today up to
the promised date, negative when overdue (a 红牌 case whose promised date was the
Friday before a weekend shows 0 on the Saturday: no working day has passed yet).

The digest of a day: per department, its open 黄牌 and 红牌 cases, and the cases
finished (办结, not 退件) on the previous working day with how many of them on time.
"Yesterday" is the previous **working** day, so Monday's digest reports Friday, and the
digest after the National Day holiday reports the last working day before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from hall.queue.core.writer import Tx
from hall.workdays import WorkCalendar

#: The most warned cases one listing returns (a hall has far fewer open cases).
MAX_WARNED = 10_000
_WARNED = (
    "SELECT receipt, matter, department, promised_date, yellow_on FROM cases"
    " WHERE clock_state = 'running' AND promised_date IS NOT NULL"
    " AND (promised_date < :today OR (yellow_on IS NOT NULL AND yellow_on <= :today))"
)
_FINISHED = text(
    "SELECT department, count(*), sum(CASE WHEN on_time = 1 THEN 1 ELSE 0 END) FROM cases"
    " WHERE finished_on = :day AND status IN ('finished', 'ready', 'delivered')"
    " GROUP BY department"
)


def days_left(calendar: WorkCalendar, today: dt.date, promised: dt.date) -> int:
    """Working days after ``today`` up to ``promised``; negative (days over) when overdue."""
    return calendar.working_days_between(today, promised)


def warned(
    conn: Connection,
    calendar: WorkCalendar,
    today: dt.date,
    departments: Iterable[str] | None = None,
    limit: int = MAX_WARNED,
) -> list[dict[str, Any]]:
    """Open 黄牌 and 红牌 cases as of ``today``, by promised date (so red first).

    Each: receipt, matter, department, promised_date, warning (yellow|red), days_left.
    No personal data. ``departments``: only theirs (None: every department).
    """
    sql, params = _WARNED, {"today": today.isoformat(), "limit": limit}
    if departments is not None:
        codes = list(departments)
        if not codes:
            return []
        names = [f"d{i}" for i in range(len(codes))]
        sql += f" AND department IN ({', '.join(':' + n for n in names)})"
        params |= dict(zip(names, codes, strict=True))
    # By promised date: the red cases (due before today) come before the yellow ones.
    sql += " ORDER BY promised_date, receipt LIMIT :limit"
    out = []
    left: dict[str, int] = {}  # per promised date: the calendar walks day by day
    for receipt, matter, dept, promised, _yellow_on in conn.execute(text(sql), params):
        due = dt.date.fromisoformat(promised)
        if promised not in left:
            left[promised] = days_left(calendar, today, due)
        out.append(
            {
                "receipt": receipt,
                "matter": matter,
                "department": dept,
                "promised_date": promised,
                "warning": "red" if due < today else "yellow",
                "days_left": left[promised],
            }
        )
    return out


def previous_working_day(calendar: WorkCalendar, day: dt.date) -> dt.date:
    """The last working day before ``day`` (at most a month back: the longest holiday)."""
    back = day - dt.timedelta(days=1)
    for _ in range(31):
        if calendar.is_working_day(back):
            return back
        back -= dt.timedelta(days=1)
    return day - dt.timedelta(days=1)


def digest(
    tx: Tx,
    day: dt.date,
    *,
    calendar: WorkCalendar,
    departments: Iterable[str] | None = None,
    names: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The digest of ``day``: per department, its 黄牌/红牌 cases and yesterday's 办结.

    ``departments``: only these (a clerk's own); None: every department configured
    (``names``' keys) or seen in the cases. ``names``: code → {zh, en}.
    """
    names = names or {}
    since = previous_working_day(calendar, day)
    cases = warned(tx.conn, calendar, day, departments)
    finished = {
        d: (int(n), int(ok or 0)) for d, n, ok in tx.conn.execute(_FINISHED, {"day": str(since)})
    }
    if departments is not None:
        codes = list(departments)
        finished = {d: v for d, v in finished.items() if d in codes}
    else:
        codes = sorted({*names, *finished, *(c["department"] for c in cases)})
    parts = []
    for code in codes:
        mine = [c for c in cases if c["department"] == code]
        done, on_time = finished.get(code, (0, 0))
        parts.append(
            {
                "department": code,
                "name": names.get(code),
                "yellow": [c for c in mine if c["warning"] == "yellow"],
                "red": [c for c in mine if c["warning"] == "red"],
                "finished": done,
                "on_time": on_time,
            }
        )
    return {"day": day.isoformat(), "since": since.isoformat(), "departments": parts}
