"""办件查询: a self-service case's progress, behind the notice's QR code.

``GET /progress?receipt=`` shows the form with the receipt filled in; the
applicant's ID number is sent as a form POST so it never appears in a URL. It
is compared with the case's keyed fingerprint and is never stored, logged or
shown again. A wrong pair and an unknown receipt get the same answer, and
failed lookups are limited, in the store and together with the kiosk's
(hall/queue/cases/progress_limits.py). A finished case shows the rating
form only when the page came from the notice's QR code with the case's rating
key (``/progress?receipt=…&k=<key>``, carried through the form as a hidden
field and checked against the case; :mod:`hall.queue.ratings.keys`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hall.idnumber import IdNumberError, validate_id_number
from hall.queue.cases.submissions import LABELS, SubmissionStatus
from hall.queue.core.domain import QueueError
from hall.queue.ratings import keys, ledger
from hall.queue.tickets.sign_in_limits import TooManyAttempts
from hall.queue.web.api.submissions import lookup_progress
from hall.queue.web.deps import daemon_of
from hall.queue.web.pages.citizen.render import (
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

router = APIRouter(include_in_schema=False)
RECEIPT = re.compile(r"^[A-Z0-9-]{6,32}$")
FORM_MAX_BYTES = 2048


def _query_form(lang: str, receipt: str, message: str = "", key: str | None = None) -> Html:
    return fill(
        "query",
        title=t(lang, "progress_title"),
        intro=t(lang, "progress_intro"),
        error=lines([fill("query_error", message=message)], end="\n") if message else Html(""),
        lang=lang,
        key_field=lines([fill("key_field", key=key)], end="\n") if key else Html(""),
        receipt_label=t(lang, "receipt_label"),
        receipt=receipt,
        id_label=t(lang, "id_label"),
        id_privacy=t(lang, "id_privacy"),
        query=t(lang, "query"),
        kiosk_alternative=t(lang, "kiosk_alternative"),
    )


def _switch(receipt: str, lang: str, key: str | None) -> str:
    """The other language's page, with the rating key when there is one."""
    more = f"&k={quote(key, safe='')}" if key else ""
    return f"/progress?receipt={quote(receipt, safe='')}&lang={other(lang)}{more}"


def _progress_form_page(
    request: Request,
    lang: str,
    receipt: str,
    message: str = "",
    status_code: int = 200,
    key: str | None = None,
) -> HTMLResponse:
    switch = _switch(receipt, lang, key)
    body = _query_form(lang, receipt, message, key)
    title = t(lang, "progress_title")
    return page(request, lang, title, body, switch_href=switch, status_code=status_code)


@router.get("/progress")
async def progress_page(request: Request, receipt: str = "") -> HTMLResponse:
    """办件查询 (anyone): the form, with the receipt (and rating key) from the notice's QR code."""
    lang, key = lang_of(request), rating_key_of(request)
    return _progress_form_page(request, lang, _clean_receipt(receipt)[:32], key=key)


def _clean_receipt(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items() if v}


@router.post("/progress")
async def progress_lookup_page(request: Request) -> HTMLResponse:
    """办件查询 answered: the case's state, or the same refusal for any wrong pair."""
    form = await _form(request)
    lang = "en" if form.get("lang") == "en" else "zh"
    receipt = _clean_receipt(form.get("receipt", ""))[:32]
    number = form.get("id_number", "").strip().upper()
    key = rating_key_of(request, form.get("k", ""))
    try:
        validate_id_number(number)
        ok = bool(RECEIPT.match(receipt))
    except IdNumberError:
        ok = False
    if not ok:  # a typing mistake: nothing was looked up
        return _progress_form_page(request, lang, receipt, t(lang, "query_bad_input"), 422, key)
    try:  # failures counted in the store, shared with the kiosk's lookups
        case = await lookup_progress(request, receipt, number)
    except TooManyAttempts as exc:
        page = _progress_form_page(request, lang, receipt, t(lang, "query_too_many"), 429, key)
        page.headers.update(exc.headers)
        return page
    except QueueError as exc:
        if exc.status == 410:  # case_archived: its personal data is gone (retention)
            return _progress_form_page(request, lang, receipt, t(lang, "query_archived"), 410, key)
        if exc.status != 404:
            raise
        return _progress_form_page(request, lang, receipt, t(lang, "query_not_found"), 404, key)
    return await _case_page(request, lang, case, key)


