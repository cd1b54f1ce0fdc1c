"""Working-day calendar (工作日历) for 限时办结 time limits and 差评 deadlines.

Time limits count working days: the day of acceptance is not counted,
statutory holidays (法定节假日) are skipped and 调休 make-up working days count.
The holiday tables are data, one YAML file per year in ``hall/data/holidays/``
(regenerate with ``python scripts/make_holidays.py``, or edit by hand when the
State Council publishes a new notice). A date in a year without a table is an
error, never a guess::

    cal = WorkCalendar.load()
    cal.add_working_days(dt.date(2025, 9, 30), 5)  # -> 2025-10-14 (10-11 is a make-up day)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_FOLDER = Path(__file__).parent / "data" / "holidays"
_YEAR_FILE = re.compile(r"^\d{4}$")


# libyaml's parser when there is one: the same documents, ten times faster (23 tables
# are read at every daemon start).
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that leaves dates as text, so pydantic can say which entry is impossible."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class CalendarError(Exception):
    """A holiday table is missing or wrong; the message names the file and the entry."""


class DayEntry(BaseModel):
    """One dated line of a table: a day off (放假) or a make-up working day (调休上班)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    name: str = Field(min_length=1, description="the holiday, in Chinese: 国庆节")
    name_en: str = Field("", description="the holiday in English: National Day")


