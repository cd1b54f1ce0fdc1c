"""限时办结 clock of one case: promised date, days used and left, stopped or not, 黄牌/红牌.

A pure function of the receipt date, the time limit in working days, the hall's
:class:`~hall.workdays.WorkCalendar` and the case's clock events in order; no
database, no wall clock (``today`` is given). The rules, from the seeds
(限时办结制度, ../shared/seeds):

* "限时办结的时限以日计算,开始之日不计算在办理时限内。符合条件的,其办理时限从收到申请的
  次日起计算。" The day of receipt is not counted; the limit counts working days
  after it (statutory holidays skipped, 调休 make-up days counted).
* "材料不齐全或者不符合法定形式的,其办理时限从补全材料的次日起计算。" A case returned
  for 补正 (``return``) is stopped until the materials are supplied (``supply``);
  the whole limit then counts afresh from the day after the supply, so the days
  used before the return are not carried over (while it waits, 0 days are used).
* "办理的事项依法需要经过听证、招标、拍卖、检验、检测、勘测、检疫、鉴定或专家评审的,所需时间
  不计算在承诺办结的时限内。" A case ``suspend``-ed (听证, 专家评审, 公告, 现场勘查, …)
  is stopped and keeps the days used so far; after ``resume`` it counts on from
  the day after the resumption. The day a stop begins is counted when it is a
  working day (the hall worked on the case that day); the day it ends is not.
* "因特殊情况不能按期办结需要延期的…经同意后方可延期。并向办事人告知" An ``extend``
  adds working days to the limit (who approved it and the notice are the
  register's business).
* 电子监察 "预警纠错": a running case is 红牌 (red) from the day after its promised
  date, even when that is a day off, and 黄牌 (yellow) while no more than
  ``yellow_days`` working days are left. A stopped case (补正, suspended,
  finished) is never yellow or red: it waits on the citizen or on a procedure
  the law leaves out of the limit.

``finish`` (办结, or 退件) stops the clock for good and says whether the case was on
time; the register's other actions (accept, ready, deliver) do not touch the clock.
Events dated after ``today`` are not yet seen, so the clock of a past day can be
shown. An impossible history (supply without a return, events out of order)
raises :class:`ClockError`, naming the event, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import weakref
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from hall.workdays import WorkCalendar

KINDS = ("return", "supply", "suspend", "resume", "extend", "finish")

#: Suspension reasons the issue names, with their English; any other text is allowed.
SUSPEND_REASONS = {
    "听证": "hearing",
    "专家评审": "expert review",
    "公告": "public notice",
    "现场勘查": "site inspection",
}

#: Clock states: counting, waiting for 补正, suspended, finished.
RUNNING, WAITING, SUSPENDED, FINISHED = "running", "waiting", "suspended", "finished"


class ClockError(ValueError):
    """An event or history the clock cannot follow; the message is in Chinese and English."""


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One event of a case's clock: its ``kind``, the hall-local date, and its detail.

    ``reason`` is required for ``suspend`` (听证, 专家评审, 公告, 现场勘查 or other
    text); ``days`` (1 or more) for ``extend`` and only there.
    """

    kind: str
    on: dt.date
    reason: str = ""
    days: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ClockError(f"未知的计时事件 unknown clock event {self.kind!r}: one of {KINDS}")
        if self.kind == "extend" and self.days < 1:
            raise ClockError(f"延期天数至少为1 extend: days must be 1 or more, got {self.days}")
        if self.kind != "extend" and self.days:
            raise ClockError(f"只有延期有天数 {self.kind}: days is only for extend")
        if self.kind == "suspend" and not self.reason.strip():
            raise ClockError("暂停计时须说明原因 suspend: a reason is required (听证, 专家评审, …)")


