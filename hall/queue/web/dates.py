"""Dates, months and times in the API: one strict validator for every route.

Pydantic's lax mode reads ``date=0`` as 1970-01-01 and lets ``month=0000-01``
through to ``datetime.date`` (a 500). Every date, month and time parameter of
the API (query or body) is declared with :data:`Day`, :data:`Month` or
:data:`Moment` instead:

- :data:`Day`: ``YYYY-MM-DD`` as text, a real calendar day;
- :data:`Month`: ``YYYY-MM``; returned as the first day of the month;
- :data:`Moment`: an ISO 8601 date and time with a time zone offset
  (``2026-05-02T09:30:00+08:00``); a time without one is ambiguous.

Years outside :data:`MIN_YEAR`..:data:`MAX_YEAR` are refused: no record of an
appliance in service can be dated outside them. A bad value is a 422 whose
message names the parameter and the expected form in Chinese and English
(``hall.queue.web.app`` puts the ``zh`` and ``en`` of the error's context into the
usual error shape). :func:`check_range` refuses an end before its start.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from hall.queue.core.domain import QueueError

MIN_YEAR = 2000
MAX_YEAR = 2099
#: The error type the API's validation handler recognises (see hall/queue/web/app.py).
ERROR_TYPE = "bad_date"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$")


def _bad(zh: str, en: str) -> PydanticCustomError:
    return PydanticCustomError(ERROR_TYPE, "{en}", {"zh": zh, "en": en})


def _year_ok(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(
            f"年份应在{MIN_YEAR}至{MAX_YEAR}之间", f"the year must be {MIN_YEAR} to {MAX_YEAR}"
        )


def parse_day(value: Any) -> dt.date:
    """``YYYY-MM-DD`` → date (a date object passes through, after the year check)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        _year_ok(value.year)
        return value
    if not isinstance(value, str) or not _DAY.match(value.strip()):
        raise _bad("日期格式应为 YYYY-MM-DD（例如 2026-05-02）", "expected a date as YYYY-MM-DD")
    _year_ok(int(value.strip()[:4]))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _bad("日期不存在，请检查月份和日", "no such day: check the month and day") from None


def parse_month(value: Any) -> dt.date:
    """``YYYY-MM`` → the first day of that month."""
    if not isinstance(value, str) or not _MONTH.match(value.strip()):
        raise _bad("月份格式应为 YYYY-MM（例如 2026-05）", "expected a month as YYYY-MM")
    year, month = (int(x) for x in value.strip().split("-"))
    _year_ok(year)
    if not 1 <= month <= 12:
        raise _bad("月份应在01至12之间", "the month must be 01 to 12")
    return dt.date(year, month, 1)


def parse_moment(value: Any) -> dt.datetime:
    """ISO 8601 date and time with an offset → an aware datetime."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        _year_ok(value.year)
        return value
    if not isinstance(value, str) or not _MOMENT.match(value.strip()):
        raise _bad(
            "时间格式应为 YYYY-MM-DDTHH:MM:SS+08:00（须带时区）",
            "expected a date and time with a time zone offset, e.g. 2026-05-02T09:30:00+08:00",
        )
    _year_ok(int(value.strip()[:4]))
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _bad("时间不存在，请检查日期和时刻", "no such date or time") from None


Day = Annotated[
    dt.date,
    BeforeValidator(parse_day),
    WithJsonSchema({"type": "string", "format": "date", "example": "2026-05-02"}),
]
Month = Annotated[
    dt.date,
    BeforeValidator(parse_month),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"}),
]
Moment = Annotated[
    dt.datetime,
    BeforeValidator(parse_moment),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "example": "2026-05-02T09:30:00+08:00"}
    ),
]


def check_range(start: dt.date, end: dt.date, names: tuple[str, str] = ("start", "end")) -> None:
    """A 422 when the range ends before it starts (same words as a bad date)."""
    if end < start:
        a, b = names
        raise QueueError(
            422,
            "bad_range",
            f"日期区间无效：{b}（{end}）早于{a}（{start}）",
            f"{b} ({end}) is before {a} ({start})",
        )