def _clock_text(lang: str, clock: dict[str, Any] | None) -> str:
    """The 限时办结 clock in words: days used and left, or why and since when it stopped."""
    if not clock or clock.get("used") is None:
        return ""
    if clock["state"] in ("waiting", "suspended"):
        return t(lang, "clock_stopped", why=clock["why"][lang], since=clock["since"])
    if clock["state"] == "finished":
        return t(lang, "clock_finished", used=clock["used"], limit=clock["limit"])
    if clock["left"] < 0:
        return t(
            lang, "clock_overdue", used=clock["used"], over=-clock["left"], limit=clock["limit"]
        )
    return t(lang, "clock_running", used=clock["used"], left=clock["left"], limit=clock["limit"])


def _case_body(lang: str, case: dict[str, Any], matter_name: str) -> Html:
    status = SubmissionStatus(case["status"])
    rows = [
        (t(lang, "receipt_label"), "case-receipt", case["receipt"]),
        (t(lang, "case_matter"), "case-matter", matter_name or case["matter"]),
        (t(lang, "case_status"), "case-status", LABELS[status][0 if lang == "zh" else 1]),
    ]
    if case.get("case_status_label"):  # the register's own words (待领取, 暂停计时 …)
        rows[2] = (t(lang, "case_status"), "case-status", case["case_status_label"][lang])
    if case.get("promised_date"):
        rows.append((t(lang, "case_promised"), "case-promised", case["promised_date"]))
    clock = _clock_text(lang, case.get("clock"))
    if clock:
        rows.append((t(lang, "case_clock"), "case-clock", clock))
    more = []
    if case.get("overdue"):
        more.append(fill("overdue", text=t(lang, "case_overdue")))
    if status is SubmissionStatus.NEEDS_CORRECTION and case.get("missing"):
        items = Html("".join(fill("missing_item", text=m) for m in case["missing"]))
        more.append(fill("missing", heading=t(lang, "case_missing"), items=items))
    history = (
        fill(
            "history_item",
            label=h["label"][lang],
            day=(h["ts"] or "")[:10],
            note=h.get("note") or "",
        )
        for h in case.get("history", [])
    )
    return fill(
        "case",
        title=t(lang, "progress_title"),
        rows=lines(fill("case_row", label=k, id=i, value=v) for k, i, v in rows),
        more=lines(more, end="\n"),
        history_heading=t(lang, "case_history"),
        history=Html("".join(history)),
        again=f"/progress?lang={lang}",
        again_label=t(lang, "query_again"),
    )


async def _case_page(
    request: Request, lang: str, case: dict[str, Any], key: str | None
) -> HTMLResponse:
    daemon = daemon_of(request)
    matter = daemon.catalogue.get(case["matter"]) if daemon.catalogue is not None else None
    matter_name = (matter.name if lang == "zh" else matter.name_en or matter.name) if matter else ""
    parts = [_case_body(lang, case, matter_name)]
    data: dict[str, Any] = {}
    if SubmissionStatus(case["status"]) is SubmissionStatus.FINISHED:
        subject = f"submission:{case['id']}"

        def op(tx: Any) -> tuple[bool, bool]:
            rated = ledger.by_subject(tx.conn, "rating", subject) is not None
            return rated, key is not None and keys.holds(tx.conn, subject, key)

        rated, key_ok = await daemon.read(op)
        if rated:
            parts.append(rated_note(lang))
        elif not key_ok:  # the receipt and ID show the case; rating needs the notice's key
            parts.append(rate_with_qr_note(lang))
        else:
            data.update(rating_data(request, lang, {"submission_id": case["id"], "key": key}))
            parts.append(rating_form(lang))
    switch = _switch(case["receipt"], lang, key)
    title = t(lang, "progress_title")
    return page(request, lang, title, lines(parts), switch_href=switch, data=data)
