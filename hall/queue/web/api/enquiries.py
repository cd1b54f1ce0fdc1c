"""HTTP routes of the 首问 register (首问负责制登记薄, hall/queue/supervision/enquiries.py).

Who may call them (docs/SECURITY.md): staff sessions and managers; kiosk and display
tokens get 403. A clerk logs what they were asked: their staff id and window come from
their session, never from the body; a manager's entry is recorded as ``manager:<id>``.
A clerk lists only their own enquiries; managers list everyone's and the counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from hall.queue.cases import personal_data
from hall.queue.core.domain import QueueError, forbidden
from hall.queue.supervision import enquiries
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, manager_actor
from hall.queue.web.deps import Body, Caller, daemon_of
from hall.queue.web.pins import client_address

router = APIRouter(prefix="/api/v1", tags=["supervision"])
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO day")]
StaffId = Annotated[str | None, Query(min_length=1, max_length=32)]


class ContactIn(Body):
    """The caller's name and phone ("来电人姓名、联系电话等登记在册"); sealed at rest."""

    name: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{3,20}$")


class EnquiryIn(Body):
    """One enquiry as the clerk first asked logs it (who and where: their session)."""

    channel: Literal["in_person", "phone", "other"]
    topic: str = Field(min_length=1, max_length=200)
    matter: str | None = Field(None, min_length=1, max_length=64, description="catalogue code")
    answer: Literal["answered", "referred", "guided", "recorded"]
    referred_to: str | None = Field(None, min_length=1, max_length=64)
    contact: ContactIn | None = None
    note: str = Field("", max_length=500)


def _who(tx: Any, p: Principal) -> tuple[str, int | None]:
    """(actor, window) of the caller: a clerk's session or a manager; 403 for other roles."""
    if p.role == "staff":
        session = sessions.staff_session(tx, p.token_hash)
        return session.staff_id, session.window
    if p.role == "manager":
        return manager_actor(p), None
    raise forbidden("此终端无权查看或登记首问", f"A {p.role} token may not read or log enquiries")


def _day(day: str | None, today: dt.date) -> str:
    if day is None:
        return today.isoformat()
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise QueueError(422, "bad_day", f"日期“{day}”无效", f"invalid day {day!r}") from None


@router.post("/enquiries", status_code=201)
async def log_enquiry(request: Request, body: EnquiryIn, p: Caller) -> dict[str, Any]:
    """Log an enquiry (staff: as the signed-in clerk at their window; managers).

    201 with the row (its contact as given). 422 for an unknown matter or a referral
    without ``referred_to``.
    """
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue
    if body.matter is not None and catalogue is not None and catalogue.get(body.matter) is None:
        raise QueueError(
            422,
            "unknown_matter",
            f"事项“{body.matter}”不在事项清单中",
            f"unknown matter {body.matter!r}",
        )
    new = enquiries.NewEnquiry(
        channel=body.channel,
        topic=body.topic.strip() or body.topic,
        answer=body.answer,
        matter=body.matter,
        referred_to=body.referred_to,
        contact=body.contact.model_dump() if body.contact else None,
        note=body.note,
    )

    def op(tx: Any) -> dict[str, Any]:
        actor, window = _who(tx, p)
        return enquiries.log_enquiry(ctx, tx, actor, window, new)

    return await daemon.run(op)


@router.get("/enquiries")
async def list_enquiries(
    request: Request,
    p: Caller,
    day: Day = None,
    staff: StaffId = None,
    contact: Annotated[bool, Query(description="false: no contacts (nothing recorded)")] = True,
) -> dict[str, Any]:
    """The enquiries of a day (default today): managers all (or ``staff``'s), a clerk their own.

    A clerk asking for another's gets 403. The contacts shown are recorded as reads;
    ``contact=false`` lists without them (``has_contact`` says which have one), as the
    manager page does on every refresh.
    """
    daemon = daemon_of(request)
    ctx = daemon.ctx

    def op(tx: Any) -> dict[str, Any]:
        actor, window = _who(tx, p)
        who = staff
        if p.role == "staff":
            if staff not in (None, actor):
                raise forbidden(
                    "只能查看本人的首问登记", "A clerk may list only their own enquiries"
                )
            who = actor
        reader_actor = f"staff:{actor}" if p.role == "staff" else actor
        reader = personal_data.Reader(reader_actor, window, client_address(request))
        the_day = _day(day, ctx.local_date(tx.now))
        found = enquiries.listing(ctx, tx, the_day, who, reader if contact else None)
        return {"day": the_day, "enquiries": found}

    # daemon.run: the personal-data reads are written in the reading transaction.
    return await daemon.run(op)


@router.get("/enquiries/counts")
async def count_enquiries(
    request: Request,
    p: Caller,
    start: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")],
    end: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")],
) -> dict[str, Any]:
    """Counts per clerk and matter from ``start`` to ``end`` (both included); managers only."""
    if p.role != "manager":
        raise forbidden("只有管理人员可以查看首问统计", "Only managers may count enquiries")
    first, last = _day(start, dt.date.min), _day(end, dt.date.min)
    return await daemon_of(request).read(lambda tx: enquiries.enquiry_counts(tx.conn, first, last))


@router.get("/enquiries/form")
async def enquiry_form(request: Request, p: Caller) -> dict[str, Any]:
    """What the 首问 form offers (staff: the window's department's matters; managers: all)."""
    daemon = daemon_of(request)

    def op(tx: Any) -> dict[str, Any]:
        _actor, window = _who(tx, p)
        return enquiries.form_options(daemon.ctx.config, daemon.catalogue, window)

    return await daemon.read(op)
