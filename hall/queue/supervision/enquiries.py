"""首问负责制登记薄: the enquiry register, kept by the staff member first asked.

The seed (a town centre's 首问负责制): "行政管理相对人来行政机关办事或者通过电话、传真等形式
所询问的第一位机关工作人员,即为首问责任人"; "属电话咨询或举报的,首问责任人要将来电反映的
事项、来电人姓名、联系电话等登记在册,并转告相关部门办理"; "各部门应建立首问负责制登记薄,
详细记录行政管理相对人拟办事项情况及办理结果".

A row records who was asked (the clerk's staff id and window, from their session, never
from the request), when, by which channel, the topic, the matter (a catalogue code, if
known), how it was answered (answered on the spot, referred to another department or
clerk, guided to a window, recorded for a call back) and to whom it was referred. The
caller's name and phone (personal data) are optional and sealed at rest
(``enquiry:<id>:contact``); every view of them is recorded in ``personal_data_reads``
(hall/queue/cases/personal_data.py) as ``enquiry:<id>``.

:func:`enquiry_counts` gives the counts per clerk and matter of a period for the reports.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from hall.queue.cases import personal_data
from hall.queue.core.domain import QueueError
from hall.queue.core.tables.supervision import enquiries_table as E
from hall.queue.core.writer import Tx
from hall.secrets import sealing

log = logging.getLogger(__name__)

CHANNELS = ("in_person", "phone", "other")
#: answered: on the spot; referred: to another department or clerk (指明承办部门);
#: guided: sent to a window (引导); recorded: written down for a call back (登记在册).
ANSWERS = ("answered", "referred", "guided", "recorded")


@dataclass(frozen=True)
class NewEnquiry:
    """What the clerk typed or tapped; who and where come from their session."""

    channel: str
    topic: str
    answer: str
    matter: str | None = None
    referred_to: str | None = None
    contact: dict[str, str] | None = None  # name, phone (optional, sealed)
    note: str = ""


def _aad(enquiry_id: int) -> str:
    return f"enquiry:{enquiry_id}:contact"


def log_enquiry(
    ctx: Any, tx: Tx, staff_id: str, window: int | None, new: NewEnquiry
) -> dict[str, Any]:
    """Record one enquiry for ``staff_id`` at ``window``; the row as a manager sees it."""
    if new.answer == "referred" and not new.referred_to:
        raise QueueError(
            422,
            "field_required",
            "请填写：转交给谁（部门、窗口或工作人员）",
            "referred: say to whom (referred_to)",
            fields=["referred_to"],
        )
    day = ctx.local_date(tx.now).isoformat()
    values = {
        "ts": tx.now,
        "day": day,
        "staff_id": staff_id,
        "window": window,
        "channel": new.channel,
        "topic": new.topic,
        "matter": new.matter,
        "answer": new.answer,
        "referred_to": new.referred_to,
        "note": new.note,
    }
    enquiry_id = tx.conn.execute(insert(E).values(**values)).inserted_primary_key[0]
    contact = {k: v for k, v in (new.contact or {}).items() if v}
    if contact:
        # Sealed once the row has its id: the AAD binds the text to this row.
        sealed = sealing.seal_text(
            ctx.keyring, json.dumps(contact, ensure_ascii=False), _aad(enquiry_id)
        )
        tx.conn.execute(update(E).where(E.c.id == enquiry_id).values(contact=sealed))
    tx.emit("enquiry.logged", {"enquiry": {"id": enquiry_id, "day": day, "window": window}})
    row = tx.conn.execute(select(E).where(E.c.id == enquiry_id)).one()
    return _view(ctx, row, contact or None)


def _open_contact(ctx: Any, row: Any) -> dict[str, str] | None:
    if not row.contact:
        return None
    try:
        return json.loads(sealing.unseal_text(ctx.keyring, row.contact, _aad(row.id)))
    except sealing.SealError as exc:
        log.error("enquiry %s: %s", row.id, exc)
        raise QueueError(
            500,
            "sealed_data_unreadable",
            f"首问登记{row.id}的联系方式无法解密:密钥文件不符或数据已被改动,请联系系统管理员",
            f"enquiry {row.id}: its contact does not open with this hall's key file",
        ) from exc


def _view(ctx: Any, row: Any, contact: dict[str, str] | None) -> dict[str, Any]:
    tz = ctx.config.hall.tz
    return {
        "id": row.id,
        "at": dt.datetime.fromtimestamp(row.ts, tz).isoformat("T", "seconds"),
        "day": row.day,
        "staff_id": row.staff_id,
        "window": row.window,
        "channel": row.channel,
        "topic": row.topic,
        "matter": row.matter,
        "answer": row.answer,
        "referred_to": row.referred_to,
        "contact": contact,
        "has_contact": bool(row.contact),
        "note": row.note,
    }


def form_options(config: Any, catalogue: Any, window: int | None) -> dict[str, Any]:
    """What the caller panel's 首问 form offers at ``window`` (None: a manager, every matter).

    ``topics``: the configured quick topics; ``matters``: the matters of the window's
    department (config ``departments:``), with their names from the catalogue;
    ``departments``: where an enquiry may be referred (code and names).
    """
    department = config.department_of_window(window) if window is not None else None
    if window is None:
        codes = [code for d in config.departments for code in d.matters]
    else:
        codes = list(department.matters) if department is not None else []
    matters = []
    for code in codes:
        entry = catalogue.get(code) if catalogue is not None else None
        name = (
            {"zh": entry.name, "en": entry.name_en or entry.name}
            if entry
            else {"zh": code, "en": code}
        )
        matters.append({"code": code, "name": name})
    return {
        "topics": [t.model_dump() for t in config.enquiries.quick_topics],
        "matters": matters,
        "departments": [
            {"code": d.code, "name": {"zh": d.name_zh, "en": d.name_en}} for d in config.departments
        ],
        "department": department.code if department is not None else None,
    }


def listing(
    ctx: Any,
    tx: Tx,
    day: str,
    staff_id: str | None,
    reader: personal_data.Reader | None,
) -> list[dict[str, Any]]:
    """The enquiries of ``day`` (of ``staff_id`` only, if given), oldest first.

    The caller decides whom ``reader`` may list (a clerk: their own). Each contact shown
    is recorded as a personal-data read of ``enquiry:<id>`` in this transaction; with no
    ``reader`` no contact is shown (nor opened) and nothing is recorded.
    """
    query = select(E).where(E.c.day == day).order_by(E.c.id)
    if staff_id is not None:
        query = query.where(E.c.staff_id == staff_id)
    out = []
    for row in tx.conn.execute(query).all():
        contact = _open_contact(ctx, row) if reader is not None else None
        if contact is not None and reader is not None:
            personal_data.record(tx, reader, f"enquiry:{row.id}", "enquiry.list", True)
        out.append(_view(ctx, row, contact))
    return out


def enquiry_counts(conn: Connection, start: str | dt.date, end: str | dt.date) -> dict[str, Any]:
    """Enquiries from ``start`` to ``end`` (ISO days or dates, both included), for the reports.

    ``by_staff`` {staff id: n}, ``by_matter`` {matter code or "" (none given): n},
    ``by_staff_matter`` [{staff_id, matter, count}], ``by_answer`` and ``by_channel``.
    """
    start, end = str(start), str(end)  # a date's str() is its ISO day, as rows store it
    period = (E.c.day >= start) & (E.c.day <= end)
    n = func.count().label("n")

    def grouped(*cols: Any) -> list[Any]:
        return conn.execute(select(*cols, n).where(period).group_by(*cols).order_by(*cols)).all()

    return {
        "start": start,
        "end": end,
        "total": conn.execute(select(func.count()).select_from(E).where(period)).scalar_one(),
        "by_staff": {r.staff_id: r.n for r in grouped(E.c.staff_id)},
        "by_matter": {r.matter or "": r.n for r in grouped(E.c.matter)},
        "by_staff_matter": [
            {"staff_id": r.staff_id, "matter": r.matter or "", "count": r.n}
            for r in grouped(E.c.staff_id, E.c.matter)
        ],
        "by_answer": {r.answer: r.n for r in grouped(E.c.answer)},
        "by_channel": {r.channel: r.n for r in grouped(E.c.channel)},
    }
