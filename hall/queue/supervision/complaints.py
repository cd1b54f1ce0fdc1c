"""投诉 register: complaints lodged, assigned, answered, closed and rated by the citizen.

The seeds: "任何单位和个人对乡工作人员的服务不满意或发现违诺现象,可向办公室投诉…一般3日内
做出答复"; "受理投诉举报人当面投诉举报,应认真做好笔录;受理电话投诉举报,必须细心接听…对投诉
信函和书面材料,要逐件拆阅、登记,及时办理"; "对署名和匿名投诉都要认真对待" (so the contact is
optional). A complaint arrives by phone, letter, 意见箱 (box), the web (the public page), in
person or at a kiosk; whoever takes it lodges it here and it gets a receipt ``TS`` + the
hall-local date + 4 digits, numbered inside the writer's transaction from the day's highest,
so the number is committed with the complaint or not at all (kill -9 never issues one twice).

The reply is due ``supervision.complaints.reply_days`` working days after the day it was
received (ctx.calendar; the day itself not counted). Overdue: not replied and today is
after ``due_on``. Status: open → assigned → replied → closed; the citizen's satisfaction
with the answer (满意/基本满意/不满意) is given with the receipt's follow key, or recorded
by staff after a call back.

Personal data (the summary, the citizen's name and phone, the reply) is sealed at rest,
bound to the complaint's id; the events (who, when, what) are append-only and carry none
of it. The follow key printed on the receipt is kept only as its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.supervision import complaint_events_table as E
from hall.queue.core.tables.supervision import complaints_table as C
from hall.queue.core.writer import Tx
from hall.queue.ratings import keys
from hall.secrets import sealing

CHANNELS = ("phone", "letter", "box", "web", "in_person", "kiosk")
STATUSES = ("open", "assigned", "replied", "closed")
OUTCOMES = ("substantiated", "unsubstantiated")  # 属实 / 不属实
SATISFACTION = ("satisfied", "basic", "unsatisfied")  # 满意 / 基本满意 / 不满意
ACTIONS = ("assign", "reply", "close", "satisfaction")
UNREPLIED = ("open", "assigned")
PREFIX = "TS"
_BY_ID = select(C).where(C.c.id == bindparam("i"))
#: action → the statuses it may be taken from, and the status it leaves.
TRANSITIONS = {
    "assign": (("open", "assigned"), "assigned"),
    "reply": (("open", "assigned"), "replied"),
    "close": (("replied",), "closed"),
    "satisfaction": (("replied", "closed"), None),  # None: the status stays
}
_STATUS_ZH = {"open": "待处理", "assigned": "已交办", "replied": "已答复", "closed": "已办结"}


@dataclass(frozen=True)
class NewComplaint:
    """A complaint to lodge, checked by the route: who took it, about whom, what, who from."""

    channel: str
    taken_by: str  # staff id, manager:<id>, kiosk <name>, public
    summary: str
    contact: dict[str, Any] = field(default_factory=dict)  # name, phone (both optional)
    subject_window: int | None = None
    subject_staff: str | None = None
    subject_department: str | None = None
    follow_key: str | None = None  # printed on the receipt; only its digest is kept


def aad(complaint_id: str, part: str) -> str:
    """What a complaint's sealed ``part`` (summary, contact, reply) is bound to."""
    return f"complaint:{complaint_id}:{part}"


def get_row(tx: Tx, complaint_id: str) -> Any:
    """The complaint ``complaint_id`` (case-insensitive), or 404."""
    row = tx.conn.execute(_BY_ID, {"i": complaint_id.strip().upper()}).first()
    if row is None:
        raise not_found(
            f"投诉{complaint_id}", f"complaint {complaint_id}", code="unknown_complaint"
        )
    return row


