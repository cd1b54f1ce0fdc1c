"""HTTP routes of the 投诉 register (hall/queue/supervision/complaints.py).

Who may call them (docs/SECURITY.md):

- ``POST /complaints``: managers and staff sessions (they log what they are handed: a
  call, a letter, the 意见箱, a citizen at the counter), kiosks with channel ``kiosk``
  only; display tokens 403. The public page lodges through its own form
  (hall/queue/web/pages/citizen/complaint.py), rate-limited per address.
- ``GET /complaints``, ``GET /complaints/{id}``, ``POST /complaints/{id}/{action}``:
  managers only. Staff get 403 even for the list, which has no personal data: a clerk
  must never see a complaint about themselves.
- ``POST /complaints/follow``: the citizen with the receipt's number and follow key —
  no token (the public page's script, limited per address), a kiosk or a manager;
  staff and display tokens 403. No staff names in the answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import Field

from hall.queue.cases import personal_data
from hall.queue.core.domain import QueueError, forbidden
from hall.queue.ratings import keys
from hall.queue.supervision import complaint_limits, complaints
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, manager_actor, principal, require
from hall.queue.web.deps import Body, Caller, daemon_of
from hall.queue.web.pins import client_address

router = APIRouter(prefix="/api/v1", tags=["complaints"])
ComplaintId = Annotated[str, PathParam(min_length=14, max_length=14, pattern=r"^[A-Za-z0-9]+$")]
Key = Annotated[str, Field(min_length=16, max_length=keys.MAX_KEY_LENGTH, pattern=r"^[\w-]+$")]
SUMMARY_MAX = 1000  # characters: a few KB of UTF-8, under the body cap (api.limits)


class ContactIn(Body):
    """The citizen's name and phone, both optional (anonymous complaints are taken too)."""

    name: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{3,20}$")


class ComplaintIn(Body):
    """A complaint as whoever took it wrote it down."""

    channel: Literal[complaints.CHANNELS]  # type: ignore[valid-type]
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    contact: ContactIn = ContactIn()
    subject_window: int | None = Field(None, ge=1, le=999)
    subject_staff: str | None = Field(None, min_length=1, max_length=32)
    subject_department: str | None = Field(None, min_length=1, max_length=16)


class ActionIn(Body):
    """assign {to}; reply {text, outcome}; close {}; satisfaction {value} (after a call back)."""

    to: str | None = Field(None, min_length=1, max_length=64)
    text: str | None = Field(None, min_length=1, max_length=SUMMARY_MAX)
    outcome: Literal[complaints.OUTCOMES] | None = None  # type: ignore[valid-type]
    value: Literal[complaints.SATISFACTION] | None = None  # type: ignore[valid-type]


class FollowIn(Body):
    """The receipt's number and key; ``satisfaction`` once the complaint is answered."""

    id: str = Field(min_length=1, max_length=24)
    key: Key
    satisfaction: Literal[complaints.SATISFACTION] | None = None  # type: ignore[valid-type]


#: action → the fields it needs (zh name for the message).
REQUIRED = {
    "assign": (("to", "交办对象"),),
    "reply": (("text", "答复内容"), ("outcome", "核查结果")),
    "satisfaction": (("value", "满意度"),),
}


def check_subject(config: Any, window: int | None, staff: str | None, dept: str | None) -> None:
    """422 for a subject window, clerk or department the hall does not have."""
    bad = []
    if window is not None and config.window(window) is None:
        bad.append(("subject_window", f"窗口{window}", f"window {window}"))
    if staff is not None and config.staff_member(staff) is None:
        bad.append(("subject_staff", f"工作人员{staff}", f"staff {staff}"))
    if dept is not None and dept not in {d.code for d in config.departments}:
        bad.append(("subject_department", f"部门{dept}", f"department {dept}"))
    if bad:
        raise QueueError(
            422,
            "unknown_subject",
            "被投诉对象不存在：" + "、".join(zh for _, zh, _ in bad),
            "Unknown subject: " + ", ".join(en for _, _, en in bad),
            fields=[f for f, _, _ in bad],
        )


def follow_url(config: Any, complaint_id: str, key: str) -> str:
    """The receipt's QR: the citizen page's follow-up, on the host of the notices' QR."""
    parts = urlsplit(config.kiosk.progress_url)
    return f"{parts.scheme}://{parts.netloc}/complaint?id={quote(complaint_id)}&k={key}"


async def lodge_as(request: Request, body: ComplaintIn, taken_by: str, key: str) -> dict[str, Any]:
    """Lodge ``body`` for ``taken_by``; the receipt (id, due_on, follow key and URL)."""
    daemon = daemon_of(request)
    ctx = daemon.ctx
    check_subject(ctx.config, body.subject_window, body.subject_staff, body.subject_department)
    new = complaints.NewComplaint(
        channel=body.channel,
        taken_by=taken_by,
        summary=body.summary,
        contact=body.contact.model_dump(),
        subject_window=body.subject_window,
        subject_staff=body.subject_staff,
        subject_department=body.subject_department,
        follow_key=key,
    )
    row = await daemon.run(lambda tx: complaints.lodge(ctx, tx, new))
    return {
        "id": row.id,
        "received_on": row.received_on,
        "due_on": row.due_on,
        "status": row.status,
        "follow_key": key,  # only in this answer: the store keeps its digest
        "follow_url": follow_url(ctx.config, row.id, key),
    }


