"""The citizen's pages behind the printed QR codes: no token, no external assets.

* ``GET /t/{ticket_id}`` — the ticket page (号票): number, service, status,
  people ahead and estimated wait while waiting, the window when called, and
  once the case is finished the 好差评 form. The ticket id is a random 128-bit
  value printed only in the ticket's QR code: holding it is the proof of
  holding the ticket, so the page carries the online-rating signature for it.
  The page polls ``/t/{ticket_id}/state`` every few seconds and reloads itself
  when the status or window changes. A transferred ticket (转移) is followed
  to the ticket now in line (same number, another service).
* ``GET /progress?receipt=`` and ``POST /progress`` — 办件查询: the receipt
  (prefilled from the notice's QR code) and the applicant's ID number, sent as
  a form POST so the ID number never appears in a URL. It is compared with
  the case's keyed fingerprint and is never stored, logged or shown again.
  A wrong pair and an unknown receipt get the same answer, and failed lookups
  are limited per receipt and per client address (:class:`FailureLimit`).
  A finished case shows the rating form, signed once the ID matched.

Pages are rendered on the server, in Chinese by default (``?lang=en`` for
English), from ``citizen_page/`` (template, strings, script, style); the
script only keeps a waiting ticket current and posts the rating.
"""

from __future__ import annotations

import collections
import html
import json
import re
import string
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy import select

from hall.idnumber import IdNumberError, validate_id_number
from hall.queue.cases.submissions import LABELS, SubmissionStatus
from hall.queue.core.domain import QueueError, TicketStatus
from hall.queue.core.schema import tickets_table
from hall.queue.ratings import ledger, ratings
from hall.queue.web.api.submissions import lookup_progress
from hall.queue.web.routes import _svc
from hall.waits import view_minutes

router = APIRouter(include_in_schema=False)  # pages for people, not API
PAGE_DIR = Path(__file__).parent / "citizen_page"
ASSETS = {"citizen.js": "text/javascript", "citizen.css": "text/css"}
LANGS = ("zh", "en")
RATE_URL = "/api/v1/evaluations/online"
POLL_S = 5
#: Statuses after which a ticket page stops following (a no-show may be put back in line).
FINAL = (TicketStatus.FINISHED, TicketStatus.CANCELLED)
MAX_HOPS = 5  # transfers followed from the printed ticket
TICKET_ID = re.compile(r"^[0-9a-f]{32}$")
RECEIPT = re.compile(r"^[A-Z0-9-]{6,32}$")
FORM_MAX_BYTES = 2048
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # a ticket's state changes; a case's page is personal
}


def _load_strings(path: Path) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lang in LANGS:
        if set(data[lang]) != set(data["zh"]):
            diff = sorted(set(data[lang]) ^ set(data["zh"]))
            raise ValueError(f"{path}: {lang} and zh differ in {', '.join(diff)}")
    return data


STRINGS = _load_strings(PAGE_DIR / "strings.yaml")
TEMPLATE = string.Template((PAGE_DIR / "page.html").read_text(encoding="utf-8"))
#: Reason tags for 差评, as stored in the ledger (the zh words, whatever the page's language).
REASON_TAGS = tuple(STRINGS["zh"]["reason_tags"].split("|"))
e = html.escape


def t(lang: str, key: str, **values: object) -> str:
    """A page string in ``lang``, formatted."""
    return STRINGS[lang][key].format(**values)


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _json_for_html(data: dict[str, Any]) -> str:
    # Inside <script type="application/json">: no "</script>" can close it early.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(
    request: Request,
    lang: str,
    title: str,
    body: str,
    *,
    switch_href: str,
    data: dict[str, Any] | None = None,
    status_code: int = 200,
    head: str = "",
) -> HTMLResponse:
    hall = request.app.state.config.hall
    page = TEMPLATE.substitute(
        lang_tag="zh-CN" if lang == "zh" else "en",
        title=e(title),
        head=head,
        hall=e(hall.name_en or hall.name if lang == "en" else hall.name),
        switch_href=e(switch_href),
        switch_label=e(t(lang, "lang_switch")),
        body=body,
        data=_json_for_html({"lang": lang, **(data or {})}),
    )
    return HTMLResponse(page, status_code=status_code, headers=HEADERS)


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


