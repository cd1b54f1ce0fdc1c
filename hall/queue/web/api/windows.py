"""HTTP routes of the windows (窗口) and the staff who open them, under /api/v1.

A staff member logs in at a window with id + PIN (the day's 签到) and gets a
session token; that token operates its own window only (checked inside each
operation's transaction); logging out is the 签退 of /attendance/checkout.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from hall.queue.core.domain import not_found
from hall.queue.web.api.attendance import checkout, pin_check_in
from hall.queue.web.auth import Principal, require
from hall.queue.web.deps import Body, Caller, WindowNumber, daemon_of, reader
from hall.words import CaseType, PauseReason

router = APIRouter(prefix="/api/v1")


class LoginBody(Body):
    """POST /staff/login: a staff member opens a window."""

    staff_id: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=4, max_length=12)
    window: int = Field(ge=1, le=999)


class TransferBody(Body):
    """POST /windows/{n}/transfer: send the current citizen to another service."""

    service: str = Field(min_length=1, max_length=32)


class FinishBody(Body):
    """POST /windows/{n}/finish: the case type of the finished case."""

    case_type: CaseType = Field(description="即办件, 承诺件, 联办件, 上报件 or 补正")


class RequeueBody(Body):
    """POST /windows/{n}/requeue: a no-show citizen came back."""

    number: str = Field(min_length=2, max_length=8, description="ticket number, e.g. A001")


@router.post("/staff/login", tags=["staff"])
async def staff_login(request: Request, body: LoginBody) -> dict[str, Any]:
    """Staff id + PIN at a window → a staff token for that window."""
    return await pin_check_in(request, body.staff_id, body.pin, body.window)


# Logging out is checking out (签退): one operation behind both URLs.
router.add_api_route(
    "/staff/logout",
    checkout,
    methods=["POST"],
    tags=["staff"],
    name="staff_logout",
    description="End this staff session and close its window.",
)


@router.get("/windows", tags=["windows"])
async def list_windows(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Every window: state, area, current ticket (number, service, kind, called_at).

    Any role may call it. Least data: who sits at a window (``staff_id``), the id of
    the ticket served there (``ticket_id``, which opens the citizen's page) and
    ``done_today`` (cases finished there this business day) are shown to a manager
    for every window, to a staff session for its own window only (the caller panel
    reads its current ticket by that id), to kiosks and displays never. Who serves
    at a window in public (亮证上岗) is its ``clerk``: name, badge, title, for every role;
    a closed window's ``opens_at`` is the hall's next opening while the hall is shut.
    """
    session = await reader(request, p)
    numbers = {w.number for w in request.app.state.config.windows}
    own = numbers if p.role == "manager" else {session.window} if session else set()
    found = await daemon_of(request).windows(own)
    for view in found:
        if view["number"] not in own:
            del view["staff_id"], view["ticket_id"]
    return found


@router.get("/windows/{number}/photo", tags=["windows"])
async def clerk_photo(request: Request, number: WindowNumber, p: Caller) -> Response:
    """The photo of the clerk signed in at this window (亮证上岗), JPEG or PNG.

    Display, staff and manager may call it (the lobby and the caller panel show
    it); kiosks are refused (403). 404 when nobody is signed in there or the
    clerk has no photo that could be read at start.
    """
    require(p, "display", "staff")
    await reader(request, p)
    daemon = daemon_of(request)
    if request.app.state.config.window(number) is None:
        raise not_found(f"{number}号窗口", f"window {number}", code="unknown_window")
    view = next(w for w in await daemon.windows() if w["number"] == number)
    photo = daemon.photos.get(view["staff_id"]) if view["staff_id"] else None
    if photo is None:
        raise not_found(f"{number}号窗口工作人员的照片", f"a photo of window {number}'s clerk")
    return Response(photo.data, media_type=photo.media_type, headers={"Cache-Control": "no-store"})


@router.get("/windows/{number}/queue", tags=["windows"])
async def window_queue(request: Request, number: WindowNumber, p: Caller) -> list[dict[str, Any]]:
    """Waiting tickets for a window in calling order."""
    await reader(request, p)
    if request.app.state.config.window(number) is None:
        raise not_found(f"{number}号窗口", f"window {number}", code="unknown_window")
    return await daemon_of(request).window_queue(number)


async def _op(request: Request, p: Principal, name: str, number: int, **kw: Any) -> Any:
    require(p, "staff")
    return await daemon_of(request).window_op(name, p.actor(), number, **kw)


@router.post("/windows/{number}/call", tags=["windows"])
async def call(request: Request, number: WindowNumber, p: Caller) -> dict[str, Any]:
    """叫号: call the next ticket for this window."""
    return await _op(request, p, "call_next", number)


@router.post("/windows/{number}/recall", tags=["windows"])
async def recall(request: Request, number: WindowNumber, p: Caller) -> dict[str, Any]:
    """重呼: announce the current ticket again."""
    return await _op(request, p, "recall", number)


@router.post("/windows/{number}/start", tags=["windows"])
async def start(request: Request, number: WindowNumber, p: Caller) -> dict[str, Any]:
    """The called citizen is at the window: serving starts."""
    return await _op(request, p, "start", number)


@router.post("/windows/{number}/no-show", tags=["windows"])
async def no_show(request: Request, number: WindowNumber, p: Caller) -> dict[str, Any]:
    """过号: the called citizen did not come."""
    return await _op(request, p, "no_show", number)


@router.post("/windows/{number}/requeue", tags=["windows"])
async def requeue(
    request: Request, number: WindowNumber, body: RequeueBody, p: Caller
) -> dict[str, Any]:
    """Put a returning no-show back in line."""
    return await _op(request, p, "requeue", number, ticket_number=body.number)


@router.post("/windows/{number}/transfer", tags=["windows"])
async def transfer(
    request: Request, number: WindowNumber, body: TransferBody, p: Caller
) -> dict[str, Any]:
    """转移: send the current citizen to another service, keeping the issue time."""
    return await _op(request, p, "transfer", number, service=body.service)


class PauseBody(Body):
    """POST /windows/{n}/pause: why the window pauses (离岗原因)."""

    reason: PauseReason = Field(
        description="lunch_relief 午间轮换, consultation 咨询, toilet 如厕, meeting 会议, other 其他"
    )
    note: str = Field("", max_length=200, description="a word more (managers see it)")


@router.post("/windows/{number}/pause", tags=["windows"])
async def pause(
    request: Request, number: WindowNumber, p: Caller, body: PauseBody | None = None
) -> dict[str, Any]:
    """暂停服务 with its reason; recorded until resume or close (staff of the window, managers).

    Without a body the reason is ``other`` (clients from before pause reasons).
    """
    reason = body.reason if body else PauseReason.OTHER
    note = body.note.strip() if body else ""
    return await _op(request, p, "pause", number, reason=reason, note=note)


@router.post("/windows/{number}/resume", tags=["windows"])
async def resume(request: Request, number: WindowNumber, p: Caller) -> dict[str, Any]:
    """恢复服务."""
    return await _op(request, p, "resume", number)


@router.post("/windows/{number}/finish", tags=["windows"])
async def finish(
    request: Request, number: WindowNumber, body: FinishBody, p: Caller
) -> dict[str, Any]:
    """办结 with the case type."""
    return await _op(request, p, "finish", number, case_type=body.case_type)
