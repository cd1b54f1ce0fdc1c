"""办件 figures of the register: 办结率, 按时办结率, days used, 黄牌/红牌, by department etc.

Per hall, department, matter and clerk, over the cases **received** in a range of
hall-local dates (``cases.received_on``), as they stand now; the warnings as of
``today``. One SQL aggregate grouped by
(department, matter, clerk) reads the range once; the hall, department, matter and
clerk rows are sums of those groups (a few hundred at most), never a loop over cases.

Definitions (returned with every answer as ``definitions``):

- received: cases received in the range. rejected: 不予受理/退件 (status rejected).
- finished (办结): status finished, ready (待领取) or delivered (已领取/已寄出). A
  承诺件, 联办件 or 上报件 counts only once it is finished: received or accepted
  (办理中) is not done, nor is a case waiting for 补正 or suspended. The same rule
  holds for a 即办件: it counts when the register records its ``finish``.
- 办结率 (completion_rate) = finished ÷ (received − rejected): a refused case was
  never 受理, so it is neither done nor undone. The seeds give the figure as 办结 ÷
  受理: "累计受理各类办件38835 件,办结37119件,办结率达95.58%" (37119 ÷ 38835 =
  95.58 %, ../shared/seeds 000); they define no formula beyond it.
- 按时办结率 (on_time_rate) = finished on time ÷ finished; on time is the clock's
  verdict at the finish (used ≤ limit with extensions, hall/queue/cases/deadline.py),
  stored on the row as ``on_time``. The seeds: "各单位对所办事项应当按照所承诺的办理
  事项时限按时办结" and "超过承诺时限未能办结的,属超时办结" (002, 第八条, 第十四条).
- avg_used_days: mean working days used by the finished cases (``used_days``).
- extensions, suspensions, returns: how many times cases were extended (延期),
  suspended (暂停计时) and returned for 补正, as the register counts them on the row.
- yellow / red: open cases whose clock runs, 黄牌 from ``yellow_on`` up to the
  promised date, 红牌 the day after it (as of ``today``).
- clerk: the staff member who finished (or refused) the case; for an open case the
  one who opened it (a kiosk case: ``terminal <id>``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, text

from hall.queue.cases import callbacks, digest
from hall.workdays import WorkCalendar

#: Statuses that count as 办结 (finished, then ready for pickup, then delivered).
DONE = ("finished", "ready", "delivered")
GROUPS = ("department", "matter", "clerk")
COUNTS = (
    "received",
    "finished",
    "rejected",
    "on_time",
    "used_sum",
    "used_n",
    "extensions",
    "suspensions",
    "returns",
    "yellow",
    "red",
)
DEFINITIONS = {
    "finished": "status finished, ready or delivered (办结); accepted is not done",
    "completion_rate": "finished ÷ (received − rejected) (办结率 = 办结 ÷ 受理)",
    "on_time_rate": "finished on time ÷ finished (按时办结率)",
    "avg_used_days": "mean working days used by finished cases",
    "yellow": "open, clock running, from yellow_on to the promised date (黄牌)",
    "red": "open, clock running, after the promised date (红牌)",
    "clerk": "who finished or refused it; for open cases who opened it",
    "range": "cases received from..to (hall-local dates), as they stand now",
}
_DONE_SQL = "status IN ('finished', 'ready', 'delivered')"
#: Both warnings are for running clocks only: a case waiting for 补正 or suspended is
#: never yellow or red (deadline.py); SUM over a NULL test is avoided with CASE.
_RED_SQL = "clock_state = 'running' AND promised_date IS NOT NULL AND promised_date < :today"
_YELLOW_SQL = (
    "clock_state = 'running' AND promised_date IS NOT NULL AND promised_date >= :today"
    " AND yellow_on IS NOT NULL AND yellow_on <= :today"
)
_GROUPED = (
    "SELECT department, matter, coalesce(finished_by, opened_by) AS clerk, count(*),"
    f" sum(CASE WHEN {_DONE_SQL} THEN 1 ELSE 0 END),"
    " sum(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END),"
    f" sum(CASE WHEN {_DONE_SQL} AND on_time = 1 THEN 1 ELSE 0 END),"
    f" sum(CASE WHEN {_DONE_SQL} AND used_days IS NOT NULL THEN used_days ELSE 0 END),"
    f" sum(CASE WHEN {_DONE_SQL} AND used_days IS NOT NULL THEN 1 ELSE 0 END),"
    " sum(extensions), sum(suspensions), sum(returns),"
    f" sum(CASE WHEN {_YELLOW_SQL} THEN 1 ELSE 0 END),"
    f" sum(CASE WHEN {_RED_SQL} THEN 1 ELSE 0 END)"
    " FROM cases{hint} WHERE received_on >= :a AND received_on <= :b GROUP BY 1, 2, 3"
)
#: SQLite walks ix_cases_warning (department first, for the GROUP BY) and looks every row
#: up in the table: 3x slower than reading the table in order and sorting the groups
#: (bench/bench_case_figures.py). No index leads with received_on (the register's table).
_SQLITE_HINT = " NOT INDEXED"


def _rates(key: str, acc: list[int]) -> dict[str, Any]:
    """One row of figures from its summed counts (:data:`COUNTS` order)."""
    f = dict(zip(COUNTS, acc, strict=True))
    accepted = f["received"] - f["rejected"]
    used_sum, used_n = f.pop("used_sum"), f.pop("used_n")
    return {
        "group": key,
        **f,
        "open": accepted - f["finished"],
        "completion_rate": round(f["finished"] / accepted, 4) if accepted else None,
        "on_time_rate": round(f["on_time"] / f["finished"], 4) if f["finished"] else None,
        "avg_used_days": round(used_sum / used_n, 2) if used_n else None,
    }


def compute(conn: Connection, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    """The figures of the cases received ``start``..``end`` (inclusive), warnings as of ``today``.

    ``hall`` is one row; ``department``, ``matter`` and ``clerk`` are lists of rows
    sorted by their key. Rates are None where their divisor is 0.
    """
    params = {"a": start.isoformat(), "b": end.isoformat(), "today": today.isoformat()}
    sums: dict[str, dict[str, list[int]]] = {g: {} for g in ("hall", *GROUPS)}
    hint = _SQLITE_HINT if conn.dialect.name == "sqlite" else ""
    for r in conn.execute(text(_GROUPED.format(hint=hint)), params):
        counts = [int(v or 0) for v in r[3:]]
        for group, key in (("hall", ""), *zip(GROUPS, (r[0], r[1], r[2] or ""), strict=True)):
            acc = sums[group].setdefault(key, [0] * len(COUNTS))
            for i, v in enumerate(counts):
                acc[i] += v
    hall = sums["hall"].get("", [0] * len(COUNTS))
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "today": today.isoformat(),
        "hall": _rates("", hall),
        **{g: [_rates(k, sums[g][k]) for k in sorted(sums[g])] for g in GROUPS},
        "definitions": DEFINITIONS,
    }


def gather(
    conn: Connection, start: dt.date, end: dt.date, today: dt.date, calendar: WorkCalendar
) -> dict[str, Any]:
    """:func:`compute`, with both kinds of 回访 of the range and today's warned cases.

    ``callbacks``: the sampled 回访; ``bad_callbacks``: the 差评 回访, apart;
    ``warned``: the open 黄牌/红牌 cases today (hall/queue/cases/digest.py).
    """
    found = compute(conn, start, end, today)
    found["callbacks"] = callbacks.figures(conn, start, end)
    found["bad_callbacks"] = callbacks.bad_figures(conn, start, end)
    found["warned"] = digest.warned(conn, calendar, today)
    return found


def label(figures: dict[str, Any], config: Any, catalogue: Any) -> dict[str, Any]:
    """Add each row's ``name`` ({zh, en}): department and matter names, the clerk's name.

    ``catalogue`` may be None (no matter names then: the code stands for itself).
    """
    for row in figures["department"]:
        dept = config.department(row["group"])
        row["name"] = {"zh": dept.name_zh, "en": dept.name_en} if dept else None
    for row in figures["matter"]:
        matter = catalogue.get(row["group"]) if catalogue is not None else None
        row["name"] = {"zh": matter.name, "en": matter.name_en} if matter else None
    for row in figures["clerk"]:
        person = config.staff_member(row["group"])
        row["name"] = {"zh": person.name, "en": person.name} if person else None
    return figures
