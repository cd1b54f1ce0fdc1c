"""Self-service submissions (自助申报) as the daemon receives and handles them.

A terminal keeps each submission durably first, then sends it here with its
id as the idempotency key: a repeat of the same content answers with the same
receipt, never a second record; the same key with other content is refused.
Staff then accept (受理), return it for correction (退回补正, listing every
missing item at once) or finish it (办结). Cases past their promised date are
flagged as overdue (超时). Every change appends to the case's history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import bindparam, func, select

from hall.idnumber import id_fingerprint
from hall.queue.cases import sealed
from hall.queue.core.domain import QueueError, conflict, not_found
from hall.queue.core.tables.cases import submission_history_table, submissions_table
from hall.queue.core.tables.daemon import outbox_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import keys
from hall.queue.tickets import views
from hall.secrets.keyring import Keyring


class SubmissionStatus(StrEnum):
    """Where a submitted case is."""

    RECEIVED = "received"  # 已接收, materials complete, waiting for staff
    NEEDS_CORRECTION = "needs_correction"  # 待补正: mandatory materials missing
    ACCEPTED = "accepted"  # 已受理 / 审批中
    FINISHED = "finished"  # 已办结
    RETURNED = "returned"  # 已退回


OPEN_STATES = (
    SubmissionStatus.RECEIVED,
    SubmissionStatus.NEEDS_CORRECTION,
    SubmissionStatus.ACCEPTED,
)
#: Open cases that can be overdue: a case waiting for 补正 waits on the citizen, not the hall.
OVERDUE_STATES = (SubmissionStatus.RECEIVED, SubmissionStatus.ACCEPTED)
LABELS = {
    SubmissionStatus.RECEIVED: ("已接收", "Received"),
    SubmissionStatus.NEEDS_CORRECTION: ("待补正", "Needs correction"),
    SubmissionStatus.ACCEPTED: ("已受理（审批中）", "Accepted (in review)"),
    SubmissionStatus.FINISHED: ("已办结", "Finished"),
    SubmissionStatus.RETURNED: ("已退回", "Returned"),
}
UPSTREAM = "submissions"

#: 人证比对 as the terminal reports it (a flag, never face data); None = not offered.
IdentityCheck = Literal["face_matched", "failed", "skipped"]
IDENTITY_LABELS = {
    "face_matched": ("人证比对一致", "Face matched the ID card photo"),
    "failed": (
        "人证比对未通过,请在窗口核验身份证件",
        "Face did not match the ID card photo: check the ID at the window",
    ),
    "skipped": (
        "未做人证比对,请在窗口核验身份证件",
        "No face comparison: check the ID at the window",
    ),
}

_BY_ID = select(submissions_table).where(submissions_table.c.id == bindparam("sid"))
_BY_RECEIPT = select(submissions_table).where(submissions_table.c.receipt == bindparam("r"))
_HISTORY = (
    select(submission_history_table)
    .where(submission_history_table.c.submission_id == bindparam("sid"))
    .order_by(submission_history_table.c.id)
)


@dataclass(frozen=True)
class Incoming:
    """A submission as a terminal sends it; materials already saved as files."""

    id: str
    receipt: str
    terminal: str
    matter: str
    submitted_at: float
    applicant: dict[str, Any]
    form: dict[str, Any]
    materials: list[dict[str, Any]]  # name, mandatory, sha256, file (relative path)
    missing: list[str]
    promised_date: str | None
    content_sha: str  # keyed: content_sha(body, key)
    identity_check: str | None = None  # IdentityCheck; kept in the applicant JSON
    rating_key: str | None = None  # the notice's rating key: only its digest is stored
    legacy_sha: str | None = None  # the unkeyed digest older versions stored, for their retries


def content_sha(body: dict[str, Any], key: bytes) -> str:
    """A keyed digest of a submission's content, to tell a retry from a clash of keys.

    Keyed (HMAC-SHA256 with the key file's ``fingerprint`` key, which is never
    rotated): a plain digest of the applicant, the form and the images would let
    anyone with a copy of the store confirm a guess of a person's data.
    """
    return hmac.new(key, b"content\x00" + _canonical(body), hashlib.sha256).hexdigest()


def legacy_content_sha(body: dict[str, Any]) -> str:
    """The unkeyed digest versions before the key file stored (their cases' retries match it)."""
    return hashlib.sha256(_canonical(body)).hexdigest()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False).encode()


def _history(tx: Tx, sid: str, status: str, note: str, actor: str) -> None:
    tx.conn.execute(
        submission_history_table.insert(),
        {"submission_id": sid, "ts": tx.now, "status": status, "note": note, "actor": actor},
    )