# -- 好差评 form (ticket page and finished cases) ---------------------------------------
def rating_form(lang: str, who: str = "") -> str:
    """The five levels as large buttons; reasons and a comment for levels 1-2.

    ``who`` names the window and clerk being rated (shown under the heading).
    """
    levels = "\n".join(
        f'    <button type="button" class="level" id="level-{n}" data-level="{n}">'
        f"{e(t(lang, f'level_{n}'))}</button>"
        for n in (5, 4, 3, 2, 1)
    )
    shown = t(lang, "reason_tags").split("|")
    tags = "\n".join(
        f'      <label><input type="checkbox" name="tag" value="{e(value)}"> {e(label)}</label>'
        for value, label in zip(REASON_TAGS, shown, strict=True)
    )
    return f"""<section id="rating">
  <h2>{e(t(lang, "rate_heading"))}</h2>
{f'  <p class="who" id="rated-who">{e(who)}</p>' + chr(10) if who else ""}  <p class="note">{e(t(lang, "rate_hint"))}</p>
  <div class="levels">
{levels}
  </div>
  <div id="reasons" hidden>
    <p><b>{e(t(lang, "reasons_heading"))}</b></p>
    <div class="tags">
{tags}
    </div>
    <label class="field" for="comment">{e(t(lang, "comment_label"))}</label>
    <textarea id="comment" maxlength="500"></textarea>
    <button type="button" class="send" id="send">{e(t(lang, "send"))}</button>
  </div>
  <p class="result" id="rating-result" role="status" aria-live="polite"></p>
</section>"""


def _rated_note(lang: str) -> str:
    return f'<section><p class="result" id="rated">{e(t(lang, "already_rated"))}</p></section>'


def _rating_data(request: Request, lang: str, rate: dict[str, str]) -> dict[str, Any]:
    keys = ("sending", "thanks", "already_rated", "rate_failed", "offline")
    strings = {k: t(lang, k) for k in keys}
    # After a 差评 the hall contacts the citizen (核实) within the configured working days.
    days = request.app.state.config.rectification.contact_days
    strings["thanks_bad"] = t(lang, "thanks_bad", days=days)
    return {"rate": rate, "rate_url": RATE_URL, "strings": strings}


# -- the ticket page ----------------------------------------------------------------------
async def _follow(request: Request, ticket_id: str) -> tuple[dict[str, Any] | None, bool]:
    """The ticket behind a printed id, following transfers; and whether it was moved."""
    if not TICKET_ID.match(ticket_id):
        return None, False
    svc = _svc(request)
    view = await svc.ticket(ticket_id)
    moved = False
    for _ in range(MAX_HOPS):
        if view is None or view["status"] != TicketStatus.TRANSFERRED:
            break
        target = view.get("transferred_to")
        nxt = await svc.ticket(target) if target else None
        if nxt is None:
            break
        view, moved = nxt, True
    if view is not None and view["status"] == TicketStatus.FINISHED:
        subject = f"ticket:{view['id']}"
        ticket_id = view["id"]

        def op(tx: Any) -> tuple[bool, str | None]:
            rated = ledger.by_subject(tx.conn, "rating", subject) is not None
            clerk = tx.conn.execute(
                select(tickets_table.c.staff_id).where(tickets_table.c.id == ticket_id)
            ).scalar()
            return rated, clerk

        view["rated"], view["clerk_id"] = await svc.read(op)
    return view, moved


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
    svc = request.app.state.config.service(code)
    if svc is None:
        return code
    return svc.name_en if lang == "en" else svc.name_zh


