"""投诉建议: citizens lodge a complaint and follow it up on the public page (no token).

Every citizen page links here (the header's 投诉建议), so the QR code on each ticket and
notice leads to it. ``GET /complaint`` shows the form and the follow-up lookup; ``POST
/complaint`` lodges (channel ``web``, taken by ``public``) and shows the receipt: the
complaint number, the follow key (128 random bits, kept only as its SHA-256) and the due
day, with a link ``/complaint?id=…&k=…`` to come back. ``POST /complaint/follow`` (and
the GET with ``id`` and ``k``) shows the status and, once answered, the reply and three
large buttons for the citizen's satisfaction — never a staff name. Lodgings and failed
lookups are limited per address (hall/queue/supervision/complaint_limits.py); the form
body is capped here (:data:`FORM_MAX_BYTES`) and by the app's BodyLimit before that.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from hall.queue.core.domain import QueueError
from hall.queue.ratings import keys
from hall.queue.supervision import complaint_limits
from hall.queue.supervision.complaints import SATISFACTION
from hall.queue.tickets.sign_in_limits import TooManyAttempts
from hall.queue.web.api.complaints import ComplaintIn, check_subject, follow_up, lodge_as
from hall.queue.web.deps import daemon_of
from hall.queue.web.pages.citizen.render import Html, fill, lang_of, lines, other, page, t
from hall.queue.web.pins import client_address

router = APIRouter(include_in_schema=False)
#: A summary of 1000 characters, URL-encoded UTF-8 (9 bytes each), and the other fields.
FORM_MAX_BYTES = 12 * 1024
_ID = re.compile(r"^TS\d{12}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=12)
    return {k: v[0] for k, v in fields.items() if v}


def _lang(form: dict[str, str]) -> str:
    return "en" if form.get("lang") == "en" else "zh"


def _error(element_id: str, message: str) -> Html:
    return lines([fill("complaint_error", id=element_id, message=message)], end="\n")


def _forms(request: Request, lang: str, error: str = "", follow_error: str = "") -> Html:
    config = request.app.state.config
    options = [fill("window_option", value="", label=t(lang, "complaint_window_unknown"))]
    options += [
        fill("window_option", value=w.number, label=t(lang, "window_n", window=w.number))
        for w in config.windows
    ]
    return fill(
        "complaint_forms",
        title=t(lang, "complaint_title"),
        intro=t(lang, "complaint_intro", days=config.supervision.complaints.reply_days),
        error=_error("complaint-error", error) if error else Html(""),
        lang=lang,
        summary_label=t(lang, "complaint_summary"),
        window_label=t(lang, "complaint_window"),
        windows=lines(options),
        name_label=t(lang, "complaint_name"),
        phone_label=t(lang, "complaint_phone"),
        privacy=t(lang, "complaint_privacy"),
        send=t(lang, "complaint_send"),
        follow_title=t(lang, "complaint_follow_title"),
        follow_error=_error("follow-error", follow_error) if follow_error else Html(""),
        id_label=t(lang, "complaint_id"),
        key_label=t(lang, "complaint_key"),
        follow_send=t(lang, "complaint_follow_send"),
    )


def _page(request: Request, lang: str, body: Html, status: int = 200, switch: str = "") -> Any:
    switch = switch or f"/complaint?lang={other(lang)}"
    return page(
        request, lang, t(lang, "complaint_title"), body, switch_href=switch, status_code=status
    )


def _follow_href(cid: str, key: str, lang: str) -> str:
    return f"/complaint?id={quote(cid)}&k={quote(key, safe='')}&lang={lang}"


@router.get("/complaint")
async def complaint_page(request: Request, id: str = "", k: str = "") -> HTMLResponse:
    """投诉建议 (anyone): the forms; with ``id`` and ``k`` (the receipt's link) the follow-up."""
    lang = lang_of(request)
    if id or k:
        return await _followed(request, lang, id, k, None)
    return _page(request, lang, _forms(request, lang))


@router.post("/complaint")
async def lodge_page(request: Request) -> HTMLResponse:
    """A complaint lodged from the public page (limited per address): the receipt."""
    form = await _form(request)
    lang = _lang(form)
    window = form.get("window", "").strip()
    try:
        body = ComplaintIn(
            channel="web",
            summary=form.get("summary", "").strip(),
            contact={"name": form.get("name") or None, "phone": form.get("phone") or None},
            subject_window=int(window) if window.isdigit() else None,
        )
        check_subject(request.app.state.config, body.subject_window, None, None)
    except (ValidationError, QueueError):  # a window the hall does not have: 422 too
        return _page(request, lang, _forms(request, lang, t(lang, "complaint_bad_input")), 422)
    daemon = daemon_of(request)
    limit = complaint_limits.of(daemon)
    address = client_address(request)
    try:
        limit.check(address, daemon.clock())
    except TooManyAttempts as exc:
        answer = _page(request, lang, _forms(request, lang, t(lang, "complaint_too_many")), 429)
        answer.headers.update(exc.headers)
        return answer
    limit.hit(address, daemon.clock())  # counted before the write: a burst cannot overtake it
    receipt = await lodge_as(request, body, "public", keys.new_key())
    cid, key = receipt["id"], receipt["follow_key"]
    shown = fill(
        "complaint_receipt",
        title=t(lang, "complaint_title"),
        thanks=t(lang, "complaint_thanks"),
        id_label=t(lang, "complaint_id"),
        id=cid,
        key_label=t(lang, "complaint_key"),
        key=key,
        due_label=t(lang, "complaint_due"),
        due=receipt["due_on"],
        keep=t(lang, "complaint_keep"),
        follow_href=_follow_href(cid, key, lang),
        follow_label=t(lang, "complaint_follow_link"),
    )
    return _page(request, lang, shown, 201, switch=_follow_href(cid, key, other(lang)))


@router.post("/complaint/follow")
async def follow_page(request: Request) -> HTMLResponse:
    """The follow-up lookup (and the satisfaction buttons' answer)."""
    form = await _form(request)
    lang = _lang(form)
    chosen = form.get("satisfaction")
    return await _followed(
        request,
        lang,
        form.get("id", ""),
        form.get("k", ""),
        chosen if chosen in SATISFACTION else None,
    )


async def _followed(
    request: Request, lang: str, cid: str, key: str, satisfaction: str | None
) -> HTMLResponse:
    cid, key = cid.strip().upper(), key.strip()
    if not _ID.match(cid) or not _KEY.match(key):
        return _page(
            request, lang, _forms(request, lang, follow_error=t(lang, "complaint_not_found")), 404
        )
    limit = complaint_limits.of(daemon_of(request))
    message = ""
    try:
        view = await follow_up(request, cid, key, satisfaction, limit)
    except TooManyAttempts as exc:
        body = _forms(request, lang, follow_error=t(lang, "complaint_too_many"))
        answer = _page(request, lang, body, 429)
        answer.headers.update(exc.headers)
        return answer
    except QueueError as exc:
        if exc.status == 409:  # rated already (another tab): show it as it is
            view, message = await follow_up(request, cid, key, None, limit), "complaint_cannot_rate"
        elif exc.status == 404:
            body = _forms(request, lang, follow_error=t(lang, "complaint_not_found"))
            return _page(request, lang, body, 404)
        else:
            raise
    return _page(
        request, lang, _view(lang, view, key, message), switch=_follow_href(cid, key, other(lang))
    )


def _view(lang: str, view: dict[str, Any], key: str, message: str) -> Html:
    rows = [
        (t(lang, "complaint_id"), "complaint-id", view["id"]),
        (t(lang, "complaint_received"), "complaint-received", view["received_on"]),
        (t(lang, "complaint_due"), "complaint-due", view["due_on"]),
        (
            t(lang, "complaint_status"),
            "complaint-status-label",
            t(lang, f"complaint_status_{view['status']}"),
        ),
    ]
    if view["reply"] is not None:
        rows.append((t(lang, "complaint_replied_on"), "complaint-replied-on", view["replied_on"]))
        rows.append((t(lang, "complaint_reply"), "complaint-reply", view["reply"]))
    if view["satisfaction"]:
        rows.append(
            (
                t(lang, "complaint_rated"),
                "complaint-rated",
                t(lang, f"complaint_{view['satisfaction']}"),
            )
        )
    notes = []
    if message:
        notes.append(_error("complaint-message", t(lang, message)))
    if view["overdue"]:
        notes.append(_error("complaint-overdue", t(lang, "complaint_overdue")))
    rate = Html("")
    if view["can_rate"]:
        choices = lines(
            fill("complaint_choice", value=v, label=t(lang, f"complaint_{v}")) for v in SATISFACTION
        )
        rate = fill(
            "complaint_rate",
            lang=lang,
            id=view["id"],
            key=key,
            heading=t(lang, "complaint_rate_heading"),
            choices=choices,
        )
    return fill(
        "complaint_view",
        title=t(lang, "complaint_follow_title"),
        message=Html("".join(notes)),
        rows=lines(fill("complaint_row", label=a, id=i, value=v) for a, i, v in rows),
        rate=rate,
        again=f"/complaint?lang={lang}",
        again_label=t(lang, "complaint_title"),
    )