@router.post("/complaints", status_code=201)
async def lodge(request: Request, body: ComplaintIn, p: Caller) -> dict[str, Any]:
    """Lodge a complaint (managers; staff sessions; kiosks with channel ``kiosk``).

    201 {id, received_on, due_on, status, follow_key, follow_url}: the receipt to give the
    citizen. Display tokens 403; a kiosk naming another channel 403.
    """
    if p.role == "kiosk":
        if body.channel != "kiosk":
            raise forbidden(
                "自助终端只能登记渠道为“自助终端”的投诉",
                "A kiosk may only lodge complaints with channel kiosk",
            )
        taken_by = f"kiosk {p.name}"
    elif p.role == "staff":
        session = await daemon_of(request).read(lambda tx: sessions.staff_session(tx, p.token_hash))
        taken_by = session.staff_id
    else:
        require(p, "manager")
        taken_by = manager_actor(p)
    return await lodge_as(request, body, taken_by, keys.new_key())


def _managers_only(p: Principal) -> None:
    if p.role != "manager":
        raise forbidden("只有管理人员可以查看投诉", f"A {p.role} token may not read complaints")


@router.get("/complaints")
async def list_complaints(
    request: Request,
    p: Caller,
    status: Annotated[Literal[complaints.STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    overdue: Annotated[bool | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Complaints without personal data, overdue first (managers only; staff 403)."""
    _managers_only(p)
    daemon = daemon_of(request)
    ctx = daemon.ctx
    return await daemon.read(
        lambda tx: complaints.listing(tx, ctx.local_date(tx.now), status, overdue, limit)
    )


@router.get("/complaints/{complaint_id}")
async def get_complaint(request: Request, complaint_id: ComplaintId, p: Caller) -> dict[str, Any]:
    """One complaint with its texts, contact and events (managers; the read is recorded)."""
    _managers_only(p)
    daemon = daemon_of(request)
    ctx = daemon.ctx
    reader = personal_data.Reader(manager_actor(p), None, client_address(request))

    def op(tx: Any) -> dict[str, Any]:
        row = complaints.get_row(tx, complaint_id)
        personal_data.record(tx, reader, row.id, "complaint.view", True)
        return complaints.full_view(ctx, tx, row, ctx.local_date(tx.now))

    return await daemon.run(op)


@router.post("/complaints/follow")
async def follow(request: Request, body: FollowIn) -> dict[str, Any]:
    """The citizen's follow-up: status, the reply once given; satisfaction may be sent.

    No token (limited per address), a kiosk or a manager; staff and display 403.
    An unknown number and a wrong key are the same 404.
    """
    if request.headers.get("authorization"):
        require(await principal(request), "kiosk")
        limit = None
    else:
        limit = complaint_limits.of(daemon_of(request))
    return await follow_up(request, body.id, body.key, body.satisfaction, limit)


async def follow_up(
    request: Request,
    complaint_id: str,
    key: str,
    satisfaction: str | None,
    limit: complaint_limits.PublicLimit | None,
) -> dict[str, Any]:
    """Look the complaint up with its key (and record the citizen's satisfaction)."""
    daemon = daemon_of(request)
    ctx = daemon.ctx
    address = client_address(request)
    if limit is not None:
        limit.check(address, daemon.clock())

    def op(tx: Any) -> dict[str, Any] | QueueError:
        today = ctx.local_date(tx.now)
        try:
            view = complaints.follow(ctx, tx, complaint_id, key, today)
        except QueueError as exc:
            return exc
        if satisfaction is not None:
            if not view["can_rate"]:
                raise QueueError(
                    409,
                    "cannot_rate",
                    "该投诉尚未答复或已评价",
                    "The complaint is not answered yet, or already rated",
                )
            body = {"value": satisfaction, "by": "citizen"}
            complaints.act(ctx, tx, "citizen", view["id"], "satisfaction", body)
            view = complaints.follow(ctx, tx, complaint_id, key, today)
        return view

    found = await daemon.run(op)
    if isinstance(found, QueueError):
        if limit is not None:
            limit.hit(address, daemon.clock())
        raise found
    return found


@router.post("/complaints/{complaint_id}/{action}")
async def act_on_complaint(
    request: Request,
    complaint_id: ComplaintId,
    action: Literal[complaints.ACTIONS],  # type: ignore[valid-type]
    body: ActionIn,
    p: Caller,
) -> dict[str, Any]:
    """assign, reply, close, or record the satisfaction after a call back (managers only).

    409 ``complaint_state`` for the wrong status; 422 naming a missing field. The answer
    is the complaint without personal data.
    """
    _managers_only(p)
    values = body.model_dump()
    absent = [(k, zh) for k, zh in REQUIRED.get(action, ()) if values.get(k) in (None, "")]
    if absent:
        raise QueueError(
            422,
            "field_required",
            "请填写：" + "、".join(zh for _, zh in absent),
            f"{action}: required " + ", ".join(k for k, _ in absent),
            fields=[k for k, _ in absent],
        )
    daemon = daemon_of(request)
    ctx = daemon.ctx
    actor = manager_actor(p)

    def op(tx: Any) -> dict[str, Any]:
        row = complaints.act(ctx, tx, actor, complaint_id, action, values)
        return complaints.summary(row, ctx.local_date(tx.now))

    return await daemon.run(op)