def _ticket_body(request: Request, view: dict[str, Any], moved: bool, lang: str) -> str:
    status = view["status"]
    service = _service_name(request, view["service"], lang)
    window = view["window"] if view["window"] is not None else "-"
    label = t(lang, f"status_{status}", window=window)
    parts = [
        '<section id="ticket">',
        f'  <p class="service" id="service">{e(service)}</p>',
        f'  <p class="number" id="number" aria-label="{e(t(lang, "ticket_number"))}">'
        f"{e(view['number'])}</p>",
        f'  <p class="status {e(status)}" id="status">{e(label)}</p>',
    ]
    if moved:
        parts.append(f'  <p class="note" id="moved">{e(t(lang, "moved", service=service))}</p>')
    if status == TicketStatus.WAITING:
        texts = _texts(view, lang)
        parts += [
            '  <div class="facts">',
            f'    <div><b id="ahead">{e(texts["ahead"])}</b><small>{e(t(lang, "ahead"))}</small></div>',
            f'    <div><b id="wait">{e(texts["wait"])}</b><small>{e(t(lang, "wait"))}</small></div>',
            "  </div>",
            f'  <p class="note">{e(t(lang, "waiting_note"))}</p>',
        ]
    elif status == TicketStatus.CALLED:
        parts.append(f'  <p class="note">{e(t(lang, "status_called_note"))}</p>')
    elif status == TicketStatus.NO_SHOW:
        parts.append(f'  <p class="note">{e(t(lang, "status_no_show_note"))}</p>')
    parts.append("</section>")
    if status == TicketStatus.FINISHED:
        who = _rated_who(request, view, lang)
        parts.append(_rated_note(lang) if view.get("rated") else rating_form(lang, who))
    return "\n".join(parts)


def _not_found_page(request: Request, lang: str, switch_href: str) -> HTMLResponse:
    body = (
        f'<section id="not-found"><h1>{e(t(lang, "unknown_ticket_title"))}</h1>'
        f"<p>{e(t(lang, 'unknown_ticket'))}</p></section>"
    )
    return _page(
        request,
        lang,
        t(lang, "unknown_ticket_title"),
        body,
        switch_href=switch_href,
        status_code=404,
    )


@router.get("/t/{ticket_id}")
async def ticket_page(request: Request, ticket_id: str) -> HTMLResponse:
    """The ticket page behind the printed ticket's QR code."""
    lang = _lang(request)
    switch = f"/t/{quote(ticket_id, safe='')}?lang={_other(lang)}"
    view, moved = await _follow(request, ticket_id)
    if view is None:
        return _not_found_page(request, lang, switch)
    data: dict[str, Any] = {"key": _key(view)}
    head = ""
    if view["status"] not in FINAL:
        data.update(poll=f"/t/{ticket_id}/state?lang={lang}", poll_s=POLL_S)
        # Without JavaScript the page still follows the ticket, more slowly.
        head = f'<noscript><meta http-equiv="refresh" content="{POLL_S * 4}"></noscript>\n'
    if view["status"] == TicketStatus.FINISHED and not view.get("rated"):
        subject = f"ticket:{view['id']}"
        sig = ratings.link_signature(_svc(request).ctx.id_key, subject)
        data.update(_rating_data(request, lang, {"ticket_id": view["id"], "sig": sig}))
    title = t(lang, "ticket_title", number=view["number"])
    body = _ticket_body(request, view, moved, lang)
    return _page(request, lang, title, body, switch_href=switch, data=data, head=head)


@router.get("/t/{ticket_id}/state")
async def ticket_state(request: Request, ticket_id: str) -> JSONResponse:
    """What the ticket page polls: the reload key and the figures shown while waiting."""
    view, _moved = await _follow(request, ticket_id)
    if view is None:
        return JSONResponse({"error": {"code": "unknown_ticket"}}, 404, headers=HEADERS)
    body = {"key": _key(view), "status": view["status"], "texts": _texts(view, _lang(request))}
    return JSONResponse(body, headers=HEADERS)


