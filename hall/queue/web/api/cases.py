"""HTTP routes of the case register (办件): open a case at the counter, list, read, act.

Who may call them (docs/SECURITY.md): staff sessions and managers only; kiosk and
display tokens get 403 (a kiosk opens cases through ``POST /submissions``). Within
that, hall/queue/cases/case_rules.py decides: a clerk works the cases of their own
department and of the window's department, 把关 actions (extend, reject) need the
department's chief or deputy, managers read all and take every other action.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import Field
from sqlalchemy import select

from hall.idnumber import IdNumberError, validate_id_number
from hall.queue.cases import case_rules, case_views, personal_data, register
from hall.queue.core.domain import QueueError, forbidden, not_found
from hall.queue.core.tables.tickets import tickets_table, windows_table
from hall.queue.ratings import keys
from hall.queue.tickets import sessions
from hall.queue.web.auth import Principal, manager_actor
from hall.queue.web.deps import Body, Caller, daemon_of
from hall.queue.web.pins import client_address

router = APIRouter(prefix="/api/v1", tags=["cases"])
Receipt = Annotated[str, PathParam(min_length=6, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]

#: The notice a citizen gets after an action (printed and as an A4 page).
NOTICES = {"return": "correction", "extend": "extension", "reject": "refusal", "ready": "pickup"}


class MaterialIn(Body):
    """One material of the checklist: present at the counter or not."""

    name: str = Field(min_length=1, max_length=64)
    mandatory: bool
    present: bool


class ApplicantIn(Body):
    """The applicant (sealed at rest; the full ID only in the single-case view)."""

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=18, max_length=18)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{3,20}$")


class CaseIn(Body):
    """A case opened by the clerk serving ``ticket_id``."""

    ticket_id: str = Field(min_length=1, max_length=32)
    matter: str = Field(min_length=1, max_length=64)
    kind: Literal["即办件", "承诺件", "联办件", "上报件"] | None = Field(
        None, description="default: the matter's case type in the catalogue"
    )
    applicant: ApplicantIn
    materials: list[MaterialIn] = Field(default_factory=list, max_length=30)
    co_departments: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=10, description="联办件: co-department codes, in turn"
    )


class ActionIn(Body):
    """An action's fields; which are required depends on the action (422 naming them)."""

    note: str = Field("", max_length=500)
    missing: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=30
    )
    days: int | None = Field(None, ge=1, le=365)
    reason: str | None = Field(None, min_length=1, max_length=200)
    basis: str | None = Field(None, min_length=1, max_length=500)
    by: Literal["window", "post"] | None = None
    tracking: str | None = Field(None, min_length=1, max_length=64)
    id_number: str | None = Field(None, min_length=15, max_length=18)
    seq: int | None = Field(None, ge=0, le=100)
    to: str | None = Field(None, min_length=1, max_length=64)


#: action → the fields it needs (zh name for the message).
REQUIRED = {
    "return": (("missing", "缺少的材料"),),
    "extend": (("days", "延期天数"), ("reason", "延期理由")),
    "suspend": (("reason", "暂停原因"),),
    "deliver": (("by", "领取方式"),),
    "reject": (("reason", "不予受理理由"), ("basis", "法律依据")),
    "step": (("seq", "环节序号"),),
    "report_up": (("to", "上报机关"),),
}


def _checked(action: str, body: ActionIn) -> dict[str, Any]:
    values = body.model_dump()
    need = list(REQUIRED.get(action, ()))
    if action == "deliver" and body.by == "post":
        need.append(("tracking", "快递单号"))
    if action == "deliver" and body.by == "window":
        need.append(("id_number", "领取人证件号码"))
    absent = [(k, zh) for k, zh in need if values.get(k) in (None, "", [])]
    if absent:
        raise QueueError(
            422,
            "field_required",
            "请填写：" + "、".join(zh for _, zh in absent),
            f"{action}: required " + ", ".join(k for k, _ in absent),
            fields=[k for k, _ in absent],
        )
    return values


def who_of(ctx: Any, tx: Any, p: Principal) -> case_rules.Who:
    """The caller as the rules see it (staff session or manager); 403 for other roles."""
    if p.role == "staff":
        session = sessions.staff_session(tx, p.token_hash)
        return case_rules.who_staff(ctx.config, session.staff_id, session.window)
    if p.role == "manager":
        return case_rules.who_manager(manager_actor(p))
    raise forbidden("此终端无权查看或办理办件", f"A {p.role} token may not read or act on cases")


def _follow_url(template: str, receipt: str, key: str) -> str:
    # The kiosk's notice QR (kiosk.progress_url) with the rating key as k=.
    url = template.format(receipt=quote(receipt))
    return f"{url}{'&' if '?' in url else '?'}k={key}"


def _serving_ticket(tx: Any, who: case_rules.Who, ticket_id: str) -> Any:
    """The ticket, if the clerk's window is serving it or finished it last (else 409/404)."""
    ticket = tx.conn.execute(select(tickets_table).where(tickets_table.c.id == ticket_id)).first()
    if ticket is None:
        raise not_found(f"号票{ticket_id}", f"ticket {ticket_id}", code="unknown_ticket")
    if who.role != "staff":
        return ticket
    win = tx.conn.execute(select(windows_table).where(windows_table.c.number == who.window)).first()
    if win is not None and win.ticket_id == ticket_id:
        return ticket
    last = tx.conn.execute(
        select(tickets_table.c.id)
        .where(tickets_table.c.window == who.window, tickets_table.c.status == "finished")
        .order_by(tickets_table.c.finished_at.desc())
        .limit(1)
    ).scalar()
    if last != ticket_id:
        raise QueueError(
            409,
            "not_your_ticket",
            f"号票{ticket.number}不是本窗口正在办理或刚办结的号票",
            f"Ticket {ticket.number} is not being served or just finished at window {who.window}",
        )
    return ticket


