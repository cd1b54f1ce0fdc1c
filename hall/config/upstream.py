"""config.yaml's ``upstream:`` section: the provincial platforms the daemon forwards to."""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class UpstreamEndpoint(_Section):
    """An upstream platform endpoint (the provincial 一网通办 / 好差评 systems)."""

    url: str = Field(pattern=r"^https?://", description="POST target")
    token: str | None = Field(None, description="bearer token, if the platform wants one")
    timeout_s: float = Field(10, gt=0, le=120)
    retry_initial_s: float = Field(2, gt=0, description="first retry after a failure")
    retry_max_s: float = Field(120, gt=0, description="retries back off up to this")


class UpstreamSection(_Section):
    """Where the daemon forwards what the hall receives (durable outbox, idempotent)."""

    submissions: UpstreamEndpoint | None = None
    evaluation: UpstreamEndpoint | None = Field(
        None, description="provincial 好差评 system: ratings, appeals and 差评 outcomes"
    )
