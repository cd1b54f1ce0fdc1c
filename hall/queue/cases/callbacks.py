"""回访 of ordinary cases: a random sample of finished cases, called back and recorded.

Seeds (../shared/seeds 002): "以及办件回访等方式开展第三方测评" and "按照一定比例随机抽取
参与评价的企业和群众"; the issue: "a configured random sample (e.g. 5 %) of finished
cases enters a callback list; the result (reached / satisfied / not) is recorded and
reported, separately from 差评 回访" (差评 回访 is a step of a rectification case,
hall/queue/ratings/rectification.py, and reaches every 差评).

The register calls :func:`maybe_sample` in the transaction of a case's ``finish``
(办结; not 退件), with ``config.cases.callback_rate`` and the daemon's random source:

    callbacks.maybe_sample(tx, receipt, case_department, day, config.cases.callback_rate, rng)

A case is drawn at most once (a second call for it draws nothing). The hall's office
calls the citizen (the phone is in the case's own view, whose reads are recorded) and
records ``unreached``, ``satisfied`` or ``unsatisfied`` with :func:`record`. An
unreached citizen stays on the open list to be called again; a satisfied or
unsatisfied answer closes the callback and cannot be changed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.cases import case_callbacks_table as cb
from hall.queue.core.tables.cases import cases_table
from hall.queue.core.writer import Tx

RESULTS = ("unreached", "satisfied", "unsatisfied")
#: Results that close a callback: the citizen was reached and answered.
REACHED = ("satisfied", "unsatisfied")
RESULT_WORDS = {
    None: ("待回访", "to call"),
    "unreached": ("未联系上", "not reached"),
    "satisfied": ("满意", "satisfied"),
    "unsatisfied": ("不满意", "not satisfied"),
}
MAX_LIST = 1000


def maybe_sample(
    tx: Tx, receipt: str, department: str, day: dt.date | str, rate: float, rng: random.Random
) -> bool:
    """Draw a finished case into the callback list with probability ``rate``.

    One draw of ``rng`` per call (a seeded ``random.Random`` in tests). True when the
    case was drawn now; False when it was not, or was drawn before.
    """
    if rng.random() >= rate:
        return False
    known = tx.conn.execute(select(cb.c.receipt).where(cb.c.receipt == receipt)).first()
    if known is not None:
        return False
    tx.conn.execute(
        insert(cb).values(receipt=receipt, department=department, sampled_on=str(day), note="")
    )
    tx.emit("callback.sampled", {"receipt": receipt, "department": department})
    return True


def _view(row: Any) -> dict[str, Any]:
    zh, en = RESULT_WORDS.get(row.result, (row.result, row.result))
    return {
        "receipt": row.receipt,
        "department": row.department,
        "matter": row.matter,
        "finished_on": row.finished_on,
        "sampled_on": row.sampled_on,
        "result": row.result,
        "result_label": {"zh": zh, "en": en},
        "open": row.result not in REACHED,
        "note": row.note,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
    }


def _query() -> Any:
    return select(cb, cases_table.c.matter, cases_table.c.finished_on).select_from(
        cb.outerjoin(cases_table, cases_table.c.receipt == cb.c.receipt)
    )


def listing(
    conn: Connection, only_open: bool = True, limit: int = MAX_LIST
) -> list[dict[str, Any]]:
    """The callback list, oldest sample first; ``only_open``: not yet reached."""
    q = _query()
    if only_open:
        q = q.where(cb.c.result.is_(None) | (cb.c.result == "unreached"))
    q = q.order_by(cb.c.sampled_on, cb.c.receipt).limit(limit)
    return [_view(r) for r in conn.execute(q)]


def record(tx: Tx, receipt: str, result: str, note: str, actor: str) -> dict[str, Any]:
    """Record the result of a call; 404 for a case not drawn, 409 once it is closed."""
    if result not in RESULTS:
        raise QueueError(
            422, "bad_result", "回访结果应为未联系上、满意或不满意", f"result: one of {RESULTS}"
        )
    row = tx.conn.execute(select(cb).where(cb.c.receipt == receipt)).first()
    if row is None:
        raise not_found(f"回访（{receipt}）", f"callback of {receipt}", code="no_callback")
    if row.result in REACHED:
        raise conflict(
            "callback_closed",
            "该回访已记录结果，不能更改",
            "this callback already has its answer and cannot be changed",
        )
    values = {"result": result, "note": note, "recorded_by": actor, "recorded_at": tx.now}
    tx.conn.execute(update(cb).where(cb.c.receipt == receipt).values(**values))
    tx.emit("callback.recorded", {"receipt": receipt, "result": result})
    return _view(tx.conn.execute(_query().where(cb.c.receipt == receipt)).one())


_FIGURES = text(
    "SELECT department, count(*),"
    " sum(CASE WHEN result IN ('satisfied', 'unsatisfied') THEN 1 ELSE 0 END),"
    " sum(CASE WHEN result = 'satisfied' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN result = 'unsatisfied' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN result = 'unreached' THEN 1 ELSE 0 END)"
    " FROM case_callbacks WHERE sampled_on >= :a AND sampled_on <= :b GROUP BY department"
)
_KEYS = ("sampled", "reached", "satisfied", "unsatisfied", "unreached")


def figures(conn: Connection, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Callbacks drawn ``start``..``end``: sampled, reached, satisfied, … per department.

    satisfaction = satisfied ÷ reached (None before anyone is reached).
    """
    params = {"a": start.isoformat(), "b": end.isoformat()}
    rows = []
    hall = dict.fromkeys(_KEYS, 0)
    for r in conn.execute(_FIGURES, params):
        row = dict(zip(_KEYS, (int(v or 0) for v in r[1:]), strict=True))
        for k in _KEYS:
            hall[k] += row[k]
        rows.append({"department": r[0], **row, "satisfaction": _share(row)})
    return {"hall": {**hall, "satisfaction": _share(hall)}, "department": rows}


def _share(row: dict[str, int]) -> float | None:
    return round(row["satisfied"] / row["reached"], 4) if row["reached"] else None


_BAD = text(
    "SELECT callback_answer, count(*) FROM rectifications"
    " WHERE closed_day >= :a AND closed_day <= :b AND callback_answer IS NOT NULL GROUP BY 1"
)


def bad_figures(conn: Connection, start: dt.date, end: dt.date) -> dict[str, int]:
    """差评 回访 closed ``start``..``end``, by the citizen's answer (ratings/rectification.py).

    Reported beside, never added to, the sampled callbacks: every 差评 is called back.
    """
    params = {"a": start.isoformat(), "b": end.isoformat()}
    return {answer: int(n) for answer, n in conn.execute(_BAD, params)}