def _reader(request: Request, who: case_rules.Who) -> personal_data.Reader:
    actor = f"staff:{who.staff_id}" if who.role == "staff" else who.actor
    return personal_data.Reader(actor, who.window, client_address(request))


def _shown(request: Request, tx: Any, who: case_rules.Who, row: Any, what: str) -> dict:
    """The single-case view for ``who``, the personal-data read recorded in ``tx``."""
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue
    full = case_rules.full_view(ctx.config, catalogue, who, row.department, row.matter)
    personal_data.record(tx, _reader(request, who), row.submission_id or row.receipt, what, full)
    today = ctx.local_date(tx.now)
    return case_views.view(tx, row, today, daemon.keyring, full, ctx=ctx, catalogue=catalogue)


@router.post("/cases", status_code=201)
async def open_case(request: Request, body: CaseIn, p: Caller) -> dict[str, Any]:
    """Open a case for the ticket being served (staff of the matter's department; managers).

    Staff: the ticket must be the one their window is serving or finished last.
    201 {receipt, status, promised_date, notice ("promise" | "correction" | null for a
    即办件), follow_url and rating_key (the notice's QR, only in this answer), case}.
    """
    try:
        validate_id_number(body.applicant.id_number)
    except IdNumberError as exc:
        raise QueueError(422, *exc.api_error("applicant.id_number")) from None
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue
    matter = catalogue.get(body.matter) if catalogue is not None else None
    if matter is None:
        raise QueueError(
            422,
            "unknown_matter",
            f"事项“{body.matter}”不在事项清单中",
            f"unknown matter {body.matter!r}",
        )
    dept = ctx.config.department_of_matter(body.matter)
    kind = body.kind or matter.case_type.value
    key = keys.new_key()

    def op(tx: Any) -> dict[str, Any]:
        who = who_of(ctx, tx, p)
        case_rules.check_read(ctx.config, catalogue, who, dept.code if dept else "", body.matter)
        ticket = _serving_ticket(tx, who, body.ticket_id)
        new = register.NewCase(
            matter=body.matter,
            kind=kind,
            department=dept.code if dept else "",
            limit_days=0 if kind == case_rules.IMMEDIATE else matter.promised_days,
            applicant=body.applicant.model_dump(),
            materials=[m.model_dump() for m in body.materials],
            ticket_id=ticket.id,
            window=who.window if who.window is not None else ticket.window,
            co_departments=list(body.co_departments),
        )
        row = register.open_case(ctx, tx, who, new, ctx.local_date(tx.now))
        keys.keep(tx, f"case:{row.receipt}", key)
        view = _shown(request, tx, who, row, "case.open")
        notice = "correction" if row.status == "returned" else None
        if notice is None and kind != case_rules.IMMEDIATE:
            notice = "promise"
        follow = _follow_url(ctx.config.kiosk.progress_url, row.receipt, key)
        return {
            "receipt": row.receipt,
            "status": row.status,
            "promised_date": row.promised_date,
            "notice": notice,
            "follow_url": follow,
            "rating_key": key,
            "case": {**view, "follow_url": follow},  # the 承诺通知书's QR: this answer only
        }

    return await daemon.run(op)


@router.get("/cases")
async def list_cases(
    request: Request,
    p: Caller,
    department: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    status: Annotated[Literal[case_rules.STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    due: Annotated[Literal["yellow", "red", "open"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Cases without applicant data, newest first (staff: their departments'; managers: all).

    ``due``: red (past the promised date), yellow (黄牌), open (every open case).
    """
    daemon = daemon_of(request)
    ctx = daemon.ctx

    def op(tx: Any) -> dict[str, Any]:
        who = who_of(ctx, tx, p)
        case_rules.check_department_filter(who, department)
        scope = None
        if who.role == "staff":
            scope = who.departments
        today = ctx.local_date(tx.now)
        return register.listing(tx, today, department, status, due, limit, scope)

    return await daemon.read(op)


@router.get("/cases/{receipt}")
async def get_case(request: Request, receipt: Receipt, p: Caller) -> dict[str, Any]:
    """One case in full (staff of its department, managers; the read is recorded)."""
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue

    def op(tx: Any) -> dict[str, Any]:
        who = who_of(ctx, tx, p)
        row = register.get_row(tx, receipt)
        co = register.involved(tx, row)
        case_rules.check_read(ctx.config, catalogue, who, row.department, row.matter, co)
        return _shown(request, tx, who, row, "case.view")

    return await daemon.run(op)


@router.post("/cases/{receipt}/{action}")
async def act_on_case(
    request: Request,
    receipt: Receipt,
    action: Literal[case_rules.ACTIONS],  # type: ignore[valid-type]
    body: ActionIn,
    p: Caller,
) -> dict[str, Any]:
    """An action on a case (case_rules.TRANSITIONS); staff of its department, managers.

    extend and reject (把关权): the department's chief or deputy only. The answer is
    the single-case view with ``notice``: the notice the citizen gets now, or null.
    """
    values = _checked(action, body)
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue
    if action == "deliver" and body.by == "window" and body.id_number:
        values["id_number"] = body.id_number.strip().upper()

    def op(tx: Any) -> dict[str, Any]:
        who = who_of(ctx, tx, p)
        today = ctx.local_date(tx.now)
        row = register.act(ctx, tx, who, receipt, action, values, today, catalogue)
        view = _shown(request, tx, who, row, f"case.{action}")
        return {**view, "notice": NOTICES.get(action)}

    return await daemon.run(op)