def receive(
    tx: Tx,
    item: Incoming,
    id_key: bytes,
    forward: bool,
    place_files: Callable[[], None],
    ring: Keyring,
    open_case: Callable[[Tx], None] | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store a submission once; return (view, created). Queues it for upstream if configured.

    ``open_case`` opens its register case in the same transaction
    (hall/queue/cases/kiosk_cases.py ``opener``); a repeat opens none.

    ``place_files`` moves the already-fsynced images to their final folder; it
    runs only for a new case, inside the transaction, so a repeat or a clash
    of keys never touches the files of the case already stored. The applicant
    and the form are stored sealed with ``ring`` (hall/queue/cases/sealed.py).
    """
    existing = tx.conn.execute(_BY_ID, {"sid": item.id}).first()
    if existing is not None:
        if existing.content_sha not in (item.content_sha, item.legacy_sha):
            raise conflict(
                "idempotency_conflict",
                "同一申报编号的内容不一致,已拒收",
                "This idempotency key was used for different content",
            )
        return summary(existing), False
    if tx.conn.execute(_BY_RECEIPT, {"r": item.receipt}).first() is not None:
        raise conflict("receipt_taken", "回执编号重复", f"receipt {item.receipt} is already used")
    status = SubmissionStatus.NEEDS_CORRECTION if item.missing else SubmissionStatus.RECEIVED
    number = str(item.applicant.get("id_number", ""))
    row = {
        "id": item.id,
        "receipt": item.receipt,
        "terminal": item.terminal,
        "matter": item.matter,
        "status": status,
        "submitted_at": item.submitted_at,
        "received_at": tx.now,
        "promised_date": item.promised_date,
        "id_fp": id_fingerprint(number, id_key),
        "applicant": sealed.seal_json(ring, item.id, "applicant", _with_identity(item)),
        "form": sealed.seal_json(ring, item.id, "form", item.form),
        "materials": json.dumps(item.materials, ensure_ascii=False),
        "missing": json.dumps(item.missing, ensure_ascii=False),
        "content_sha": item.content_sha,
        "updated_at": tx.now,
    }
    tx.conn.execute(submissions_table.insert(), row)
    if item.rating_key:
        keys.keep(tx, f"submission:{item.id}", item.rating_key)
    if open_case is not None:
        open_case(tx)
    place_files()
    note = "材料齐全" if not item.missing else "缺少：" + "、".join(item.missing)
    if item.identity_check is not None:  # staff read it in the case's history too
        note += "；" + IDENTITY_LABELS[item.identity_check][0]
    _history(tx, item.id, status, note, f"terminal {item.terminal}")
    if forward:
        tx.conn.execute(
            outbox_table.insert(),
            {
                "target": UPSTREAM,
                "key": item.id,
                "ref": item.id,
                "created_at": tx.now,
                "next_at": tx.now,
                "attempts": 0,
            },
        )
    saved = tx.conn.execute(_BY_ID, {"sid": item.id}).one()
    tx.emit("submission.received", {"submission": summary(saved)})
    return summary(saved), True


def _with_identity(item: Incoming) -> dict[str, Any]:
    # The table has no column for it (and no migrations): the applicant JSON holds it.
    if item.identity_check is None:
        return item.applicant
    return {**item.applicant, "identity_check": item.identity_check}


#: Choices that need more of the form: {field: {choice: fields it needs}} (邮寄到家 needs
#: the address). Checked on every submission, whatever the terminal's form did.
CHOICE_NEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    "delivery": {
        "邮寄到家": ("mail_address",),
        "邮寄": ("mail_address",),
        "mail": ("mail_address",),
        "post": ("mail_address",),
    },
}
_BLANK = {"", "—", "–", "-", "——", "无", "n/a"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _BLANK)


def unmet_choices(form: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(choice field, its value, needed field) for each needed field left blank."""
    unmet = []
    for field, needs in CHOICE_NEEDS.items():
        value = form.get(field)
        if isinstance(value, str) and value.strip() in needs:
            unmet += [
                (field, value.strip(), n) for n in needs[value.strip()] if _blank(form.get(n))
            ]
    return unmet


def _overdue(row: Any, today: dt.date) -> bool:
    return (
        row.promised_date is not None
        and row.status in OVERDUE_STATES
        and dt.date.fromisoformat(row.promised_date) < today
    )


def summary(row: Any, today: dt.date | None = None) -> dict[str, Any]:
    """A case without the applicant's personal data (for lists and events)."""
    zh, en = LABELS[SubmissionStatus(row.status)]
    return {
        "id": row.id,
        "receipt": row.receipt,
        "matter": row.matter,
        "terminal": row.terminal,
        "status": row.status,
        "status_label": {"zh": zh, "en": en},
        "submitted_at": views.iso(row.submitted_at),
        "received_at": views.iso(row.received_at),
        "promised_date": row.promised_date,
        "missing": json.loads(row.missing),
        "overdue": _overdue(row, today) if today else False,
    }


def detail(tx: Tx, row: Any, today: dt.date, ring: Keyring) -> dict[str, Any]:
    """A case with its form, materials and history (staff and managers only).

    ``archived``: the retention deleted its personal data (applicant and form empty).
    """
    history = [
        {"ts": views.iso(h.ts), "status": h.status, "note": h.note, "actor": h.actor}
        for h in tx.conn.execute(_HISTORY, {"sid": row.id})
    ]
    applicant = sealed.open_json(ring, row.id, "applicant", row.applicant)
    identity = applicant.pop("identity_check", None)
    return {
        **summary(row, today),
        "applicant": applicant,
        "identity_check": identity,
        "identity_check_label": (
            dict(zip(("zh", "en"), IDENTITY_LABELS[identity], strict=True)) if identity else None
        ),
        "form": sealed.open_json(ring, row.id, "form", row.form),
        "materials": [
            {k: m[k] for k in ("name", "mandatory", "sha256")} for m in json.loads(row.materials)
        ],
        "history": history,
        "archived": row.applicant == sealed.ARCHIVED,
    }


def listing(
    tx: Tx, today: dt.date, status: str | None, matter: str | None, overdue_only: bool, limit: int
) -> dict[str, Any]:
    """Cases by status and matter, with the count of overdue open cases."""
    query = select(submissions_table).order_by(submissions_table.c.received_at.desc()).limit(limit)
    if status:
        query = query.where(submissions_table.c.status == status)
    if matter:
        query = query.where(submissions_table.c.matter == matter)
    rows = [summary(r, today) for r in tx.conn.execute(query)]
    if overdue_only:
        rows = [r for r in rows if r["overdue"]]
    overdue = tx.conn.execute(
        select(func.count()).where(
            submissions_table.c.status.in_(list(OVERDUE_STATES)),
            submissions_table.c.promised_date.is_not(None),
            submissions_table.c.promised_date < today.isoformat(),
        )
    ).scalar_one()
    return {"submissions": rows, "overdue": overdue}


# Which staff action moves a case from which states.
_ACTIONS = {
    "accept": ((SubmissionStatus.RECEIVED,), SubmissionStatus.ACCEPTED),
    "return": (
        (SubmissionStatus.RECEIVED, SubmissionStatus.ACCEPTED, SubmissionStatus.NEEDS_CORRECTION),
        SubmissionStatus.NEEDS_CORRECTION,
    ),
    "finish": ((SubmissionStatus.ACCEPTED,), SubmissionStatus.FINISHED),
    "reject": (OPEN_STATES, SubmissionStatus.RETURNED),
}


def act(
    tx: Tx,
    sid: str,
    action: str,
    actor: str,
    note: str,
    missing: list[str],
    today: dt.date,
    ring: Keyring,
) -> dict[str, Any]:
    """A staff action on a case (accept, return for correction, finish, reject)."""
    row = tx.conn.execute(_BY_ID, {"sid": sid}).first()
    if row is None:
        raise not_found("申报件", "submission", code="unknown_submission")
    allowed, new = _ACTIONS[action]
    if row.status not in allowed:
        zh, en = LABELS[SubmissionStatus(row.status)]
        raise conflict(
            "bad_state",
            f"该件当前状态为“{zh}”,不能执行此操作",
            f"The case is {en.lower()}; {action} is not possible",
        )
    values: dict[str, Any] = {"status": new, "updated_at": tx.now}
    if action == "return":
        if not missing:
            raise QueueError(
                422,
                "missing_required",
                "退回补正须一次性列出全部缺少的材料",
                "List every missing item when returning for correction",
            )
        values["missing"] = json.dumps(missing, ensure_ascii=False)
        note = (note + "；" if note else "") + "缺少：" + "、".join(missing)
    tx.conn.execute(submissions_table.update().where(submissions_table.c.id == sid), values)
    _history(tx, sid, new, note, actor)
    saved = tx.conn.execute(_BY_ID, {"sid": sid}).one()
    tx.emit("submission.changed", {"submission": summary(saved, today)})
    return detail(tx, saved, today, ring)


def progress(tx: Tx, receipt: str, id_number: str, id_key: bytes, today: dt.date) -> dict[str, Any]:
    """办件查询: the case for a receipt, only if the ID number matches (else 404)."""
    row = tx.conn.execute(_BY_RECEIPT, {"r": receipt.strip().upper()}).first()
    if row is not None and row.applicant == sealed.ARCHIVED:
        # Its ID fingerprint went with the retention: nothing left to check the ID against.
        raise QueueError(
            410,
            "case_archived",
            "该办件已办结并归档,按规定已删除申请人信息,无法在线查询,请到窗口咨询",
            "This case was closed and archived; its personal data was deleted as the"
            " retention rules require, so it cannot be looked up: ask at a window",
        )
    if row is None or row.id_fp != id_fingerprint(id_number, id_key):
        # Same answer for an unknown receipt and a wrong ID: nothing to probe with.
        raise not_found(
            "与该回执和证件号码相符的办件", "a case for this receipt and ID", code="unknown_case"
        )
    history = [
        {
            "ts": views.iso(h.ts),
            "status": h.status,
            "label": dict(zip(("zh", "en"), LABELS[SubmissionStatus(h.status)], strict=True)),
            "note": h.note,
        }
        for h in tx.conn.execute(_HISTORY, {"sid": row.id})
    ]
    return {**summary(row, today), "history": history}
