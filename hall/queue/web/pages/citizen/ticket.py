"""The ticket page (号票) behind the printed ticket's QR code, and the state it polls.

Number, service, status, people ahead and estimated wait while waiting, the
window when called: anyone with the ticket id sees that (staff see ids
everywhere). Once the case is finished the 好差评 form is shown only when the
page was opened with the ticket's rating key, ``/t/<id>?k=<key>``, the link
printed in the ticket's QR code (:mod:`hall.queue.ratings.keys`); the key is
checked here and again when the rating is posted. Without it the page says
to scan the QR code to rate. A transferred ticket (转移) is followed to the
ticket now in line (same number, another service); the printed key still
rates it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select

from hall.queue.core.domain import TicketStatus
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.ratings import keys, ledger
from hall.queue.tickets import badges
from hall.queue.web.deps import daemon_of
from hall.queue.web.pages.citizen.render import (
    HEADERS,
    Html,
    fill,
    lang_of,
    lines,
    other,
    page,
    rate_with_qr_note,
    rated_note,
    rating_data,
    rating_form,
    rating_key_of,
    t,
)
from hall.waits import view_minutes

router = APIRouter(include_in_schema=False)
POLL_S = 5
#: Statuses after which a ticket page stops following (a no-show may be put back in line).
FINAL = (TicketStatus.FINISHED, TicketStatus.CANCELLED)
#: Statuses whose page says who serves (or served) the citizen.
SERVED = (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.FINISHED)
MAX_HOPS = 5  # transfers followed from the printed ticket
TICKET_ID = re.compile(r"^[0-9a-f]{32}$")


async def _follow(
    request: Request, ticket_id: str, key: str | None = None
) -> tuple[dict[str, Any] | None, bool]:
    """The ticket behind a printed id, following transfers; and whether it was moved.

    A finished ticket's view also says whether it was rated, who served it and
    whether ``key`` is its rating key (``key_ok``).
    """
    if not TICKET_ID.match(ticket_id):
        return None, False
    daemon = daemon_of(request)
    view = await daemon.ticket(ticket_id)
    moved = False
    for _ in range(MAX_HOPS):
        if view is None or view["status"] != TicketStatus.TRANSFERRED:
            break
        target = view.get("transferred_to")
        nxt = await daemon.ticket(target) if target else None
        if nxt is None:
            break
        view, moved = nxt, True
    if view is not None and view["status"] in SERVED:
        ticket_id = view["id"]

        def clerk(tx: Any) -> str | None:
            return tx.conn.execute(
                select(tickets_table.c.staff_id).where(tickets_table.c.id == ticket_id)
            ).scalar()

        view["clerk_id"] = await daemon.read(clerk)  # who called it (亮证上岗); never shown
    if view is not None and view["status"] == TicketStatus.FINISHED:
        subject = f"ticket:{view['id']}"
        ticket_id = view["id"]

        def op(tx: Any) -> tuple[bool, bool]:
            rated = ledger.by_subject(tx.conn, "rating", subject) is not None
            return rated, key is not None and keys.ticket_holds(tx.conn, ticket_id, key)

        view["rated"], view["key_ok"] = await daemon.read(op)
    return view, moved


def _served_by(request: Request, view: dict[str, Any], lang: str) -> str:
    """亮证上岗: "为您服务：综合受理2 张敏（综合受理员，工号0232）"; '' before the call.

    Public fields only (:func:`hall.queue.tickets.badges.public_clerk`).
    """
    config = request.app.state.config
    clerk = badges.public_clerk(config, view.get("clerk_id"))
    number = view["window"]
    if clerk is None or number is None:
        return ""
    win = config.window(number)
    window = win.name_zh if win and win.name_zh and lang == "zh" else None
    title = clerk["title"] if lang == "zh" else clerk["title_en"] or clerk["title"]
    details = [title] if title else []
    if clerk["badge"]:
        details.append(t(lang, "badge_n", badge=clerk["badge"]))
    who = clerk["name"]
    if details:
        who += t(lang, "clerk_details", details=t(lang, "list_sep").join(details))
    return t(lang, "served_by", window=window or t(lang, "window_n", window=number), clerk=who)


def _rated_who(request: Request, view: dict[str, Any], lang: str) -> str:
    """Who is being rated: the window's name and the clerk's name (never a staff id)."""
    config = request.app.state.config
    number = view["window"]
    win = config.window(number) if number is not None else None
    if win is None:
        return ""
    name = win.name_zh if win.name_zh and lang == "zh" else t(lang, "window_n", window=number)
    clerk = config.staff_member(view["clerk_id"]) if view.get("clerk_id") else None
    if clerk is None:
        return t(lang, "rate_for_window", window=name)
    return t(lang, "rate_for", window=name, clerk=clerk.name)


def wait_text(view: dict[str, Any], lang: str) -> str:
    """The estimated wait as the page shows it (:func:`hall.waits.view_minutes`).

    "马上就到您" only for (0, 0), never with people ahead; a range ("约 5–10
    分钟") when the ends of ``est_wait_range_s`` are different minutes;
    otherwise one figure (from ``est_wait_s`` when there is no range).
    """
    low, high = view_minutes(view)
    if high == 0:
        return t(lang, "wait_now")
    if low != high:
        return t(lang, "wait_range", low=low, high=high)
    return t(lang, "wait_minutes", minutes=high)


def _texts(view: dict[str, Any], lang: str) -> dict[str, str]:
    """The figures the page updates in place while the ticket waits."""
    if view["status"] != TicketStatus.WAITING:
        return {}
    return {"ahead": str(int(view.get("ahead") or 0)), "wait": wait_text(view, lang)}


def _key(view: dict[str, Any]) -> str:
    """What makes the page reload when it changes (the figures are updated in place)."""
    return f"{view['id']}:{view['status']}:{view['window']}:{view.get('rated', False)}"


def _service_name(request: Request, code: str, lang: str) -> str:
    found = request.app.state.config.service(code)
    if found is None:
        return code
    return found.name_en if lang == "en" else found.name_zh


def _ticket_body(request: Request, view: dict[str, Any], moved: bool, lang: str) -> Html:
    status = view["status"]
    service = _service_name(request, view["service"], lang)
    window = view["window"] if view["window"] is not None else "-"
    more = []
    if moved:
        more.append(fill("moved", text=t(lang, "moved", service=service)))
    if status == TicketStatus.WAITING:
        texts = _texts(view, lang)
        facts = {"ahead": texts["ahead"], "wait": texts["wait"]}
        labels = {"ahead_label": t(lang, "ahead"), "wait_label": t(lang, "wait")}
        more.append(fill("facts", **facts, **labels, note=t(lang, "waiting_note")))
    elif status == TicketStatus.CALLED:
        more.append(fill("note", text=t(lang, "status_called_note")))
    elif status == TicketStatus.NO_SHOW:
        more.append(fill("note", text=t(lang, "status_no_show_note")))
    who = _served_by(request, view, lang)
    if who:
        more.append(fill("served", text=who))
    body = fill(
        "ticket",
        service=service,
        number_label=t(lang, "ticket_number"),
        number=view["number"],
        status=status,
        label=t(lang, f"status_{status}", window=window),
        more=lines(more, end="\n"),
    )
    if status != TicketStatus.FINISHED:
        return body
    if view.get("rated"):
        return lines([body, rated_note(lang)])
    if not view.get("key_ok"):  # the id alone: progress, no form
        return lines([body, rate_with_qr_note(lang)])
    return lines([body, rating_form(lang, _rated_who(request, view, lang))])


def _not_found_page(request: Request, lang: str, switch_href: str) -> HTMLResponse:
    title = t(lang, "unknown_ticket_title")
    body = fill("not_found", title=title, text=t(lang, "unknown_ticket"))
    return page(request, lang, title, body, switch_href=switch_href, status_code=404)


@router.get("/t/{ticket_id}")
async def ticket_page(request: Request, ticket_id: str) -> HTMLResponse:
    """The ticket page behind the printed ticket's QR code (anyone; the form needs ``k``)."""
    lang = lang_of(request)
    key = rating_key_of(request)
    switch = f"/t/{quote(ticket_id, safe='')}?lang={other(lang)}"
    view, moved = await _follow(request, ticket_id, key)
    if view is None:
        return _not_found_page(request, lang, switch)
    if key:  # the other language keeps (or, once served, gets) the form: the key goes along
        switch += f"&k={quote(key, safe='')}"
    data: dict[str, Any] = {"key": _key(view)}
    head = ""
    if view["status"] not in FINAL:
        data.update(poll=f"/t/{ticket_id}/state?lang={lang}", poll_s=POLL_S)
        # Without JavaScript the page still follows the ticket, more slowly.
        head = f'<noscript><meta http-equiv="refresh" content="{POLL_S * 4}"></noscript>\n'
    if view["status"] == TicketStatus.FINISHED and not view.get("rated") and view.get("key_ok"):
        data.update(rating_data(request, lang, {"ticket_id": view["id"], "key": key or ""}))
    title = t(lang, "ticket_title", number=view["number"])
    body = _ticket_body(request, view, moved, lang)
    return page(request, lang, title, body, switch_href=switch, data=data, head=head)


@router.get("/t/{ticket_id}/state")
async def ticket_state(request: Request, ticket_id: str) -> JSONResponse:
    """What the ticket page polls: the reload key and the figures shown while waiting."""
    view, _moved = await _follow(request, ticket_id)
    if view is None:
        return JSONResponse({"error": {"code": "unknown_ticket"}}, 404, headers=HEADERS)
    body = {"key": _key(view), "status": view["status"], "texts": _texts(view, lang_of(request))}
    return JSONResponse(body, headers=HEADERS)
