"""config.yaml's ``api.limits:``: how much one client may send or hold open.

The daemon refuses a request body larger than its cap with 413 before reading
it (hall/queue/web/limits.py); only the routes named here get a larger cap, and
only for a token of the role that may call them. uvicorn refuses connections
beyond ``connections`` with 503; event streams are capped per token and per role
(429).
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section

KIB = 1024
MIB = 1024 * KIB


class StreamCaps(_Section):
    """Open event streams (GET /api/v1/events) allowed per role, all its tokens together."""

    display: int = Field(32, ge=1, le=1000, description="lobby displays")
    kiosk: int = Field(32, ge=1, le=1000)
    staff: int = Field(64, ge=1, le=1000, description="all staff sessions together")
    manager: int = Field(16, ge=1, le=1000)


class LimitsSection(_Section):
    """Caps on request bodies, connections and event streams."""

    body_bytes: int = Field(
        16 * KIB,
        ge=KIB,
        le=MIB,
        description="every request body (a rating comment or a note is a few KB at most)",
    )
    upload_bytes: int = Field(
        64 * MIB,
        ge=MIB,
        le=1024 * MIB,
        description="POST /api/v1/submissions with a kiosk token: a submission and its images",
    )
    appointment_bytes: int = Field(
        3 * MIB,
        ge=64 * KIB,
        le=64 * MIB,
        description="POST /api/v1/appointments with a manager token: a booking with a face template",
    )
    connections: int = Field(
        256, ge=8, le=100_000, description="uvicorn limit_concurrency: beyond it, 503"
    )
    streams_per_token: int = Field(8, ge=1, le=1000, description="open event streams per token")
    streams_per_role: StreamCaps = StreamCaps()
