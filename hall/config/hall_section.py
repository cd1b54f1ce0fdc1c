"""config.yaml's ``hall:`` section: who the hall is, its time zone and its issuing hours.

朝九晚五 by default, with the variations halls announce: 午休 (no tickets over lunch),
双休日照常上班, 延时服务 on some weekdays, holidays closed and 调休 make-up days open.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from hall.config.base import HHMM, _Section


class LunchBreak(_Section):
    """午休: no tickets are issued between start and end (omit for 午休照常上班)."""

    start: HHMM
    end: HHMM


class ExtendedHours(_Section):
    """延时服务: on these ISO weekdays (1 = Monday) issuing goes on until ``close``."""

    weekdays: list[Annotated[int, Field(ge=1, le=7)]]
    close: HHMM


class HoursConfig(_Section):
    """The hall's issuing hours (朝九晚五 and its variations)."""

    open: HHMM = "09:00"
    close: HHMM = "17:00"
    lunch_break: LunchBreak | None = None
    weekend_open: bool = Field(
        False, description="双休日照常上班: Saturday and Sunday are working days"
    )
    extended: ExtendedHours | None = None
    closed_dates: list[dt.date] = Field(default_factory=list, description="holidays: no issuing")
    open_dates: list[dt.date] = Field(default_factory=list, description="调休 make-up working days")


class HallSection(_Section):
    """Who the hall is and when it works."""

    name: str = Field(min_length=1)
    name_en: str = ""
    address: str = Field("", max_length=100, description="printed on notices to citizens")
    phone: str = Field(
        "", max_length=40, description="the hall's enquiry phone on notices (else the matter's)"
    )
    timezone: str = "Asia/Shanghai"
    reset_time: HHMM = Field("03:00", description="when the daily number sequences restart")
    number_digits: int = Field(3, ge=3, le=4, description="digits after the prefix: A001")
    hours: HoursConfig = HoursConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The hall's time zone."""
        return ZoneInfo(self.timezone)
