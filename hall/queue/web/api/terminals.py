"""Manager routes about the terminals: refused tokens, and refused cases taken up (issue 13).

Managers only (a kiosk, display or staff token gets 403):

- ``GET /devices/refused-tokens``: requests refused for an unknown bearer token,
  per client address and token prefix (hall/queue/devices/token_refusals.py);
- ``POST /devices/{name}/outbox/{receipt}/ack``: take up a case the terminal
  outbox ``name`` holds because the daemon refused it for good; the terminal
  then removes its personal data (hall/queue/devices/outbox_acks.py);
- ``GET /devices/outbox-acks``: those acknowledgements, and whether the
  terminal has cleared the case yet.

Acknowledging is a manager's act, not a clerk's: it ends the alert and
deletes the citizen's data on the terminal, so it must be someone answerable
for the case being followed up (the citizen holds a receipt), and it is
recorded with the person.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.routing import APIRouter
from pydantic import Field

from hall.queue.core.domain import QueueError
from hall.queue.devices import outbox_acks, token_refusals
from hall.queue.web.auth import require
from hall.queue.web.deps import Body, Caller, daemon_of

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])

DeviceName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Receipt = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class AckBody(Body):
    """POST /devices/{name}/outbox/{receipt}/ack: how the case was taken up."""

    note: str = Field("", max_length=200, description="e.g. 已电话联系申请人,请其到窗口办理")


@router.get("/refused-tokens")
async def refused_tokens(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Unknown bearer tokens refused, per client address, last seen first (manager only)."""
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return {"refused": await daemon.read(lambda tx: token_refusals.recent(tx, limit, tz))}


@router.get("/outbox-acks")
async def acks(
    request: Request, p: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Refused terminal cases managers took up, newest first (manager only)."""
    require(p)
    daemon = daemon_of(request)
    tz = daemon.config.hall.tz
    return {"acks": await daemon.read(lambda tx: outbox_acks.listing(tx, tz, limit))}


@router.post("/{name}/outbox/{receipt}/ack")
async def ack(
    request: Request, name: DeviceName, receipt: Receipt, p: Caller, body: AckBody | None = None
) -> dict[str, Any]:
    """Take up a case the terminal outbox ``name`` reports as refused (manager only; recorded).

    404 unless ``name`` last reported ``receipt`` among its refused cases. The
    terminal clears the case when it next reports (its answer names the receipt).
    """
    require(p)
    daemon = daemon_of(request)
    device = daemon.hub.reported(name)
    found = next((r for r in (device or {}).get("rejected", []) if r["receipt"] == receipt), None)
    if device is None or found is None:
        raise QueueError(
            404,
            "not_refused",
            f"终端 {name} 未报告被拒收的申报 {receipt}",
            f"terminal {name} reports no refused case {receipt}",
        )
    note, by, tz = (body.note if body else ""), f"manager:{p.name}", daemon.config.hall.tz
    source, reason = device["source"], found["reason"]
    return await daemon.run(
        lambda tx: outbox_acks.ack(tx, name, receipt, reason, source, by, note, tz)
    )
