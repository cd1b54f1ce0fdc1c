"""HTTP routes of a case's notices: as JSON (for the caller panel's printer) and as an A4 page.

Who may call them (docs/SECURITY.md): the staff who may read the case (its
department's, hall/queue/cases/case_rules.py ``check_read``) and managers;
kiosk and display tokens get 403. A notice holds the applicant's name, so each
one served is recorded as a personal-data read (``case.notice.<kind>``); its ID
number is always masked. A notice that does not apply to the case as it stands
is 409 (hall/queue/cases/notices.py).

The QR code is the plain 办件查询 link (``kiosk.progress_url``); with ``?k=`` the
case's rating key (the ``rating_key`` of the POST /cases answer, checked against
its stored digest, 403 if wrong) it is the case's follow link with the key, as on
the notice printed when the case was opened.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from hall.queue.cases import case_rules, case_views, personal_data, register
from hall.queue.cases.notice_parts import HallInfo, Notice
from hall.queue.cases.notices import build_notice
from hall.queue.ratings import keys
from hall.queue.web.api.cases import who_of
from hall.queue.web.deps import Caller, daemon_of
from hall.queue.web.pages import case_notice
from hall.queue.web.pins import client_address

router = APIRouter(prefix="/api/v1", tags=["cases"])
Receipt = Annotated[str, PathParam(min_length=6, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]
Kind = Literal["promise", "correction", "extension", "refusal", "pickup"]
RatingKey = Annotated[
    str | None,
    Query(
        min_length=16,
        max_length=keys.MAX_KEY_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the case's rating key: the QR code then carries it (办件查询 + 评价)",
    ),
]


def _hall_info(request: Request, matter: str) -> HallInfo:
    """The hall as the notice names it; phones from the matter's catalogue entry."""
    daemon = daemon_of(request)
    found = daemon.catalogue.get(matter) if daemon.catalogue is not None else None
    phones = {}
    if found is not None:
        phones = {"phone": found.consult_phone, "complaint_phone": found.complaint_phone}
    return HallInfo.from_config(daemon.ctx.config, **phones)


def _keyed(template: str, receipt: str, key: str) -> str:
    """The follow link: 办件查询 of this receipt with the rating key as ``k``."""
    url = template.format(receipt=quote(receipt))
    return f"{url}{'&' if '?' in url else '?'}k={key}"


def _holds(tx: Any, row: Any, key: str) -> bool:
    """True if ``key`` is the case's rating key (a kiosk case's is its submission's)."""
    subjects = [f"case:{row.receipt}"]
    if row.submission_id:
        subjects.append(f"submission:{row.submission_id}")
    return any([keys.holds(tx.conn, s, key) for s in subjects])  # every one compared


async def _notice(request: Request, receipt: str, kind: str, p: Any, key: str | None) -> Notice:
    daemon = daemon_of(request)
    ctx, catalogue = daemon.ctx, daemon.catalogue

    def op(tx: Any) -> Notice:
        who = who_of(ctx, tx, p)
        row = register.get_row(tx, receipt)
        co = register.involved(tx, row)  # a 联办件's co-departments read it too
        case_rules.check_read(ctx.config, catalogue, who, row.department, row.matter, co)
        if key is not None and not _holds(tx, row, key):
            raise keys.refused()
        # The applicant's name in full for those who may read it; the notice masks the ID.
        full = case_rules.full_view(ctx.config, catalogue, who, row.department, row.matter)
        actor = f"staff:{who.staff_id}" if who.role == "staff" else who.actor
        reader = personal_data.Reader(actor, who.window, client_address(request))
        case_id = row.submission_id or row.receipt
        personal_data.record(tx, reader, case_id, f"case.notice.{kind}", full)
        today = ctx.local_date(tx.now)
        view = case_views.view(tx, row, today, daemon.keyring, full, ctx=ctx, catalogue=catalogue)
        if key is not None:
            view["follow_url"] = _keyed(ctx.config.kiosk.progress_url, row.receipt, key)
        # Built here: a notice that does not apply (409) undoes the recorded read.
        return build_notice(kind, view, _hall_info(request, row.matter))

    return await daemon.run(op)


# The page's route comes first: "/notices/{kind}" would take "promise.html" as a kind.
# Its errors are JSON like every route's: only the 200 is declared as HTML.
@router.get(
    "/cases/{receipt}/notices/{kind}.html",
    responses={200: {"description": "the A4 page", "content": {"text/html": {}}}},
)
async def notice_page(
    request: Request, receipt: Receipt, kind: Kind, p: Caller, k: RatingKey = None
) -> HTMLResponse:
    """The notice as one A4 page to print (staff who may read the case; managers).

    Self-contained (inline CSS, QR as SVG, its own Content-Security-Policy);
    409 when the notice does not apply to the case.
    """
    notice = await _notice(request, receipt, kind, p, k)
    return HTMLResponse(case_notice.a4_html(notice), headers=case_notice.HEADERS)


@router.get("/cases/{receipt}/notices/{kind}")
async def notice_json(
    request: Request, receipt: Receipt, kind: Kind, p: Caller, k: RatingKey = None
) -> dict[str, Any]:
    """The notice as JSON (staff who may read the case; managers).

    Title, rows, paragraphs, QR payload, footer, to print on the window's printer
    (``hall.drivers.printer.print_notice``); 409 when the notice does not apply.
    """
    return (await _notice(request, receipt, kind, p, k)).as_dict()
