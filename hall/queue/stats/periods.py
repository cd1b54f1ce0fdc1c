"""Statistics periods: day, week, month, quarter (季度) and year, and report periods by name.

Buckets: a day is itself, a week starts on Monday, a month on its 1st, a quarter on
1 January, 1 April, 1 July or 1 October, a year on 1 January; a bucket is labelled by
its first day (:func:`bucket_start`).

A report (通报) names its period the way the seeds do ("每季度…通报", "分月通报"):
``2026-10`` (a month), ``2026Q4`` (a quarter), ``2026`` (a year). :func:`parse_period`
reads one and refuses anything else with a 422 in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hall.queue.core.domain import QueueError

#: Every bucket size the statistics take (API ``period=``, xlsx export).
PERIODS = ("day", "week", "month", "quarter", "year")
#: Years a report may name (as the API's dates: hall/queue/web/dates.py).
MIN_YEAR, MAX_YEAR = 2000, 2099
_QUARTER_ZH = "一二三四"
_CODE = re.compile(r"^(\d{4})(?:-(\d{2})|[Qq]([1-4]))?$")


def bucket_start(day: dt.date, period: str, origin: dt.date | None = None) -> dt.date:
    """The first day of the bucket ``day`` belongs to (see the module docstring).

    ``whole`` (not an API period: the reports use it) is one bucket for a whole range,
    labelled by its first day ``origin``.
    """
    if period == "whole" and origin is not None:
        return origin
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == "year":
        return dt.date(day.year, 1, 1)
    return day


@dataclass(frozen=True)
class Period:
    """A named report period: its code, kind, first and last day, and its name in words."""

    code: str  # 2026-10 | 2026Q4 | 2026 | 2026-10-01..2026-10-15
    kind: str  # month | quarter | year | range
    start: dt.date
    end: dt.date

    @property
    def zh(self) -> str:
        """The period in Chinese: 2026年10月, 2026年第四季度, 2026年度."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{_QUARTER_ZH[(self.start.month - 1) // 3]}季度"
        if self.kind == "range":
            return f"{self.start.isoformat()}至{self.end.isoformat()}"
        return f"{self.start.year}年度"

    @property
    def en(self) -> str:
        """The period in English: October 2026, Q4 2026, the year 2026."""
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "range":
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"the year {self.start.year}"

    @property
    def chart_period(self) -> str:
        """The bucket a report's trend chart uses: weeks of a month, months of a quarter or year.

        A range: days up to a month, weeks up to a quarter, then months.
        """
        if self.kind == "range":
            days = (self.end - self.start).days + 1
            return "day" if days <= 31 else "week" if days <= 92 else "month"
        return "week" if self.kind == "month" else "month"

    @classmethod
    def of_range(cls, start: dt.date, end: dt.date) -> Period:
        """Any range of days (a statistics export's start..end), as a report period."""
        return cls(f"{start.isoformat()}..{end.isoformat()}", "range", start, end)

    def as_dict(self) -> dict[str, str]:
        """The period as an API answer shows it."""
        return {
            "code": self.code,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "zh": self.zh,
            "en": self.en,
        }


def _last_day(year: int, month: int) -> dt.date:
    """The last day of ``month`` (1..12) of ``year``."""
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(value: str) -> Period:
    """``2026-10``, ``2026Q4`` or ``2026`` → its :class:`Period`; a 422 for anything else."""
    found = _CODE.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise QueueError(
            422,
            "bad_period",
            f"统计期格式应为 YYYY-MM（月）、YYYYQn（季度）或 YYYY（年），例如 2026Q4，收到“{value}”",
            f"expected a period as YYYY-MM (month), YYYYQn (quarter) or YYYY (year), "
            f"e.g. 2026Q4; got {value!r}",
        )
    year = int(found.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise QueueError(
            422,
            "bad_period",
            f"年份应在{MIN_YEAR}至{MAX_YEAR}之间",
            f"the year must be {MIN_YEAR} to {MAX_YEAR}",
        )
    if found.group(2):
        month = int(found.group(2))
        if not 1 <= month <= 12:
            raise QueueError(422, "bad_period", "月份应在01至12之间", "the month must be 01 to 12")
        return Period(
            f"{year}-{month:02d}", "month", dt.date(year, month, 1), _last_day(year, month)
        )
    if found.group(3):
        q = int(found.group(3))
        first = 3 * (q - 1) + 1
        start, end = dt.date(year, first, 1), _last_day(year, first + 2)
        return Period(f"{year}Q{q}", "quarter", start, end)
    return Period(str(year), "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
