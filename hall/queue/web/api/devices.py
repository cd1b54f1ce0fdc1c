"""HTTP routes of the hall's devices, the kiosks' help button and the daemon's health.

The device list joins the drivers the daemon runs (LED boards, voice, keypads,
evaluators: hall/queue/devices/hub.py), the devices kiosks report (their
printers) and the upstream forwarders. ``/health`` needs no token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from hall import __version__
from hall.queue.devices import outbox_acks
from hall.queue.supervision import help_requests
from hall.queue.web.auth import require
from hall.queue.web.deps import Body, Caller, daemon_of, reader

router = APIRouter(prefix="/api/v1")


class HelpBody(Body):
    """POST /help: a citizen at a kiosk asks for staff."""

    where: str = Field(min_length=1, max_length=64, description="which kiosk or place")


class RejectedCase(Body):
    """A case a terminal's outbox holds because the daemon refused it for good."""

    receipt: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    reason: str = Field("", max_length=64, pattern=r"^[a-z0-9_]*$", description="the code")


class DeviceReport(Body):
    """POST /devices/report: a kiosk reports a device attached to it (e.g. its printer)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")
    kind: str = Field(min_length=1, max_length=32)
    status: str = Field(pattern=r"^(ok|offline|paper_out|error|unknown)$")
    detail: str = Field("", max_length=200)
    rejected: list[RejectedCase] = Field(
        default_factory=list,
        max_length=100,
        description="kind outbox: the cases refused for good, awaiting staff (no personal data)",
    )


@router.get("/health", tags=["system"])
async def health(request: Request) -> dict[str, Any]:
    """Liveness and a few figures; needs no token."""
    daemon = daemon_of(request)
    return {
        "status": "ok",
        "version": __version__,
        "hall": request.app.state.config.hall.name,
        "uptime_s": round(dt.datetime.now().timestamp() - daemon.started_at, 1),
        "subscribers": daemon.bus.subscriber_count,
        "writer": {"batches": daemon.writer.batches, "operations": daemon.writer.operations},
    }


@router.get("/devices", tags=["devices"])
async def list_devices(request: Request, p: Caller) -> list[dict[str, Any]]:
    """Every configured device: status, last frame time, error counters."""
    await reader(request, p)
    daemon = daemon_of(request)
    devices = await asyncio.to_thread(daemon.hub.status)
    for forwarder in daemon.forwarders.values():
        devices.append(await asyncio.to_thread(forwarder.status))
    return devices


@router.post("/devices/report", tags=["devices"])
async def report_device(request: Request, body: DeviceReport, p: Caller) -> dict[str, Any]:
    """A kiosk reports the state of a device attached to it; the device list shows it.

    Kiosk tokens only. A terminal outbox (kind ``outbox``) lists the cases the
    daemon refused for good; the answer's ``acked`` names those a manager has
    acknowledged (hall/queue/devices/outbox_acks.py), for the terminal to clear.
    """
    require(p, "kiosk")
    daemon = daemon_of(request)
    rejected = [r.model_dump() for r in body.rejected]
    changed = daemon.hub.report(
        body.id, body.kind, body.status, body.detail, source=p.name, rejected=rejected
    )
    acked: list[str] = []
    if body.kind == "outbox":
        receipts = [r["receipt"] for r in rejected]
        acked = await daemon.run(lambda tx: outbox_acks.acked_for(tx, body.id, p.name, receipts))
    if changed:
        data = {
            "device": {
                "id": body.id,
                "kind": body.kind,
                "status": body.status,
                "detail": body.detail,
                "source": p.name,
            }
        }
        await daemon.run(lambda tx: tx.emit("device.changed", data))
    return {"id": body.id, "status": body.status, "changed": changed, "acked": acked}


@router.post("/help", tags=["tickets"])
async def call_for_help(request: Request, body: HelpBody, p: Caller) -> dict[str, Any]:
    """A citizen pressed "help" on a kiosk: staff panels and managers are told at once.

    Kiosk tokens only. The call is recorded (帮办代办, hall/queue/supervision/help_requests.py)
    for staff or a manager to take (``POST /help/{id}/ack``). The event (``help.requested``)
    is not sent to the lobby display, which shows calls and counts only
    (hall/queue/web/api/events.py).
    """
    require(p, "kiosk")
    daemon = daemon_of(request)
    data = await daemon.run(
        lambda tx: help_requests.request_help(daemon.ctx, tx, p.name, body.where)
    )
    return {"ok": True, "id": data["help"]["id"], "where": data["where"], "by": data["by"]}
