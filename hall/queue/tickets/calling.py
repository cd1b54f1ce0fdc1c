"""Window operations (叫号): call next, recall, no-show, transfer, pause, finish.

Operations for the writer. Each checks in its own transaction that the caller
may operate the window (staff only the window they are logged in at; managers
any), so a check and the change it guards cannot be separated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, text

from hall.queue.core.context import Context
from hall.queue.core.domain import (
    TicketKind,
    TicketStatus,
    WindowState,
    conflict,
    forbidden,
    not_found,
)
from hall.queue.core.rows import (
    current_ticket,
    set_ticket,
    set_window,
    ticket_row,
    window_row,
    window_view,
)
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.core.writer import Tx
from hall.queue.tickets import pauses, vacancy, views
from hall.queue.tickets.sessions import staff_session
from hall.words import CaseType, PauseReason


@dataclass(frozen=True)
class Actor:
    """Who asks: a manager (any window) or staff identified by a session token hash."""

    role: str  # "manager" or "staff"
    name: str = ""
    token_hash: str | None = None


def _window(ctx: Context, tx: Tx, actor: Actor, number: int) -> Any:
    if ctx.config.window(number) is None:
        raise not_found(f"{number}号窗口", f"window {number}", code="unknown_window")
    if actor.role == "staff":
        session = staff_session(tx, actor.token_hash)
        if session.window != number:
            raise forbidden(
                f"您登录的是{session.window}号窗口,不能操作{number}号窗口",
                f"You are logged in at window {session.window}, not window {number}",
            )
    elif actor.role not in ("manager", "device"):  # device: the keypad at this window
        raise forbidden("无权操作窗口", "This token may not operate windows")
    row = window_row(tx, number)
    if row.state == WindowState.CLOSED:
        raise conflict(
            "window_closed",
            f"{number}号窗口未签到,请先登录",
            f"Window {number} is closed: no staff logged in",
        )
    return row


def _emit_ticket(ctx: Context, tx: Tx, type_: str, ticket: Any, **extra: Any) -> dict[str, Any]:
    view = views.ticket_view(ticket)
    counts = views.waiting_counts(tx.conn, ticket.day)
    waiting = {s.code: counts.get(s.code, 0) for s in ctx.config.services}
    tx.emit(type_, {"ticket": view, "waiting": waiting, **extra})
    return view


_WAITING_FOR = (
    f"SELECT *, {views.RANK_SQL} AS rank FROM tickets"
    " WHERE day = :day AND status = 'waiting' AND service IN :services"
)
_NEXT = text(_WAITING_FOR + " ORDER BY rank, queue_at LIMIT 1").bindparams(
    bindparam("services", expanding=True)
)
_NEXT_ORDINARY = text(
    f"SELECT * FROM ({_WAITING_FOR}) AS w WHERE rank = 2 ORDER BY queue_at LIMIT 1"
).bindparams(bindparam("services", expanding=True))


def _pick_next(ctx: Context, tx: Tx, win: Any, services: list[str]) -> Any:
    """Calling policy: appointments in their slot, then priority, then FIFO.

    After ``max_consecutive_priority`` privileged calls in a row at this window,
    the oldest ordinary ticket goes first, so nobody waits behind an endless
    stream of priority tickets.
    """
    params = {
        "day": ctx.day(tx.now),
        "services": services,
        "now": tx.now,
        "grace": ctx.grace_s,
        "behind": int(ctx.requeue_behind),
    }
    if win.priority_streak >= ctx.config.calling.max_consecutive_priority:
        ordinary = tx.conn.execute(_NEXT_ORDINARY, params).first()
        if ordinary is not None:
            return ordinary
    return tx.conn.execute(_NEXT, params).first()


def call_next(ctx: Context, tx: Tx, actor: Actor, number: int) -> dict[str, Any]:
    """Call the next ticket for the services this window serves."""
    win = _window(ctx, tx, actor, number)
    if win.state == WindowState.PAUSED:
        raise conflict(
            "window_paused", f"{number}号窗口已暂停服务,请先恢复", f"Window {number} is paused"
        )
    if win.ticket_id is not None:
        current = current_ticket(tx, win)
        raise conflict(
            "window_busy",
            f"{number}号窗口正在办理{current.number},请先办结、过号或转移",
            f"Window {number} is still serving {current.number}: finish, no-show or transfer it",
        )
    services = ctx.config.window(number).services
    nxt = _pick_next(ctx, tx, win, services)
    if nxt is None:
        raise conflict("queue_empty", "当前没有等候的号", "Nobody is waiting for this window")
    streak = 0 if nxt.rank == 2 else win.priority_streak + 1
    ticket = set_ticket(
        tx,
        nxt.id,
        status=TicketStatus.CALLED,
        called_at=tx.now,
        window=number,
        staff_id=win.staff_id,
    )
    set_window(tx, number, state=WindowState.SERVING, ticket_id=nxt.id, priority_streak=streak)
    return _emit_ticket(ctx, tx, "ticket.called", ticket, window=number)


def recall(ctx: Context, tx: Tx, actor: Actor, number: int) -> dict[str, Any]:
    """重呼: announce the current ticket again."""
    win = _window(ctx, tx, actor, number)
    current = current_ticket(tx, win)
    ticket = set_ticket(tx, current.id, recalls=current.recalls + 1)
    return _emit_ticket(ctx, tx, "ticket.recalled", ticket, window=number)


def start(ctx: Context, tx: Tx, actor: Actor, number: int) -> dict[str, Any]:
    """The called citizen has arrived at the window: the case is being served."""
    win = _window(ctx, tx, actor, number)
    current = current_ticket(tx, win)
    if current.status != TicketStatus.CALLED:
        raise conflict(
            "not_called", f"{current.number}已在办理中", f"{current.number} is already served"
        )
    ticket = set_ticket(tx, current.id, status=TicketStatus.SERVING, served_at=tx.now)
    return _emit_ticket(ctx, tx, "ticket.serving", ticket, window=number)


def no_show(ctx: Context, tx: Tx, actor: Actor, number: int) -> dict[str, Any]:
    """过号: the called citizen did not come."""
    win = _window(ctx, tx, actor, number)
    current = current_ticket(tx, win)
    if current.status != TicketStatus.CALLED:
        raise conflict(
            "already_serving",
            f"{current.number}已在办理中,不能过号",
            f"{current.number} is being served; it cannot be a no-show",
        )
    ticket = set_ticket(tx, current.id, status=TicketStatus.NO_SHOW)
    set_window(tx, number, state=WindowState.OPEN, ticket_id=None)
    return _emit_ticket(ctx, tx, "ticket.no_show", ticket, window=number)


def requeue(ctx: Context, tx: Tx, actor: Actor, number: int, ticket_number: str) -> dict[str, Any]:
    """过号回队: a no-show citizen came back; the ticket goes back in line.

    Its ``queue_at`` becomes now (the store has no column for "requeued", and
    needs none: only a requeued ticket has ``queue_at`` after ``issued_at``;
    transferred copies keep the original issue time in both). With
    ``calling.requeue_position: behind_waiting`` such a ticket ranks as an
    ordinary one, so it goes behind everyone waiting, after a restart too;
    ``keep_rank`` keeps its kind's rank. The answer's ``ahead`` says how many
    are now before it.
    """
    _window(ctx, tx, actor, number)
    services = ctx.config.window(number).services
    row = tx.conn.execute(
        select(tickets_table).where(
            tickets_table.c.day == ctx.day(tx.now),
            tickets_table.c.number == ticket_number.strip().upper(),
            tickets_table.c.status == TicketStatus.NO_SHOW,
            tickets_table.c.service.in_(services),
        )
    ).first()
    if row is None:
        raise not_found(
            f"本窗口今日过号的{ticket_number}",
            f"no-show ticket {ticket_number} for this window",
            code="no_such_no_show",
        )
    ticket = set_ticket(
        tx, row.id, status=TicketStatus.WAITING, queue_at=tx.now, window=None, called_at=None
    )
    view = _emit_ticket(ctx, tx, "ticket.requeued", ticket, window=number)
    return {**view, **views.place(ctx.config, tx.conn, ticket, tx.now, ctx.grace_s, ctx.times)}


def latest_no_show(ctx: Context, tx: Tx, number: int) -> str:
    """The number of this window's most recent no-show today (for the keypad's call-back)."""
    found = tx.conn.execute(
        select(tickets_table.c.number)
        .where(
            tickets_table.c.day == ctx.day(tx.now),
            tickets_table.c.window == number,
            tickets_table.c.status == TicketStatus.NO_SHOW,
        )
        .order_by(tickets_table.c.updated_at.desc())
        .limit(1)
    ).scalar()
    if found is None:
        raise not_found(
            "本窗口今日的过号", "a no-show at this window today", code="no_such_no_show"
        )
    return found


def transfer(ctx: Context, tx: Tx, actor: Actor, number: int, service: str) -> dict[str, Any]:
    """转移: send the citizen to another service, keeping the original issue time."""
    win = _window(ctx, tx, actor, number)
    current = current_ticket(tx, win)
    target = ctx.service_or_404(service)
    if target.code == current.service:
        raise conflict("same_service", "不能转移到同一业务", "Cannot transfer to the same service")
    new_id = uuid.uuid4().hex
    copy = {c.name: getattr(current, c.name) for c in tickets_table.columns}
    copy.update(
        id=new_id,
        service=target.code,
        status=TicketStatus.WAITING,
        queue_at=current.issued_at,
        called_at=None,
        served_at=None,
        finished_at=None,
        window=None,
        staff_id=None,
        case_type=None,
        recalls=0,
        kind=TicketKind.PRIORITY if current.kind != TicketKind.NORMAL else TicketKind.NORMAL,
        transferred_from=current.id,
        transferred_to=None,
        updated_at=tx.now,
    )
    tx.conn.execute(insert(tickets_table).values(**copy))
    old = set_ticket(
        tx,
        current.id,
        status=TicketStatus.TRANSFERRED,
        transferred_to=new_id,
        finished_at=tx.now,
    )
    set_window(tx, number, state=WindowState.OPEN, ticket_id=None)
    new = ticket_row(tx, new_id)
    _emit_ticket(ctx, tx, "ticket.transferred", old, window=number, to=views.ticket_view(new))
    return views.ticket_view(new)


def pause(
    ctx: Context,
    tx: Tx,
    actor: Actor,
    number: int,
    reason: PauseReason = PauseReason.OTHER,
    note: str = "",
) -> dict[str, Any]:
    """暂停服务: stop calling at this window (only when nobody is being served).

    The pause is recorded with its reason (离岗原因) until resume or close (pauses.py).
    """
    win = _window(ctx, tx, actor, number)
    if win.state == WindowState.PAUSED:
        raise conflict(
            "already_paused", f"{number}号窗口已暂停", f"Window {number} is already paused"
        )
    if win.ticket_id is not None:
        raise conflict(
            "window_busy", f"{number}号窗口正在办理,请先办结", f"Window {number} is serving someone"
        )
    by = "staff" if actor.role == "staff" else f"{actor.role}:{actor.name}"
    pauses.start(ctx, tx, number, reason, note, win.staff_id, by)
    return window_view(tx, set_window(tx, number, state=WindowState.PAUSED))


def resume(ctx: Context, tx: Tx, actor: Actor, number: int) -> dict[str, Any]:
    """恢复服务."""
    win = _window(ctx, tx, actor, number)
    if win.state != WindowState.PAUSED:
        raise conflict("not_paused", f"{number}号窗口未暂停", f"Window {number} is not paused")
    pauses.end(tx, number, "resume")
    vacancy.end_alerts(ctx, tx, number)
    return window_view(tx, set_window(tx, number, state=WindowState.OPEN))


def finish(ctx: Context, tx: Tx, actor: Actor, number: int, case_type: CaseType) -> dict[str, Any]:
    """办结: the case is done, with its case type (即办件, 承诺件 ...)."""
    win = _window(ctx, tx, actor, number)
    current = current_ticket(tx, win)
    ticket = set_ticket(
        tx,
        current.id,
        status=TicketStatus.FINISHED,
        finished_at=tx.now,
        case_type=case_type,
        served_at=current.served_at or current.called_at,
    )
    set_window(tx, number, state=WindowState.OPEN, ticket_id=None)
    ctx.times.invalidate(ticket.service)
    return _emit_ticket(ctx, tx, "ticket.finished", ticket, window=number)
