"""The event stream: Server-Sent Events of every state change, under /api/v1/events.

Screens (caller panels, the lobby, LED and voice through the hub) follow the
hall with it; a client that reconnects resumes from its last event id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from hall.queue.core.events import sse_stream
from hall.queue.web.deps import Caller, daemon_of, reader

router = APIRouter(prefix="/api/v1", tags=["events"])


@router.get("/events")
async def event_stream(
    request: Request,
    p: Caller,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> StreamingResponse:
    """Server-Sent Events of every state change; resume with Last-Event-ID."""
    await reader(request, p)
    daemon = daemon_of(request)
    start_id = last_event_id if last_event_id is not None else after
    return StreamingResponse(
        # Subscribed now, before the headers go out: "stream open" means "following".
        sse_stream(daemon.bus, daemon.replay, start_id, queue=daemon.bus.subscribe()),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
