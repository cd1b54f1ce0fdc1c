"""The citizen's pages behind the printed QR codes: no token, no external assets.

* ``GET /t/{ticket_id}`` — the ticket page (号票, ticket.py): number, service,
  status, people ahead and estimated wait while waiting, the window when
  called, and once the case is finished the 好差评 form, but only when the
  page was opened with the ticket's rating key (``?k=``, printed in the QR code
  with the id; hall/queue/ratings/keys.py): staff see ticket ids everywhere,
  so the id alone shows the progress and never lets one rate. The page polls ``/t/{ticket_id}/state`` every few seconds and reloads
  itself when the status or window changes. A transferred ticket (转移) is
  followed to the ticket now in line (same number, another service).
* ``GET /progress?receipt=`` and ``POST /progress`` — 办件查询 (progress.py):
  the receipt (prefilled from the notice's QR code) and the applicant's ID
  number, sent as a form POST so the ID number never appears in a URL. It is
  compared with the case's keyed fingerprint and is never stored, logged or
  shown again. A wrong pair and an unknown receipt get the same answer, and
  failed lookups are limited per receipt and per client address, in the store
  and together with the kiosk's (hall/queue/cases/progress_limits.py). A finished case shows the rating
  form only with the rating key of the notice's QR code (``&k=``).
* ``GET /complaint``, ``POST /complaint``, ``POST /complaint/follow`` — 投诉建议
  (complaint.py): lodge a complaint, get a receipt with a follow key, follow it up and
  rate the answer; linked from every page's header; limited per address.
* ``GET /public`` — 服务公开 (public.py): announcements in force, today's and this
  month's 满意率 and 办结率, 差评 cases closed (masked); no token, cacheable.

Pages are rendered on the server (render.py), in Chinese by default
(``?lang=en`` for English), from ``citizen_page/`` (templates, strings, script,
style); the script only keeps a waiting ticket current and posts the rating.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from hall.queue.core.domain import QueueError
from hall.queue.web.pages.citizen import complaint, progress, public, ticket
from hall.queue.web.pages.citizen.render import PAGE_DIR

ASSETS = {"citizen.js": "text/javascript", "citizen.css": "text/css"}
router = APIRouter(include_in_schema=False)  # pages for people, not API
router.include_router(ticket.router)
router.include_router(progress.router)
router.include_router(public.router)  # /public: the same style, no token
router.include_router(complaint.router)  # /complaint: 投诉建议, linked from every page


@router.get("/citizen/{name}")
async def citizen_asset(name: str) -> FileResponse:
    """The pages' script and style."""
    if name not in ASSETS:
        raise QueueError(404, "not_found", "文件不存在", "file not found")
    return FileResponse(
        PAGE_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
    )