@dataclass(frozen=True, slots=True)
class Clock:
    """The clock of one case as it stands on ``today``.

    ``limit`` includes the ``extended`` days; ``left`` is ``limit - used`` and
    negative when overdue. ``promised`` is None while the clock is stopped for
    补正 or a suspension (it depends on when it restarts); for a finished case
    it is the promised date as it stood at the finish (None when it was
    finished while stopped). ``since`` is the day the current stop began;
    ``on_time`` is set only for a finished case.
    """

    received: dt.date
    limit: int
    extended: int
    used: int
    left: int
    promised: dt.date | None
    state: str
    reason: str
    since: dt.date | None
    warning: str | None
    on_time: bool | None
    provisional: bool = False  # counts days of the year after the last holiday table

    @property
    def stopped(self) -> bool:
        """True unless the clock is counting."""
        return self.state != RUNNING

    @property
    def why_zh(self) -> str:
        """Why the clock is stopped, in Chinese ('' while it runs)."""
        if self.state == WAITING:
            return "等待补正材料，补齐次日起重新计时"
        if self.state == SUSPENDED:
            return f"{self.reason}，暂停计时（不计算在承诺办结时限内）"
        return "已办结" if self.state == FINISHED else ""

    @property
    def why_en(self) -> str:
        """Why the clock is stopped, in English ('' while it runs)."""
        if self.state == WAITING:
            return "waiting for missing materials; counts again from the day after they come"
        if self.state == SUSPENDED:
            reason = SUSPEND_REASONS.get(self.reason, self.reason)
            return f"suspended for {reason} (not counted in the time limit)"
        return "finished" if self.state == FINISHED else ""


def _refuse(ev: ClockEvent, zh: str, en: str) -> ClockError:
    return ClockError(f"{ev.kind} {ev.on}: {zh} {en}")


def compute_clock(
    calendar: WorkCalendar,
    received: dt.date,
    limit_days: int,
    events: Iterable[ClockEvent],
    *,
    today: dt.date,
    yellow_days: int = 2,
) -> Clock:
    """The clock of a case received on ``received`` with ``limit_days`` working days.

    ``events`` in the order they happened (dates never going back); the rules
    are the module's docstring. ``yellow_days``: 黄牌 when that many working
    days or fewer are left.
    """
    if limit_days < 0:
        raise ClockError(f"时限不能为负 limit_days must be 0 or more, got {limit_days}")
    if yellow_days < 0:
        raise ClockError(f"黄牌天数不能为负 yellow_days must be 0 or more, got {yellow_days}")
    if today < received:
        raise ClockError(f"今天早于收件日 today {today} is before the receipt {received}")
    days = _days(calendar)
    limit, extended = limit_days, 0
    used_before = 0  # working days counted up to ``restart``
    restart = received  # counting runs over the working days after this date
    state, reason, since = RUNNING, "", None
    due: dt.date | None = days.add(received, limit)
    last = received
    for ev in events:
        on = ev.on.date() if isinstance(ev.on, dt.datetime) else ev.on
        if on < received:
            raise _refuse(ev, "早于收件日", f"is before the receipt {received}")
        if on < last:
            raise _refuse(ev, "事件顺序错误", f"is out of order: after an event of {last}")
        if on > today:
            break
        last = on
        if state == FINISHED:
            raise _refuse(ev, "案件已办结", "the case is already finished")
        if ev.kind == "extend":
            limit += ev.days
            extended += ev.days
            if state == RUNNING:
                due = _due(days, restart, limit - used_before, due)
        elif ev.kind == "return":
            if state != RUNNING:
                raise _refuse(ev, "计时未在进行", f"the clock is {state}, not running")
            # 补正: the limit will count afresh from the day after the supply.
            state, since, used_before, due = WAITING, on, 0, None
        elif ev.kind == "supply":
            if state != WAITING:
                raise _refuse(ev, "未退回补正", f"the case is {state}, not waiting for 补正")
            state, since, restart, used_before = RUNNING, None, on, 0
            due = days.add(on, limit)
        elif ev.kind == "suspend":
            if state != RUNNING:
                raise _refuse(ev, "计时未在进行", f"the clock is {state}: already suspended?")
            used_before += days.between(restart, on)
            state, reason, since = SUSPENDED, ev.reason, on
        elif ev.kind == "resume":
            if state != SUSPENDED:
                raise _refuse(ev, "未暂停计时", f"the case is {state}, not suspended")
            state, reason, since, restart = RUNNING, "", None, on
            due = _due(days, restart, limit - used_before, due)
        else:  # finish
            if state == RUNNING:
                used_before += days.between(restart, on)
            else:  # finished while stopped: no promised day was in force
                due = None
            state, since = FINISHED, on
    used = used_before
    warning = None
    if state == RUNNING:
        used += days.between(restart, today)
        if today > due:
            warning = "red"
        elif limit - used <= yellow_days:
            warning = "yellow"
    return Clock(
        received=received,
        limit=limit,
        extended=extended,
        used=used,
        left=limit - used,
        promised=due if state in (RUNNING, FINISHED) else None,
        state=state,
        reason=reason,
        since=since,
        warning=warning,
        on_time=(used <= limit) if state == FINISHED else None,
        provisional=max(today, due or today) > days.table_end,
    )


