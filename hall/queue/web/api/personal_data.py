"""Manager routes for personal data: the record of reads, and 办件查询 locks.

Managers only (a kiosk, display or staff token gets 403):

- ``GET /api/v1/personal-data/reads``: who viewed which case's applicant data
  (hall/queue/cases/personal_data.py);
- ``GET /api/v1/progress/locks`` and ``POST /api/v1/progress/unlock``: receipts
  and addresses locked after failed 办件查询 lookups, and their unlock, recorded
  with the manager's name (hall/queue/cases/progress_limits.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field, model_validator

from hall.queue.cases import personal_data, progress_limits
from hall.queue.web.auth import require
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1", tags=["manager"])


@router.get("/personal-data/reads")
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


class ProgressUnlockBody(Body):
    """POST /progress/unlock: end the lock of a receipt or of a client address."""

    kind: Literal["receipt", "address"] = Field(description="what is locked")
    subject: str = Field(
        min_length=1, max_length=64, description="the receipt, or the address as listed"
    )

    @model_validator(mode="after")
    def _printable(self) -> ProgressUnlockBody:
        if not self.subject.isprintable():
            raise ValueError("subject: printable characters only")
        return self


@router.get("/progress/locks")
async def progress_locks(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    """Receipts and addresses locked after failed 办件查询 lookups, newest first (manager only)."""
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return await daemon.read(lambda tx: progress_limits.recent_locks(tx, limit, tz))


@router.post("/progress/unlock")
async def progress_unlock(request: Request, body: ProgressUnlockBody, p: Caller) -> dict[str, Any]:
    """End the lock of a receipt or an address (manager only; recorded with the name).

    A kiosk's address is locked for every citizen at it: this lets a manager
    open it again before ``progress.lockout_s`` is over.
    """
    require(p)
    daemon = daemon_of(request)
    return await daemon.run(
        lambda tx: progress_limits.unlock(tx, body.kind, body.subject, f"manager:{p.name}")
    )