# -- 办件查询 -------------------------------------------------------------------------------
class FailureLimit:
    """Failed lookups per key (a receipt, a client address) within ``window_s`` seconds.

    Once a key has ``limit`` failures in the window it is refused until the
    oldest of them leaves the window. Kept in memory: a restart forgets it.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._seen: dict[str, collections.deque[float]] = {}

    def _recent(self, key: str, now: float) -> collections.deque[float] | None:
        times = self._seen.get(key)
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if times is not None and not times:
            del self._seen[key]
            return None
        return times

    def blocked(self, key: str, now: float | None = None) -> bool:
        """True while ``key`` has used up its failures."""
        times = self._recent(key, time.monotonic() if now is None else now)
        return times is not None and len(times) >= self.limit

    def failed(self, key: str, now: float | None = None) -> None:
        """Count one failure for ``key``."""
        now = time.monotonic() if now is None else now
        if len(self._seen) >= self.max_keys:
            for old in list(self._seen):  # forget what has left the window
                self._recent(old, now)
            while len(self._seen) >= self.max_keys:  # still full: forget the oldest keys
                del self._seen[next(iter(self._seen))]
        self._seen.setdefault(key, collections.deque()).append(now)


#: 5 wrong IDs for one receipt, or 20 failed lookups from one address, in 15 minutes.
RECEIPT_LIMIT = (5, 900.0)
CLIENT_LIMIT = (20, 900.0)


def _limits(request: Request) -> tuple[FailureLimit, FailureLimit]:
    state = request.app.state
    if not hasattr(state, "progress_limits"):
        state.progress_limits = (FailureLimit(*RECEIPT_LIMIT), FailureLimit(*CLIENT_LIMIT))
    return state.progress_limits


def _query_form(lang: str, receipt: str, message: str = "") -> str:
    error = (
        f'  <p class="error" id="query-error" role="alert">{e(message)}</p>\n' if message else ""
    )
    return f"""<section id="query">
  <h1>{e(t(lang, "progress_title"))}</h1>
  <p>{e(t(lang, "progress_intro"))}</p>
{error}  <form method="post" action="/progress" autocomplete="off">
    <input type="hidden" name="lang" value="{lang}">
    <label class="field" for="receipt">{e(t(lang, "receipt_label"))}</label>
    <input type="text" id="receipt" name="receipt" value="{e(receipt)}" maxlength="32"
           autocapitalize="characters" spellcheck="false" required>
    <label class="field" for="id_number">{e(t(lang, "id_label"))}</label>
    <input type="text" id="id_number" name="id_number" value="" maxlength="18"
           autocapitalize="characters" spellcheck="false" autocomplete="off" required>
    <p class="note">{e(t(lang, "id_privacy"))}</p>
    <input type="submit" id="query-submit" value="{e(t(lang, "query"))}">
  </form>
  <p class="note">{e(t(lang, "kiosk_alternative"))}</p>
