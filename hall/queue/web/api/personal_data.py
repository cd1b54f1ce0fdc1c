"""Manager route for the record of reads of cases' personal data, under /api/v1/personal-data.

Managers only (a kiosk, display or staff token gets 403). Which reads are recorded
and who sees what: hall/queue/cases/personal_data.py and docs/SECURITY.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hall.queue.cases import personal_data
from hall.queue.web.auth import require
from hall.queue.web.deps import Caller, daemon_of

router = APIRouter(prefix="/api/v1/personal-data", tags=["manager"])


@router.get("/reads")
async def reads(
    request: Request,
    p: Caller,
    case: Annotated[
        str | None, Query(min_length=1, max_length=32, description="a submission id")
    ] = None,
    actor: Annotated[
        str | None,
        Query(min_length=1, max_length=80, description="staff:<id> or manager:<name>"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Reads of cases' applicant data by staff and managers, newest first (manager only).

    Each: when, who (``staff:<id>`` / ``manager:<name>``), which case (id and
    receipt), what view (``submission.detail`` or the action whose answer showed
    it), whether in full or masked, and the window or the client's address.
    """
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return await daemon.read(lambda tx: personal_data.reads(tx, case, actor, limit, tz))
