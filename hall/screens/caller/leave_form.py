"""What the caller's 请假 screen asks and shows, worked out without Kivy.

The seeds' rules, as the daemon keeps them (hall/queue/supervision/leave.py, config
``leave:``): "请假半天的,由单位负责人批准" — a department head approves half a day, a manager
longer leave; "请假3天以上应…确定顶岗接替人员" — from ``cover_from_days`` working days on
the request names a cover (顶岗). A request runs from a first half-day off to a last one
(上午/下午); its length counts the hall calendar's working days only.

:class:`LeaveDraft` is the form: the first and last half-day (stepped a day at a time from
the hall's today, so a clerk taps rather than types a date), the kind, the reason and the
cover. :func:`request_line` says a request in one line for the lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hall.workdays import CalendarError, WorkCalendar

#: Kinds of leave, as the daemon stores them (事假, 病假, 年休假, 公出, 其他).
KINDS = ("事假", "病假", "年休假", "公出", "other")
HALVES = ("am", "pm")
#: The seeds' default; GET /leave's ``rules`` says the hall's own.
COVER_FROM_DAYS = 3.0


def working_halves(
    calendar: WorkCalendar, start: tuple[dt.date, str], end: tuple[dt.date, str]
) -> int:
    """Working half-days from ``start`` to ``end`` (both included), as the daemon counts them.

    A day off counts nothing; Monday pm to Tuesday am is 2 halves (one working day).
    """
    halves, day = 0, start[0]
    while day <= end[0]:
        if calendar.is_working_day(day):
            first = start[1] if day == start[0] else "am"
            last = end[1] if day == end[0] else "pm"
            halves += 1 + (last == "pm") - (first == "pm")
        day += dt.timedelta(days=1)
    return halves


@dataclass
class LeaveDraft:
    """A leave request being put together on the panel (its own staff id only)."""

    today: dt.date
    start_day: dt.date = field(init=False)
    start_half: str = "am"
    end_day: dt.date = field(init=False)
    end_half: str = "pm"
    kind: str = "事假"
    reason: str = ""
    cover: str = ""

    def __post_init__(self) -> None:
        self.start_day = self.end_day = self.today

    def step(self, which: str, days: int) -> None:
        """Move the first (``start``) or last (``end``) day; never before today, end never first."""
        if which == "start":
            self.start_day = max(self.today, self.start_day + dt.timedelta(days=days))
            self.end_day = max(self.end_day, self.start_day)
        else:
            self.end_day = max(self.start_day, self.end_day + dt.timedelta(days=days))

    def ordered(self) -> bool:
        """False when the last half-day comes before the first (the same day pm → am)."""
        return (self.end_day, HALVES.index(self.end_half)) >= (
            self.start_day,
            HALVES.index(self.start_half),
        )

    def days(self, calendar: WorkCalendar | None) -> float | None:
        """Working days asked for (halves of a day), or None without a calendar to count on."""
        if calendar is None or not self.ordered():
            return None
        try:
            halves = working_halves(
                calendar, (self.start_day, self.start_half), (self.end_day, self.end_half)
            )
        except CalendarError:  # a year without a table: the daemon will say
            return None
        return halves / 2

    def needs_cover(self, calendar: WorkCalendar | None, cover_from: float) -> bool:
        """True when the request must name a cover (顶岗), as far as the panel can count."""
        days = self.days(calendar)
        return days is not None and days >= cover_from

    def body(self, staff_id: str) -> dict[str, Any]:
        """POST /api/v1/leave's body."""
        body: dict[str, Any] = {
            "staff_id": staff_id,
            "start_day": self.start_day.isoformat(),
            "start_half": self.start_half,
            "end_day": self.end_day.isoformat(),
            "end_half": self.end_half,
            "kind": self.kind,
            "reason": self.reason.strip(),
        }
        if self.cover.strip():
            body["cover_staff"] = self.cover.strip().upper()
        return body


def day_text(tr: Callable[..., str], day: dt.date | str, half: str | None = None) -> str:
    """06-04（周四）, or with ``half`` 06-04（周四）上午: a day or half-day in words."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    text = tr(
        "leave.date", date=day.strftime("%m-%d"), weekday=tr(f"leave.weekday_{day.weekday()}")
    )
    return tr("leave.day_half", day=text, half=tr(f"leave.{half}")) if half else text


def days_text(tr: Callable[..., str], days: float) -> str:
    """The length in words: 半天, 1天, 2.5天."""
    return tr("leave.half_day") if days == 0.5 else tr("leave.days", days=f"{days:g}")


def request_line(tr: Callable[..., str], row: dict[str, Any], with_name: bool = False) -> str:
    """One request: (who,) from – to, kind, length, status (and the cover, if any)."""
    kind = tr(f"leave.kind_{row['kind']}")
    span = tr(
        "leave.span",
        start=day_text(tr, row["start_day"], row["start_half"]),
        end=day_text(tr, row["end_day"], row["end_half"]),
    )
    parts = [span, kind, days_text(tr, row["days"]), tr(f"leave.status_{row['status']}")]
    if row.get("cover_staff"):
        parts.append(tr("leave.cover_line", name=row.get("cover_name") or row["cover_staff"]))
    line = " · ".join(parts)
    return f"{row.get('name') or row['staff_id']}  {line}" if with_name else line