</section>"""


def _progress_form_page(
    request: Request, lang: str, receipt: str, message: str = "", status_code: int = 200
) -> HTMLResponse:
    switch = f"/progress?receipt={quote(receipt, safe='')}&lang={_other(lang)}"
    body = _query_form(lang, receipt, message)
    return _page(
        request,
        lang,
        t(lang, "progress_title"),
        body,
        switch_href=switch,
        status_code=status_code,
    )


@router.get("/progress")
async def progress_page(request: Request, receipt: str = "") -> HTMLResponse:
    """办件查询: the form, with the receipt from the notice's QR code filled in."""
    return _progress_form_page(request, _lang(request), _clean_receipt(receipt)[:32])


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
    try:
        validate_id_number(number)
        ok = bool(RECEIPT.match(receipt))
    except IdNumberError:
        ok = False
    if not ok:  # a typing mistake: nothing was looked up
        return _progress_form_page(request, lang, receipt, t(lang, "query_bad_input"), 422)
    by_receipt, by_client = _limits(request)
    client = request.client.host if request.client else "?"
    if by_receipt.blocked(receipt) or by_client.blocked(client):
        return _progress_form_page(request, lang, receipt, t(lang, "query_too_many"), 429)
    try:
        case = await lookup_progress(request, receipt, number)
    except QueueError as exc:
        if exc.status != 404:
            raise
        by_receipt.failed(receipt)
        by_client.failed(client)
        return _progress_form_page(request, lang, receipt, t(lang, "query_not_found"), 404)
    return await _case_page(request, lang, case)


async def _case_page(request: Request, lang: str, case: dict[str, Any]) -> HTMLResponse:
    svc = _svc(request)
    status = SubmissionStatus(case["status"])
    label = LABELS[status][0 if lang == "zh" else 1]
    matter = svc.catalogue.get(case["matter"]) if svc.catalogue is not None else None
    matter_name = (matter.name if lang == "zh" else matter.name_en or matter.name) if matter else ""
    rows = [
        (t(lang, "receipt_label"), "case-receipt", case["receipt"]),
        (t(lang, "case_matter"), "case-matter", matter_name or case["matter"]),
        (t(lang, "case_status"), "case-status", label),
    ]
    if case.get("promised_date"):
        rows.append((t(lang, "case_promised"), "case-promised", case["promised_date"]))
    dl = "\n".join(f'    <dt>{e(k)}</dt><dd id="{i}">{e(v)}</dd>' for k, i, v in rows)
    parts = [
        '<section id="case">',
        f"  <h1>{e(t(lang, 'progress_title'))}</h1>",
        f"  <dl>\n{dl}\n  </dl>",
    ]
    if case.get("overdue"):
        parts.append(f'  <p class="error" id="case-overdue">{e(t(lang, "case_overdue"))}</p>')
    if status is SubmissionStatus.NEEDS_CORRECTION and case.get("missing"):
        items = "".join(f"<li>{e(m)}</li>" for m in case["missing"])
        parts.append(
            f'  <p><b>{e(t(lang, "case_missing"))}</b></p><ol id="case-missing">{items}</ol>'
        )
    history = "".join(
        f"<li>{e(h['label'][lang])}<small>{e((h['ts'] or '')[:10])} {e(h.get('note') or '')}</small></li>"
        for h in case.get("history", [])
    )
    parts.append(f'  <h2>{e(t(lang, "case_history"))}</h2><ol class="history">{history}</ol>')
    again = f"/progress?lang={lang}"
    parts.append(f'  <a class="again" href="{again}">{e(t(lang, "query_again"))}</a>')
    parts.append("</section>")
    data: dict[str, Any] = {}
    if status is SubmissionStatus.FINISHED:
        subject = f"submission:{case['id']}"
        rated = await svc.read(lambda tx: ledger.by_subject(tx.conn, "rating", subject) is not None)
        if rated:
            parts.append(_rated_note(lang))
        else:
            sig = ratings.link_signature(svc.ctx.id_key, subject)
            data.update(_rating_data(request, lang, {"submission_id": case["id"], "sig": sig}))
            parts.append(rating_form(lang))
    switch = f"/progress?receipt={quote(case['receipt'], safe='')}&lang={_other(lang)}"
    return _page(
        request, lang, t(lang, "progress_title"), "\n".join(parts), switch_href=switch, data=data
    )


@router.get("/citizen/{name}")
async def citizen_asset(name: str) -> FileResponse:
    """The pages' script and style."""
    if name not in ASSETS:
        raise QueueError(404, "not_found", "文件不存在", "file not found")
    return FileResponse(
        PAGE_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
    )
