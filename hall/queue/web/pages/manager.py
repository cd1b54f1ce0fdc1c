"""The manager's page: static files from ``manager_page/``; the page signs the manager in.

A manager signs in with id + PIN (``manager_login.js``, POST /api/v1/manager/login);
the shared manager token is a bootstrap behind a link.

Everything it shows comes from the manager API (hall/queue/web/api/manager.py).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from hall.queue.core.domain import not_found

router = APIRouter(tags=["manager"])
PAGE_DIR = Path(__file__).parent / "manager_page"
ASSETS = {
    "manager.js",
    "manager_forms.js",
    "manager_signin.js",
    "manager_login.js",
    "manager_reads.js",
    "manager_terminals.js",
    "manager_vacancy.js",
    "manager_cases.js",
    "manager_announce.js",
    "manager_assess.js",
    "manager_leave.js",
    "manager_complaints.js",
    "manager_help.js",  # 帮办代办 (issue 16)
    "manager_enquiries.js",  # 首问登记 (issue 16)
    "manager_reports.js",
    "manager.css",
}


@router.get("/manager", include_in_schema=False)
async def manager_page() -> FileResponse:
    """The manager's page (static; it signs in with id + PIN, or the bootstrap token)."""
    return FileResponse(PAGE_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/manager/{name}", include_in_schema=False)
async def manager_asset(name: str) -> FileResponse:
    """The page's script and style."""
    path = PAGE_DIR / name
    if name not in ASSETS or not path.is_file():
        raise not_found("文件", "file")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})
