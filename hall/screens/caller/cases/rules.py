"""What the caller panel's 办件 screens show and offer, worked out without Kivy.

The daemon decides (``POST /api/v1/cases/{receipt}/{action}`` answers 403 or 409
with its own words); this module only keeps the panel from offering what cannot
apply: the actions of a case's status (the register's state machine, issue 15),
把关权 actions (延期, 退件) only to the department's chief or deputy, the inputs
each action asks for and the body it sends, and the words of a list row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: Kinds for which 办结 offers 登记办件. Not 即办件: done at the counter, and an offer
#: there would cost a tap at nearly every finish (a 即办件 case can still be opened
#: by the daemon's API; the form takes any kind).
OFFER_KINDS = ("承诺件", "联办件", "上报件")

#: Each action and the statuses it applies to (the register's state machine).
ACTION_FROM: dict[str, tuple[str, ...]] = {
    "accept": ("received",),
    "return": ("received", "accepted"),
    "supply": ("returned",),
    "suspend": ("accepted",),
    "resume": ("suspended",),
    "extend": ("accepted", "suspended"),
    "finish": ("accepted",),
    "ready": ("finished",),
    "deliver": ("ready",),
    "reject": ("received", "returned", "accepted", "suspended"),
}
#: 把关权 ("退办件授予把关权"): only the department's chief or deputy.
GATEKEEPING = ("extend", "reject")
#: Why a clock stops (the seeds: 听证、专家评审 … 不计算在承诺办结的时限内).
SUSPEND_REASONS = ("听证", "专家评审", "公告", "现场勘查", "other")
EXTEND_DAYS = ("1", "3", "5", "10", "15")
DELIVER_BY = ("window", "post")

#: The list's filters: key → GET /cases query (全部, 黄牌, 红牌, 待补正, 暂停).
FILTERS: dict[str, dict[str, str]] = {
    "all": {},
    "yellow": {"due": "yellow"},
    "red": {"due": "red"},
    "returned": {"status": "returned"},
    "suspended": {"status": "suspended"},
}


def current_step(case: Mapping[str, Any]) -> dict | None:
    """The 联办 co-department step holding the case now (received, not done), or None.

    The co-departments work in turn (hall/queue/cases/case_steps.py): the first gets the
    case at opening, each next one when the one before marks its step done.
    """
    for step in case.get("steps") or []:
        if step.get("role") == "co" and step.get("received_at") and not step.get("done_at"):
            return step
    return None


def open_upper(case: Mapping[str, Any]) -> dict | None:
    """The 上报 step sent up and not answered yet, or None."""
    for step in case.get("steps") or []:
        if step.get("role") == "upper" and not step.get("done_at"):
            return step
    return None


def step_actions(case: Mapping[str, Any], departments: frozenset[str] | set[str]) -> list[str]:
    """联办/上报 actions for a clerk of ``departments`` (the register's rules, case_rules.py).

    ``step``: to the department whose co-step is current, while the case is accepted or
    suspended. ``report_up`` (an accepted 上报件 not up already) and ``answered`` (one
    up, unanswered): to the case's own department (any clerk for a case of none).
    """
    status, found = case.get("status", ""), []
    step = current_step(case)
    if (
        step is not None
        and status in ("accepted", "suspended")
        and step["department"] in departments
    ):
        found.append("step")
    own = not case.get("department") or case.get("department") in departments
    if case.get("kind") == "上报件" and own:
        upper = open_upper(case)
        if upper is None and status == "accepted":
            found.append("report_up")
        if upper is not None and status in ("accepted", "suspended"):
            found.append("answered")
    return found


def actions_for(case: Mapping[str, Any], gatekeeper: bool) -> list[str]:
    """The actions to offer on ``case``, in ACTION_FROM order (把关权 only to ``gatekeeper``)."""
    status = case.get("status", "")
    found = [a for a, states in ACTION_FROM.items() if status in states]
    if status == "received" and case.get("kind") == "即办件":
        found.append("finish")  # 即办件: finished at once, with no separate acceptance
    return [a for a in dict.fromkeys(found) if gatekeeper or a not in GATEKEEPING]


@dataclass(frozen=True)
class Field:
    """One input of an action's form: ``text``, ``choice`` (one of) or ``checklist``."""

    key: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = True
    shown: Callable[[Mapping[str, Any]], bool] = lambda _values: True


def materials_of(case: Mapping[str, Any]) -> tuple[str, ...]:
    """The case's material names (for the 补正 checklist), mandatory ones first."""
    materials = case.get("materials") or []
    ordered = [m for m in materials if m.get("mandatory")]
    ordered += [m for m in materials if not m.get("mandatory")]
    return tuple(m["name"] for m in ordered)


def fields_for(action: str, case: Mapping[str, Any]) -> list[Field]:
    """The inputs ``action`` asks for before it is sent (none: it is sent at once)."""
    if action == "return":  # 一次性告知: every missing item at once
        return [Field("missing", "checklist", materials_of(case)), Field("note", "text", (), False)]
    if action == "supply":
        return [Field("note", "text", (), False)]
    if action == "suspend":
        return [Field("reason", "choice", SUSPEND_REASONS)]
    if action == "extend":
        return [Field("days", "choice", EXTEND_DAYS), Field("reason", "text")]
    if action == "reject":
        return [Field("reason", "text"), Field("basis", "text")]
    if action in ("step", "answered"):
        return [Field("note", "text", (), False)]
    if action == "report_up":  # 上报机关: the office the case goes up to
        return [Field("to", "text"), Field("note", "text", (), False)]
    if action == "deliver":
        return [
            Field("by", "choice", DELIVER_BY),
            Field("id_number", "text", shown=lambda v: v.get("by") == "window"),
            Field("tracking", "text", shown=lambda v: v.get("by") == "post"),
        ]
    return []


def missing_inputs(action: str, case: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    """Keys of required inputs still empty (the confirm button waits for them)."""
    return [
        f.key
        for f in fields_for(action, case)
        if f.required and f.shown(values) and not values.get(f.key)
    ]


def body_of(action: str, case: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of ``action`` from the form's values (only the inputs shown)."""
    body: dict[str, Any] = {}
    for f in fields_for(action, case):
        value = values.get(f.key)
        if not f.shown(values) or value in (None, "", []):
            continue
        if f.kind == "text":
            value = str(value).strip()
        body[f.key] = int(value) if f.key == "days" else value
    if action == "return":
        body.setdefault("missing", [])
        body.setdefault("note", "")
    if action == "step":  # the current co-department step (the daemon checks it is ours)
        step = current_step(case)
        body["seq"] = step["seq"] if step is not None else None
    return body


def pick(names: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    """A ``{"zh", "en"}`` name in ``lang`` (the other one, or ``fallback``, if it is missing)."""
    if not names:
        return fallback
    return names.get(lang) or names.get("zh") or names.get("en") or fallback


def warning_of(case: Mapping[str, Any]) -> str | None:
    """``"yellow"`` (黄牌), ``"red"`` (红牌) or None, from the case's clock."""
    clock = case.get("clock") or {}
    return clock.get("warning") or case.get("warning")


def promised_of(case: Mapping[str, Any]) -> str | None:
    """The promised date (YYYY-MM-DD) while the clock runs; None while it is stopped."""
    clock = case.get("clock") or {}
    return clock.get("promised_date") or case.get("promised_date")


def days_left(case: Mapping[str, Any]) -> int | None:
    """Working days left on the clock (negative: overdue), or None if not said."""
    clock = case.get("clock") or {}
    left = clock.get("left", case.get("left"))
    return left if isinstance(left, int) else None


def running(case: Mapping[str, Any]) -> bool:
    """True while the case's clock counts (not waiting for 补正, suspended or finished)."""
    clock = case.get("clock") or {}
    return (clock.get("state") or case.get("clock_state") or "running") == "running"


def clock_words(
    case: Mapping[str, Any], lang: str, tr: Callable[..., str], left: int | None = None
) -> str:
    """The clock in words: days left and the promised date, or why it is stopped.

    ``left``: the working days left when the case does not say (a list row: the
    panel counts them on the hall's calendar).
    """
    clock = case.get("clock") or {}
    state = clock.get("state") or case.get("clock_state") or "running"
    why = pick(clock.get("why"), lang)
    if state != "running":
        return why or tr(f"cases.clock_{state}")
    promised = promised_of(case)
    left = days_left(case) if left is None else left
    if left is None:
        return tr("cases.promised", date=promised or "—")
    key = "cases.left" if left >= 0 else "cases.overdue"
    return tr(key, days=abs(left), date=promised or "—")
