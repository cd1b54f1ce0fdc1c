"""The event stream: Server-Sent Events of state changes, under /api/v1/events.

Screens (caller panels, the lobby, LED and voice through the hub) follow the
hall with it; a client that reconnects resumes from its last event id.

Each role sees only its part of the hall (:func:`visible`, one table for all of
it): the lobby display and the kiosks get the calls and the waiting counts,
and who serves at each window (its public ``clerk``: name, 工号, title);
staff get the queue's events in full (tickets, windows without staff ids, help
requests, device states); every role gets the announcements (公示/通报, public); ratings and their comments, rectification cases,
submissions, attendance and face consent go to managers only. A staff
session's stream ends when the session does (logout, taken over, expired), and
so does a manager session's (logout, expired).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from hall.queue.core.events import SESSION_ENDED, Audience, sse_stream
from hall.queue.core.writer import Event
from hall.queue.tickets import badges
from hall.queue.web.deps import MAX_DB_INT, Caller, daemon_of, reader

router = APIRouter(prefix="/api/v1", tags=["events"])

#: What the lobby display and the kiosks see of a ticket and of a window.
PUBLIC_TICKET = ("number", "service", "status", "window", "called_at")
PUBLIC_WINDOW = ("number", "state", "ticket_number", "clerk")
#: Staff id → the public clerk (or None), as windows carry it to every role.
Clerks = Callable[[str | None], dict[str, Any] | None]
#: Event types everybody may see (in the public form for display and kiosk).
QUEUE_EVENTS = ("window.changed", "queue.reset", "reset")
#: Event types staff see besides the queue's (no personal data, no ratings).
#: ``case.changed`` (the register) carries a case's summary, no personal data.
STAFF_EXTRA = (
    "help.requested",
    "help.taken",  # 帮办代办: taken by a window (or a manager), no staff id
    "device.changed",
    "vacancy.alert",
    "vacancy.ended",
    "case.changed",
)
#: Announcements (公示/通报): public, for every role, without who published them.
PUBLIC_EVENTS = ("announcement.published", "announcement.withdrawn")


def _pick(d: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: d.get(k) for k in keys} if isinstance(d, dict) else {}


def _public(ev: Event) -> dict[str, Any]:
    """The calls and counts of a queue event, and nothing else."""
    data = ev.data
    if ev.type == "window.changed":
        return {"window": _pick(data.get("window"), PUBLIC_WINDOW)}
    if ev.type.startswith("ticket."):
        out: dict[str, Any] = {
            "ticket": _pick(data.get("ticket"), PUBLIC_TICKET),
            "waiting": data.get("waiting", {}),
        }
        if "window" in data:
            out["window"] = data["window"]
        if "to" in data:
            out["to"] = _pick(data["to"], ("number", "service"))
        return out
    return dict(data)  # queue.reset, reset: a day and a count


def visible(role: str, ev: Event, clerks: Clerks | None = None) -> Event | None:
    """``ev`` as a subscriber of ``role`` may see it, or None if it may not see it at all.

    Managers see everything but the internal ``session.ended``; staff see the
    queue (tickets, windows without the staff id) and help and device events;
    the display and kiosks only calls and waiting counts; every one of these the
    announcements (public views); any other role, and any event type not named
    here, nothing. With ``clerks`` (staff id → the public clerk,
    :func:`hall.queue.tickets.badges.public_clerk`) a window carries its
    ``clerk`` for every role (亮证上岗): name, badge, title.
    """
    if ev.type == SESSION_ENDED:
        return None
    if clerks is not None and ev.type == "window.changed" and isinstance(ev.data, dict):
        window = ev.data.get("window") or {}
        window = {**window, "clerk": clerks(window.get("staff_id"))}
        ev = Event(ev.type, {**ev.data, "window": window}, ev.ts, ev.id)
    if role == "manager":
        return ev
    if ev.type in PUBLIC_EVENTS and role in ("staff", "display", "kiosk"):
        return ev  # their data is the public view already (hall/queue/announcements/store.py)
    is_queue = ev.type.startswith("ticket.") or ev.type in QUEUE_EVENTS
    if role == "staff":
        if ev.type == "window.changed":
            window = {k: v for k, v in ev.data.get("window", {}).items() if k != "staff_id"}
            return Event(ev.type, {**ev.data, "window": window}, ev.ts, ev.id)
        return ev if is_queue or ev.type in STAFF_EXTRA else None
    if role in ("display", "kiosk") and is_queue:
        return Event(ev.type, _public(ev), ev.ts, ev.id)
    return None


EventId = Annotated[int | None, Header(ge=0, le=MAX_DB_INT)]
After = Annotated[int | None, Query(ge=0, le=MAX_DB_INT, description="same as Last-Event-ID")]


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the event stream"}},
)
async def event_stream(
    request: Request, p: Caller, last_event_id: EventId = None, after: After = None
) -> StreamingResponse:
    """Server-Sent Events of state changes, as the caller's role may see them.

    Any valid token: kiosk, display, manager or a live staff session (whose
    stream ends with the session, as a manager session's does). Resume with Last-Event-ID. At most
    ``api.limits.streams_per_token`` streams per token and
    ``api.limits.streams_per_role`` per role are open at once: 429 beyond.
    """
    session = await reader(request, p)
    daemon = daemon_of(request)
    release = request.app.state.streams.take(p.token_hash or f"{p.role}:{p.name}", p.role)
    # A staff or manager session's stream ends with it (logout, expiry); a token's never.
    ended_by = session if session is not None else p if p.token_hash else None
    audience = Audience(
        view=partial(visible, p.role, clerks=partial(badges.public_clerk, daemon.config)),
        session=p.token_hash if ended_by is not None else None,
        expires_at=getattr(ended_by, "expires_at", None),
        clock=daemon.clock,
    )
    start_id = last_event_id if last_event_id is not None else after
    # Subscribed now, before the headers go out: "stream open" means "following".
    stream = sse_stream(
        daemon.bus, daemon.replay, start_id, queue=daemon.bus.subscribe(), audience=audience
    )
    return StreamingResponse(
        _released(stream, release),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        background=BackgroundTask(release),  # if the stream never started
    )


async def _released(stream: Any, release: Any) -> Any:
    """``stream``, giving its slot back when it ends however it ends."""
    try:
        async for chunk in stream:
            yield chunk
    finally:
        release()
        await stream.aclose()
