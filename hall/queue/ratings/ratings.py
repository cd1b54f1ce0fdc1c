"""Ratings (好差评): one per served case, into the hash-chained ledger, never edited.

Five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (the last two
are 差评 and open a rectification case). A citizen who does not rate leaves a
未评价 record, never an automatic good rating; a real rating may still follow
through another channel, but never a second one (一次一评).

Who may rate (the channels):

- ``evaluator``: the evaluator of the window that served the ticket (the
  device hub passes the window; another window's evaluator is refused);
- ``kiosk``: the kiosk token together with the submission's id and its
  rating key (:mod:`hall.queue.ratings.keys`), which the terminal made when it
  stored the case and printed on the notice;
- ``online``: the citizen's phone, no token: the ticket's (or submission's)
  rating key from the printed QR code is the authentication. Staff see ticket
  ids and receipts everywhere, never a key.

An appeal (复核) adds a record pointing at the rating, with the manager's
decision and reason; an upheld appeal takes the rating out of 满意率 and ends
its rectification case. Ratings and appeals go to the provincial 好差评 system
through the outbox when ``upstream.evaluation`` is configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, TicketStatus, conflict, not_found
from hall.queue.core.rows import ticket_row
from hall.queue.core.tables.cases import cases_table, submissions_table
from hall.queue.core.tables.daemon import outbox_table
from hall.queue.core.tables.ratings import evaluations_table
from hall.queue.core.tables.ratings import ledger_table as ledger_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import keys, ledger, rectification
from hall.queue.stats import day_cache
from hall.queue.tickets import views

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = (1, 2)
UNRATED = "未评价"
CHANNELS = ("evaluator", "kiosk", "online")
UPSTREAM = rectification.UPSTREAM


@dataclass(frozen=True)
class Rating:
    """A rating as it arrives from a channel (a ticket's, or a submission's)."""

    ticket_id: str | None
    channel: str
    level: int | None  # None = 未评价 (no key within the time)
    window: int | None = None  # the window whose evaluator sent it
    raw: int | None = None
    four_key: bool = False
    device: str | None = None
    submission_id: str | None = None
    key: str | None = None  # the rating key: online and kiosk channels (keys.py)
    receipt: str | None = None  # a counter case of the register (online only)
    tags: tuple[str, ...] = ()
    comment: str = ""


def label(level: int | None) -> str:
    """The Chinese name of a level, or 未评价."""
    return LEVELS[level] if level is not None else UNRATED


def _ticket_case(tx: Tx, rating: Rating) -> dict[str, Any]:
    # The key first: without it nothing about the ticket is told (not even that it exists).
    if rating.channel == "online" and not keys.ticket_holds(
        tx.conn, rating.ticket_id or "", rating.key
    ):
        raise keys.refused()
    ticket = ticket_row(tx, rating.ticket_id or "")
    if ticket is None:
        raise not_found("号票", "ticket", code="unknown_ticket")
    if ticket.status != TicketStatus.FINISHED:
        raise conflict(
            "not_finished", f"{ticket.number}尚未办结,不能评价", "Only finished cases are rated"
        )
    if rating.channel == "kiosk":
        raise conflict("wrong_channel", "窗口办件请在评价器上评价", "Kiosks rate submissions only")
    if rating.channel == "evaluator" and rating.window != ticket.window:
        raise conflict(
            "wrong_window",
            f"{ticket.number}由{ticket.window}号窗口办理,只能由该窗口评价器评价",
            f"{ticket.number} was served at window {ticket.window}",
        )
    return {
        "subject": f"ticket:{ticket.id}",
        "ticket_id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "window": ticket.window,
        "staff_id": ticket.staff_id,
        "day": ticket.day,
    }


def _submission_case(ctx: Context, tx: Tx, rating: Rating) -> dict[str, Any]:
    if rating.channel == "evaluator":
        raise conflict("wrong_channel", "自助申报不在窗口评价", "Submissions are not rated here")
    # Online and at the terminal alike: the key of the notice. The same answer for an
    # unknown case and a wrong key: nothing to probe with.
    if not keys.holds(tx.conn, f"submission:{rating.submission_id}", rating.key):
        raise keys.refused()
    row = tx.conn.execute(
        select(submissions_table).where(submissions_table.c.id == rating.submission_id)
    ).first()
    if row is None:  # a key without its case: cannot happen, they are stored together
        raise not_found("申报件", "submission", code="unknown_case")
    return {
        "subject": f"submission:{row.id}",
        "submission_id": row.id,
        "number": row.receipt,
        "service": row.matter,
        "day": ctx.local_date(row.received_at).isoformat(),
    }


def _register_case(tx: Tx, rating: Rating) -> dict[str, Any]:
    """A counter case of the register, rated online with the key of its 承诺通知书.

    The key first, the same 403 for an unknown receipt; then only once 办结 (finished,
    ready or delivered). The clerk rated is the one who finished it; the ticket is not
    named, so the window's evaluator rating of the visit stays a rating of its own.
    """
    receipt = (rating.receipt or "").strip().upper()
    if rating.channel != "online":
        raise conflict("wrong_channel", "窗口办件请在线评价", "Counter cases are rated online")
    if not keys.holds(tx.conn, f"case:{receipt}", rating.key):
        raise keys.refused()
    row = tx.conn.execute(select(cases_table).where(cases_table.c.receipt == receipt)).first()
    if row is None:  # a key without its case: cannot happen, they are stored together
        raise not_found("办件", "case", code="unknown_case")
    if row.status not in ("finished", "ready", "delivered"):
        raise conflict(
            "not_finished", f"{receipt}尚未办结,不能评价", "Only finished cases are rated"
        )
    staff = row.finished_by if row.finished_by and ":" not in row.finished_by else None
    return {
        "subject": f"case:{receipt}",
        "number": receipt,
        "service": row.matter,
        "window": row.window,
        "staff_id": staff,
        "day": row.received_on,
    }


def _queue_upstream(ctx: Context, tx: Tx, record_id: int) -> None:
    if ctx.forward_ratings:
        tx.conn.execute(
            outbox_table.insert(),
            {
                "target": UPSTREAM,
                "key": f"rating-{record_id}",
                "ref": f"ledger:{record_id}",
                "created_at": tx.now,
                "next_at": tx.now,
                "attempts": 0,
            },
        )


def record(ctx: Context, tx: Tx, rating: Rating) -> dict[str, Any]:
    """Append one rating after checking who gives it and 一次一评; a 差评 opens a case."""
    if rating.channel not in CHANNELS:
        raise QueueError(422, "bad_channel", "评价渠道无效", f"unknown channel {rating.channel!r}")
    if rating.level is not None and rating.level not in LEVELS:
        raise QueueError(422, "bad_level", "评价等级应为1至5", "level must be 1..5")
    if rating.receipt is not None:
        case = _register_case(tx, rating)
    elif rating.submission_id:
        case = _submission_case(ctx, tx, rating)
    else:
        case = _ticket_case(tx, rating)
    kinds = ("rating", "unrated") if rating.level is None else ("rating",)
    if any(ledger.by_subject(tx.conn, k, case["subject"]) for k in kinds):
        raise conflict(
            "already_rated", f"{case['number']}已评价", f"{case['number']} is already rated"
        )
    stored = ledger.append(
        tx,
        {
            **case,
            "kind": "rating" if rating.level is not None else "unrated",
            "channel": rating.channel,
            "level": rating.level,
            "tags": json.dumps(list(rating.tags), ensure_ascii=False),
            "comment": rating.comment,
            "raw": rating.raw,
            "four_key": int(rating.four_key),
            "device": rating.device,
        },
        ctx.keyring,
    )
    if rating.level is not None:
        _queue_upstream(ctx, tx, stored["id"])
        day_cache.invalidate(tx, stored["day"])
    view = record_view(stored)
    if rating.level in BAD_LEVELS:
        view["rectification"] = rectification.open_case(
            tx, stored, ctx.config.rectification, ctx.calendar, ctx.forward_ratings
        )["id"]
    tx.emit("evaluation.recorded", {"evaluation": view})
    return view


def appeal(
    ctx: Context, tx: Tx, rating_id: int, decision: str, reason: str, decided_by: str
) -> dict[str, Any]:
    """复核: add a record marking a rating (upheld: malicious or a misoperation)."""
    rated = ledger.get(tx.conn, rating_id)
    if rated is None or rated.kind != "rating":
        raise not_found("评价记录", "rating", code="unknown_rating")
    if ledger.by_subject(tx.conn, "appeal", rated.subject) is not None:
        raise conflict("already_appealed", "该评价已复核", "This rating was already appealed")
    keep = ("subject", "ticket_id", "submission_id", "number", "service", "window", "staff_id")
    stored = ledger.append(
        tx,
        {
            **{k: getattr(rated, k) for k in keep},
            "kind": "appeal",
            "channel": "manager",
            "day": rated.day,
            "level": rated.level,
            "ref_id": rated.id,
            "decision": decision,
            "reason": reason,
            "decided_by": decided_by,
        },
        ctx.keyring,
    )
    if decision == "upheld":
        rectification.mark_appealed(
            tx, rated.id, decided_by, reason, ctx.local_date(tx.now).isoformat()
        )
    _queue_upstream(ctx, tx, stored["id"])
    day_cache.invalidate(tx, stored["day"])
    view = record_view(stored)
    tx.emit("evaluation.appealed", {"appeal": view})
    return view


def record_view(r: Any) -> dict[str, Any]:
    """A ledger record as the API shows it (a row or a dict)."""
    get = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
    view = {k: get(k) for k in ledger.FIELDS}
    view.update(
        label=label(get("level")) if get("kind") != "appeal" else "复核",
        ts=views.iso(get("ts")),
        tags=json.loads(get("tags") or "[]"),
        four_key=bool(get("four_key")),
        hash=get("hash"),
    )
    return view


def recent(tx: Tx, limit: int = 100) -> list[dict[str, Any]]:
    """The latest ratings and 未评价 records, newest first, each with its appeal if any."""
    t = ledger_table
    rows = tx.conn.execute(
        select(t).where(t.c.kind != "appeal").order_by(t.c.id.desc()).limit(limit)
    ).all()
    subjects = [r.subject for r in rows if r.kind == "rating"]
    appeals = {
        a.subject: a
        for a in tx.conn.execute(select(t).where(t.c.kind == "appeal", t.c.subject.in_(subjects)))
    }
    out = []
    for r in rows:
        view = record_view(r)
        found = appeals.get(r.subject) if r.kind == "rating" else None
        view["appeal"] = record_view(found) if found is not None else None
        out.append(view)
    return out


def migrate_legacy(ctx: Context, tx: Tx) -> int:
    """Copy ratings from the old ``evaluations`` table into an empty ledger (once)."""
    if (
        ledger.count(tx.conn)
        or tx.conn.execute(select(evaluations_table.c.id).limit(1)).first() is None
    ):
        return 0
    n = 0
    for r in tx.conn.execute(select(evaluations_table).order_by(evaluations_table.c.id)).all():
        ticket = ticket_row(tx, r.ticket_id)
        day = ticket.day if ticket is not None else ctx.local_date(r.ts).isoformat()
        keep = ("ticket_id", "number", "service", "window", "staff_id", "channel", "ts", "level")
        ledger.append(
            tx,
            {
                **{k: getattr(r, k) for k in keep},
                "kind": "rating" if r.level is not None else "unrated",
                "subject": f"ticket:{r.ticket_id}",
                "day": day,
                "raw": r.raw,
                "four_key": r.four_key,
                "device": r.device,
            },
            ctx.keyring,
        )
        n += 1
    return n