def _due(days: _Days, restart: dt.date, remaining: int, old: dt.date | None) -> dt.date | None:
    """The day ``remaining`` working days after ``restart``; ``old`` when none are left.

    A case that ran past its promised day and was then suspended keeps that
    (past) day when it resumes: the limit ran out before the stop.
    """
    return days.add(restart, remaining) if remaining >= 0 else old


class _Days:
    """Working-day counts of a calendar over its years, for O(1) and O(log n) questions.

    ``count[i]``: working days from the first day of the first year up to and
    including day ``i``. The same answers as ``WorkCalendar.working_days_between``
    and ``add_working_days``, which walk day by day (~70 µs a case over 10,000
    cases, bench/bench_deadline.py); the counts go on through the year after the
    last table, Monday to Friday (``WorkCalendar.is_working_day_provisional``: in
    December the next year's table is often not published yet), and a clock that
    reaches past ``table_end`` says it is provisional. A day beyond that goes to the
    calendar, which raises its CalendarError naming the missing table.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        years = sorted(calendar.years)
        contiguous = bool(years) and years == list(range(years[0], years[-1] + 1))
        self.first = dt.date(years[0], 1, 1).toordinal() if contiguous else 0
        self.table_end = dt.date(years[-1], 12, 31) if years else dt.date.min
        self.count: list[int] = []
        if contiguous:
            total, day, end = 0, dt.date(years[0], 1, 1), dt.date(years[-1] + 1, 12, 31)
            while day <= end:
                total += calendar.is_working_day_provisional(day)
                self.count.append(total)
                day += dt.timedelta(days=1)

    def _index(self, day: dt.date) -> int | None:
        i = day.toordinal() - self.first
        return i if 0 <= i < len(self.count) else None

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``."""
        i, j = self._index(a), self._index(b)
        if i is None or j is None:
            return self.calendar.working_days_between(a, b)
        return self.count[j] - self.count[i]

    def add(self, start: dt.date, n: int) -> dt.date:
        """The day ``n`` working days after ``start`` (``start`` not counted)."""
        i = self._index(start)
        if i is None or n < 0:
            return self.calendar.add_working_days(start, n)
        if n == 0:
            return start
        j = bisect_left(self.count, self.count[i] + n, lo=i + 1)
        if j >= len(self.count):  # past the provisional year: the calendar names the table
            return self.calendar.add_working_days_provisional(start, n)[0]
        return dt.date.fromordinal(self.first + j)


_DAYS: weakref.WeakKeyDictionary[WorkCalendar, _Days] = weakref.WeakKeyDictionary()


def _days(calendar: WorkCalendar) -> _Days:
    """The counts of ``calendar``, made at its first clock (a calendar never changes)."""
    days = _DAYS.get(calendar)
    if days is None:
        days = _DAYS[calendar] = _Days(calendar)
    return days
