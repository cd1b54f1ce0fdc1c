"""Issuing hours and the business day (营业日).

A business day starts at ``hall.reset_time`` local time: with the default 03:00,
a ticket taken at 01:30 on Tuesday still belongs to Monday's sequence. Issuing
hours follow the hall's settings (朝九晚五, 午休, 双休日, 延时服务, holidays and
调休 make-up days); a service with ``hours: always`` accepts tickets at any hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hall.config import HallConfig, ServiceConfig, parse_hhmm

_WEEKDAY_ZH = "一二三四五六日"


@dataclass(frozen=True)
class Availability:
    """Whether a service accepts tickets at a moment, and if not why and until when."""

    accepting: bool
    reason_code: str | None = None
    reason_zh: str | None = None
    reason_en: str | None = None
    next_open: dt.datetime | None = None


class Schedule:
    """Answers time questions for one hall configuration."""

    def __init__(self, config: HallConfig) -> None:
        self.config = config
        self.tz = config.hall.tz
        self.hours = config.hall.hours
        self._reset = parse_hhmm(config.hall.reset_time)
        self._open = parse_hhmm(self.hours.open)
        self._close = parse_hhmm(self.hours.close)

    def local(self, now: dt.datetime) -> dt.datetime:
        """``now`` (aware) in the hall's time zone."""
        return now.astimezone(self.tz)

    def business_day(self, now: dt.datetime) -> dt.date:
        """The business day a moment belongs to (days start at reset_time)."""
        local = self.local(now)
        shifted = local - dt.timedelta(hours=self._reset.hour, minutes=self._reset.minute)
        return shifted.date()

    def is_working_day(self, day: dt.date) -> bool:
        """Working day per weekend setting, holidays (closed_dates) and 调休 (open_dates)."""
        if day in self.hours.open_dates:
            return True
        if day in self.hours.closed_dates:
            return False
        return self.hours.weekend_open or day.isoweekday() <= 5

    def _close_on(self, day: dt.date) -> dt.time:
        ext = self.hours.extended
        if ext and day.isoweekday() in ext.weekdays:
            return max(self._close, parse_hhmm(ext.close))
        return self._close

    def _periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Issuing periods of one calendar day, as aware local datetimes."""
        if not self.is_working_day(day):
            return []
        start = dt.datetime.combine(day, self._open, self.tz)
        end = dt.datetime.combine(day, self._close_on(day), self.tz)
        lunch = self.hours.lunch_break
        if lunch is None:
            return [(start, end)]
        l_start = dt.datetime.combine(day, parse_hhmm(lunch.start), self.tz)
        l_end = dt.datetime.combine(day, parse_hhmm(lunch.end), self.tz)
        return [(a, b) for a, b in ((start, l_start), (l_end, end)) if a < b]

    def next_open(self, now: dt.datetime) -> dt.datetime | None:
        """Start of the next issuing period after ``now`` (within 60 days), local time."""
        local = self.local(now)
        for offset in range(61):
            for start, _ in self._periods(local.date() + dt.timedelta(days=offset)):
                if start > local:
                    return start
        return None

    def is_open(self, now: dt.datetime) -> bool:
        """True inside one of the hall's periods (hours, 午休, holidays, 调休)."""
        local = self.local(now)
        return any(start <= local < end for start, end in self._periods(local.date()))

    def opening_zh(self, now: dt.datetime) -> str | None:
        """The next opening in words (``明天09:00``) while the hall is shut; else None."""
        if self.is_open(now):
            return None
        nxt = self.next_open(now)
        return _format_zh(nxt, self.local(now)) if nxt else None

    def availability(self, service: ServiceConfig, now: dt.datetime) -> Availability:
        """Whether ``service`` accepts tickets at ``now`` by the hours alone."""
        if service.hours == "always":
            return Availability(True)
        local = self.local(now)
        for start, end in self._periods(local.date()):
            if start <= local < end:
                return Availability(True)
        nxt = self.next_open(now)
        when_zh = _format_zh(nxt, local) if nxt else "另行通知"
        when_en = nxt.strftime("%Y-%m-%d %H:%M") if nxt else "to be announced"
        lunch = self.hours.lunch_break
        if lunch and parse_hhmm(lunch.start) <= local.time() < parse_hhmm(lunch.end):
            if self._periods(local.date()):
                return Availability(
                    False,
                    "lunch_break",
                    f"午休时间暂停取号,{when_zh}恢复",
                    f"Lunch break: tickets again from {when_en}",
                    nxt,
                )
        return Availability(
            False,
            "outside_hours",
            f"当前不在取号时间,下次取号时间:{when_zh}",
            f"Outside issuing hours; next opening {when_en}",
            nxt,
        )

    def period_start(self, service: ServiceConfig, now: dt.datetime) -> dt.datetime | None:
        """When the period of ``service``'s hours that holds ``now`` began; None outside hours.

        A 24-hour service's period is the business day (from ``reset_time``). The
        空岗 alerts count a window's emptiness from here, not from the night before.
        """
        local = self.local(now)
        if service.hours == "always":
            day = self.business_day(now)
            return dt.datetime.combine(day, self._reset, self.tz)
        for start, end in self._periods(local.date()):
            if start <= local < end:
                return start
        return None


def _format_zh(when: dt.datetime, local_now: dt.datetime) -> str:
    if when.date() == local_now.date():
        return f"今天{when:%H:%M}"
    if when.date() == local_now.date() + dt.timedelta(days=1):
        return f"明天{when:%H:%M}"
    return f"{when.month}月{when.day}日(周{_WEEKDAY_ZH[when.weekday()]}){when:%H:%M}"