class YearTable(BaseModel):
    """The contents of ``<year>.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=1949, le=2200)
    source: str = Field("", description="where the dates come from (notice, generator)")
    holidays: list[DayEntry] = Field(default_factory=list, description="statutory days off")
    make_up_days: list[DayEntry] = Field(
        default_factory=list, description="调休: weekend days that are working days"
    )


def _display(path: Path) -> str:
    """A path as a hall manager would type it: relative to the current directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _entry_label(table: dict, loc: tuple) -> str:
    """``holidays[3] (2025-10-01)`` for a pydantic error location inside a table."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
        else:
            parts.append(str(item))
    label = ".".join(parts)
    if len(loc) >= 2 and isinstance(loc[1], int):
        try:
            raw = table[loc[0]][loc[1]]
            label += " (" + f"{raw.get('date')} {raw.get('name') or ''}".strip() + ")"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    return label


def read_year_table(path: Path) -> YearTable:
    """Read and check one ``<year>.yaml``, raising :class:`CalendarError` naming file and entry."""
    where = _display(path)
    if not _YEAR_FILE.match(path.stem):
        raise CalendarError(f"{where}: a holiday table must be named <year>.yaml, e.g. 2025.yaml")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarError(f"{where}: cannot read holiday table: {exc}") from exc
    if not isinstance(raw, dict):
        raise CalendarError(f"{where}: expected a mapping with year, holidays and make_up_days")
    try:
        table = YearTable.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        label = _entry_label(raw, first["loc"])
        raise CalendarError(f"{where}: {label}: {first['msg']}") from None
    if table.year != int(path.stem):
        raise CalendarError(f"{where}: year: {table.year} does not match the file name")
    seen: dict[dt.date, str] = {}
    for kind in ("holidays", "make_up_days"):
        for index, entry in enumerate(getattr(table, kind)):
            label = f"{where}: {kind}[{index}] ({entry.date} {entry.name})"
            if entry.date.year != table.year:
                raise CalendarError(f"{label}: date is not in {table.year}")
            if kind == "make_up_days" and entry.date.weekday() < 5:
                raise CalendarError(f"{label}: a make-up working day must be a Saturday or Sunday")
            if entry.date in seen:
                other = seen[entry.date]
                problem = "listed twice" if other == kind else "is both a holiday and a make-up day"
                raise CalendarError(f"{label}: date {problem}")
            seen[entry.date] = kind
    return table


class WorkCalendar:
    """Which days are working days (工作日), from the loaded year tables and hall overrides."""

    def __init__(
        self,
        tables: Iterable[YearTable],
        *,
        folder: Path = DEFAULT_FOLDER,
        closed_dates: Iterable[dt.date] = (),
        open_dates: Iterable[dt.date] = (),
    ) -> None:
        self.folder = folder
        self._off: dict[dt.date, str] = {}
        self._on: dict[dt.date, str] = {}
        years: set[int] = set()
        for table in tables:
            years.add(table.year)
            self._off.update((e.date, e.name) for e in table.holidays)
            self._on.update((e.date, e.name) for e in table.make_up_days)
        self.years: frozenset[int] = frozenset(years)
        closed, opened = set(closed_dates), set(open_dates)
        both = sorted(closed & opened)
        if both:
            raise CalendarError(f"hall dates both closed and open: {', '.join(map(str, both))}")
        for day in closed:
            self._on.pop(day, None)
            self._off[day] = "本厅闭厅"
        for day in opened:
            self._off.pop(day, None)
            self._on[day] = "本厅加班"

    @classmethod
    def load(
        cls,
        folder: Path | str = DEFAULT_FOLDER,
        *,
        closed_dates: Iterable[dt.date] = (),
        open_dates: Iterable[dt.date] = (),
    ) -> WorkCalendar:
        """Load every ``<year>.yaml`` in ``folder`` and merge the hall's own dates.

        ``closed_dates`` are extra days off of this hall (they win over a make-up
        day); ``open_dates`` extra working days (they win over a holiday). Both
        only apply inside years that have a table.
        """
        folder = Path(folder)
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise CalendarError(
                f"no holiday tables in {_display(folder)}: run python scripts/make_holidays.py"
            )
        tables = [read_year_table(path) for path in files]
        return cls(tables, folder=folder, closed_dates=closed_dates, open_dates=open_dates)

    def _check_year(self, day: dt.date) -> None:
        if day.year not in self.years:
            path = _display(self.folder / f"{day.year}.yaml")
            raise CalendarError(
                f"no holiday table for {day.year}: add {path} (python scripts/make_holidays.py)"
            )

    def is_working_day(self, day: dt.date) -> bool:
        """True on Monday-Friday unless a holiday, and on a make-up Saturday/Sunday."""
        self._check_year(day)
        if day in self._on:
            return True
        if day in self._off:
            return False
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the holiday (or hall closure) on ``day``, None on other days."""
        self._check_year(day)
        return self._off.get(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The day ``n`` working days after ``start``; ``start`` itself is not counted.

        1 working day after a Friday acceptance is the next Monday when that is a
        working day; ``n == 0`` returns ``start``.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        self._check_year(start)
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def add_working_days_provisional(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """Like :meth:`add_working_days`, but across into the year after the last table.

        The State Council publishes each year's holidays late in the year before, so
        in December a 承诺件 or a 差评 deadline often ends in a year that has no table
        yet. Rather than refuse the citizen, that year is counted Monday to Friday
        and the answer says so (``True``: provisional; log it, and add the table when
        it is published). Years beyond that one still raise :class:`CalendarError`
        (a wrong clock must not pass for a date).
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        self._check_year(start)
        day, provisional = start, False
        while n:
            day += dt.timedelta(days=1)
            n -= self.is_working_day_provisional(day)
            provisional = provisional or day.year not in self.years
        return day, provisional

    def is_working_day_provisional(self, day: dt.date) -> bool:
        """:meth:`is_working_day`, and Monday to Friday in the year after the last table.

        See :meth:`add_working_days_provisional`; years beyond that one raise.
        """
        if day.year == max(self.years) + 1:
            return day.weekday() < 5
        return self.is_working_day(day)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b`` (negative when ``b < a``).

        The inverse of :meth:`add_working_days`: ``between(a, add(a, n)) == n``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        self._check_year(a)
        self._check_year(b)
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it.

        For a submission made at a 24-hour terminal on a day off, this is the
        day it is deemed accepted, if the hall counts it so.
        """
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day
