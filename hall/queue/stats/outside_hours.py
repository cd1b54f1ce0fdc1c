"""Service outside regular hours (午休, 双休日/节假日, 延时服务), appointments and priority tickets.

The seeds count what a hall does when it is normally shut: "午休时间和双休日共为群众办理
业务1350件次，推行预约服务197件次、延时服务529件次" (../shared/seeds 000), and 延时服务
is "临近下班或休息日接到急办件，窗口工作人员都主动加班，延时服务，直到办完为止".

Definitions (returned with the statistics as ``definitions``):

- A served ticket (办结, status finished) is placed by the moment its service began
  (``served_at``; else when it was called), in hall-local time; its bucket is its
  business day, as every other figure's.
- weekend_holiday (双休日/节假日): begun on a day that is not a working day of the hall's
  calendar (weekends, statutory holidays and the hall's closed dates; a 调休 make-up
  day is a working day) — whatever the hour.
- lunch (午休): begun on a working day within the lunch hours (config ``reports.lunch``:
  the hall's lunch break, else 12:00-14:00).
- after_close (延时服务): begun on a working day at or after ``hall.hours.close`` (the
  regular close, even where ``hours.extended`` keeps issuing later), or before the
  business day's reset (the small hours still belong to the evening's work).
- before_open (提前服务): begun on a working day before ``hall.hours.open``.
- outside_total: the sum of the four; regular: the rest of ``served``.
- issued / served by kind: tickets taken (first tickets, not transferred copies; hall
  and service rows only) and served, per kind: normal, priority (优先: 老幼病残孕,
  绿色通道), appointment (预约).

One grouped SQL read of the range's tickets; the calendar is asked once per date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, text

from hall.config import HallConfig, parse_hhmm
from hall.config.reports import DEFAULT_LUNCH
from hall.queue.core.domain import TicketKind
from hall.queue.stats.periods import bucket_start
from hall.workdays import CalendarError, WorkCalendar

CLASSES = ("weekend_holiday", "lunch", "after_close", "before_open")
KINDS = tuple(k.value for k in TicketKind)
DEFINITIONS = {
    "outside_hours.weekend_holiday": "served, begun on a non-working day of the hall calendar",
    "outside_hours.lunch": "served, begun on a working day within the lunch hours (午休)",
    "outside_hours.after_close": "served, begun at or after the regular close (延时服务)",
    "outside_hours.before_open": "served, begun before the regular opening",
    "outside_hours.issued": "first tickets taken per kind (normal, priority, appointment)",
}
_GROUP_SQL = {"hall": "''", "service": "service", "window": "window", "staff": "staff_id"}
_SQL = """
SELECT day, {group}, date(at + :off, 'unixepoch') AS d,
  CASE WHEN at IS NULL THEN 'regular'
       WHEN sec < :reset OR sec >= :close THEN 'after_close'
       WHEN sec < :open THEN 'before_open'
       WHEN sec >= :lunch_a AND sec < :lunch_b THEN 'lunch'
       ELSE 'regular' END,
  kind,
  sum(CASE WHEN status = 'finished' THEN 1 ELSE 0 END),
  sum(CASE WHEN transferred_from IS NULL THEN 1 ELSE 0 END)
FROM (SELECT day, service, window, staff_id, kind, status, transferred_from,
        coalesce(served_at, called_at) AS at,
        CAST(coalesce(served_at, called_at) + :off AS INTEGER) % 86400 AS sec
      FROM tickets WHERE day >= :a AND day <= :b)
GROUP BY 1, 2, 3, 4, 5
"""


def _seconds(hhmm: str) -> int:
    t = parse_hhmm(hhmm)
    return t.hour * 3600 + t.minute * 60


def lunch_hours(config: HallConfig) -> tuple[str, str]:
    """The lunch hours counted as 午休 service (see hall/config/reports.py)."""
    lunch = config.reports.lunch or config.hall.hours.lunch_break or DEFAULT_LUNCH
    return lunch.start, lunch.end


def _working(calendar: WorkCalendar, day: dt.date) -> bool:
    """The hall calendar's answer; in a year without a holiday table, Monday to Friday."""
    try:
        return calendar.is_working_day(day)
    except CalendarError:
        return day.weekday() < 5


def _empty(by: str) -> dict[str, Any]:
    row: dict[str, Any] = {"served": 0, **{c: 0 for c in CLASSES}}
    row["issued"] = {k: 0 for k in KINDS} if by in ("hall", "service") else None
    row["served_by_kind"] = {k: 0 for k in KINDS}
    return row


def period_rows(
    config: HallConfig,
    calendar: WorkCalendar,
    conn: Connection,
    start: dt.date,
    end: dt.date,
    period: str,
    by: str = "hall",
) -> list[dict[str, Any]]:
    """One row per bucket and group of ``start``..``end`` (business days, inclusive)."""
    hours = config.hall.hours
    offset = config.hall.tz.utcoffset(dt.datetime.combine(start, dt.time(12)))
    lunch_a, lunch_b = lunch_hours(config)
    params = {
        "a": start.isoformat(),
        "b": end.isoformat(),
        "off": int(offset.total_seconds()),
        "reset": _seconds(config.hall.reset_time),
        "open": _seconds(hours.open),
        "close": _seconds(hours.close),
        "lunch_a": _seconds(lunch_a),
        "lunch_b": _seconds(lunch_b),
    }
    working: dict[str, bool] = {}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for day, group, local, klass, kind, served, first in conn.execute(
        text(_SQL.format(group=_GROUP_SQL[by])), params
    ):
        bucket = bucket_start(dt.date.fromisoformat(day), period, start).isoformat()
        key = (bucket, "" if group is None else str(group))
        row = out.setdefault(key, _empty(by))
        if row["issued"] is not None and kind in row["issued"]:
            row["issued"][kind] += int(first or 0)
        served = int(served or 0)
        if not served:
            continue
        row["served"] += served
        if kind in row["served_by_kind"]:
            row["served_by_kind"][kind] += served
        if local is not None and local not in working:
            working[local] = _working(calendar, dt.date.fromisoformat(local))
        if local is not None and not working[local]:
            row["weekend_holiday"] += served
        elif klass != "regular":
            row[klass] += served
    rows = []
    for (bucket, group), row in sorted(out.items()):
        outside = sum(row[c] for c in CLASSES)
        group_value: Any = int(group) if by == "window" and group else group
        rows.append(
            {
                "bucket": bucket,
                "group": group_value,
                **row,
                "outside_total": outside,
                "regular": row["served"] - outside,
            }
        )
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows of one grouping added up (a report's whole-period figures)."""
    out = _empty("hall")
    out["outside_total"] = out["regular"] = 0
    for row in rows:
        for k in ("served", *CLASSES, "outside_total", "regular"):
            out[k] += row[k]
        for kind in KINDS:
            out["served_by_kind"][kind] += row["served_by_kind"][kind]
            out["issued"][kind] += (row["issued"] or {}).get(kind, 0)
    return out