def _next_id(tx: Tx, day: dt.date) -> str:
    prefix = f"{PREFIX}{day:%Y%m%d}"
    highest = tx.conn.execute(select(func.max(C.c.id)).where(C.c.id.like(prefix + "%"))).scalar()
    seq = int(highest[len(prefix) :]) + 1 if highest else 1
    if seq > 9999:
        raise conflict(
            "receipts_exhausted", "今日投诉编号已用完", "Every complaint number of today is used"
        )
    return f"{prefix}{seq:04d}"


def _record(tx: Tx, ctx: Context, cid: str, action: str, actor: str, detail: dict) -> None:
    """Append one event: who, when, what (never the citizen's data or the texts)."""
    tx.conn.execute(
        E.insert(),
        {
            "complaint_id": cid,
            "ts": tx.now,
            "day": ctx.local_date(tx.now).isoformat(),
            "action": action,
            "actor": actor,
            "detail": json.dumps(detail, ensure_ascii=False),
        },
    )


def lodge(ctx: Context, tx: Tx, body: NewComplaint) -> Any:
    """Register a complaint (status open) with its reply deadline; returns the stored row."""
    if body.channel not in CHANNELS:
        raise QueueError(
            422, "bad_channel", "投诉渠道无效", f"channel must be one of {', '.join(CHANNELS)}"
        )
    today = ctx.local_date(tx.now)
    cid = _next_id(tx, today)
    due = ctx.calendar.add_working_days(today, ctx.config.supervision.complaints.reply_days)
    contact = {k: v for k, v in body.contact.items() if v}
    tx.conn.execute(
        C.insert(),
        {
            "id": cid,
            "channel": body.channel,
            "received_at": tx.now,
            "received_on": today.isoformat(),
            "taken_by": body.taken_by,
            "subject_window": body.subject_window,
            "subject_staff": body.subject_staff,
            "subject_department": body.subject_department,
            "summary": sealing.seal_text(ctx.keyring, body.summary, aad(cid, "summary")),
            "contact": sealing.seal_text(
                ctx.keyring, json.dumps(contact, ensure_ascii=False), aad(cid, "contact")
            ),
            "follow_digest": keys.digest(body.follow_key) if body.follow_key else None,
            "due_on": due.isoformat(),
            "status": "open",
            "updated_at": tx.now,
        },
    )
    _record(tx, ctx, cid, "lodge", body.taken_by, {"channel": body.channel})
    row = tx.conn.execute(_BY_ID, {"i": cid}).one()
    emit(tx, row, today)
    return row


def act(
    ctx: Context, tx: Tx, actor: str, complaint_id: str, action: str, body: dict[str, Any]
) -> Any:
    """Take ``action`` (assign {to}, reply {text, outcome}, close, satisfaction {value, by}).

    409 ``complaint_state`` when the complaint's status does not allow it. Returns the row.
    """
    row = get_row(tx, complaint_id)
    allowed, new = TRANSITIONS[action]
    if row.status not in allowed:
        raise conflict(
            "complaint_state",
            f"投诉{row.id}当前状态为“{_STATUS_ZH[row.status]}”，不能执行此操作",
            f"Complaint {row.id} is {row.status}: cannot {action} it",
            state=row.status,
        )
    today = ctx.local_date(tx.now)
    values: dict[str, Any] = {"updated_at": tx.now}
    if new is not None:
        values["status"] = new
    detail: dict[str, Any] = {}
    if action == "assign":
        values["assigned_to"] = detail["to"] = body["to"]
    elif action == "reply":
        values["reply"] = sealing.seal_text(ctx.keyring, body["text"], aad(row.id, "reply"))
        values["outcome"] = detail["outcome"] = body["outcome"]
        values["replied_on"] = today.isoformat()
        detail["late"] = today.isoformat() > row.due_on
    elif action == "satisfaction":
        values["satisfaction"] = detail["satisfaction"] = body["value"]
        detail["by"] = body.get("by", "call_back")
    tx.conn.execute(C.update().where(C.c.id == row.id), values)
    _record(tx, ctx, row.id, action, actor, detail)
    saved = tx.conn.execute(_BY_ID, {"i": row.id}).one()
    emit(tx, saved, today)
    return saved


def is_overdue(row: Any, today: dt.date) -> bool:
    """Not replied and ``today`` is after the reply deadline."""
    return row.status in UNREPLIED and today.isoformat() > row.due_on


def summary(row: Any, today: dt.date) -> dict[str, Any]:
    """A complaint without personal data (lists, the ``complaint.changed`` event)."""
    return {
        "id": row.id,
        "channel": row.channel,
        "received_on": row.received_on,
        "taken_by": row.taken_by,
        "subject_window": row.subject_window,
        "subject_staff": row.subject_staff,
        "subject_department": row.subject_department,
        "due_on": row.due_on,
        "status": row.status,
        "assigned_to": row.assigned_to,
        "replied_on": row.replied_on,
        "outcome": row.outcome,
        "satisfaction": row.satisfaction,
        "overdue": is_overdue(row, today),
    }


def emit(tx: Tx, row: Any, today: dt.date) -> None:
    """``complaint.changed`` (no personal data; the event stream's roles filter it)."""
    tx.emit("complaint.changed", {"complaint": summary(row, today)})


def _open(ctx: Context, row: Any, part: str) -> str | None:
    stored = getattr(row, part)
    if stored is None:
        return None
    return sealing.unseal_text(ctx.keyring, stored, aad(row.id, part))


def full_view(ctx: Context, tx: Tx, row: Any, today: dt.date) -> dict[str, Any]:
    """The complaint with its texts, the citizen's contact and its events (managers)."""
    events = tx.conn.execute(
        select(E).where(E.c.complaint_id == row.id).order_by(E.c.id)
    ).fetchall()
    tz = ctx.config.hall.tz
    return {
        **summary(row, today),
        "summary": _open(ctx, row, "summary"),
        "contact": json.loads(_open(ctx, row, "contact") or "{}"),
        "reply": _open(ctx, row, "reply"),
        "events": [
            {
                "at": dt.datetime.fromtimestamp(e.ts, tz).isoformat("T", "seconds"),
                "action": e.action,
                "actor": e.actor,
                "detail": json.loads(e.detail),
            }
            for e in events
        ],
    }


def listing(
    tx: Tx, today: dt.date, status: str | None, overdue: bool | None, limit: int
) -> dict[str, Any]:
    """Complaints without personal data, overdue ones first, then newest first."""
    query = select(C).order_by(C.c.received_at.desc()).limit(limit)
    if status is not None:
        query = query.where(C.c.status == status)
    day = today.isoformat()
    if overdue is True:
        query = query.where(C.c.status.in_(UNREPLIED), C.c.due_on < day)
    elif overdue is False:
        query = query.where(~(C.c.status.in_(UNREPLIED) & (C.c.due_on < day)))
    items = [summary(r, today) for r in tx.conn.execute(query)]
    items.sort(key=lambda c: not c["overdue"])  # stable: newest first within each
    return {"complaints": items, "today": day}


def follow(ctx: Context, tx: Tx, complaint_id: str, key: str, today: dt.date) -> dict[str, Any]:
    """The citizen's view with the receipt's follow key: no staff names, no contact.

    An unknown id and a wrong key get the same 404, in the same time.
    """
    row = tx.conn.execute(_BY_ID, {"i": complaint_id.strip().upper()}).first()
    stored = row.follow_digest if row is not None and row.follow_digest else "-" * 64
    if not hmac.compare_digest(stored, keys.digest(key)) or row is None:
        raise not_found(
            "该投诉或查询码", "a complaint with this number and key", "unknown_complaint"
        )
    replied = row.status in ("replied", "closed")
    return {
        "id": row.id,
        "received_on": row.received_on,
        "due_on": row.due_on,
        "status": row.status,
        "overdue": is_overdue(row, today),
        "replied_on": row.replied_on,
        "reply": _open(ctx, row, "reply") if replied else None,
        "satisfaction": row.satisfaction,
        "can_rate": replied and row.satisfaction is None,
    }
