"""config.yaml's ``supervision: complaints:`` section: the 投诉 register's deadline and limits.

``reply_days``: the reply is due this many working days after the complaint is received
(seeds: "一般3日内做出答复"). ``public_per_address`` / ``public_window_s``: complaints lodged
from the public page (no token) per client address in a sliding window, beyond which the
page answers 429 (hall/queue/supervision/complaint_limits.py); the same limit counts
follow-up lookups with a wrong key.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class ComplaintsSection(_Section):
    """The 投诉 register: reply deadline and the public page's limits."""

    reply_days: int = Field(
        3, ge=1, le=60, description="working days to reply to a complaint (一般3日内做出答复)"
    )
    public_per_address: int = Field(
        5, ge=1, le=1000, description="public lodgings (and wrong follow keys) per address"
    )
    public_window_s: int = Field(
        3600, ge=60, le=7 * 86400, description="the sliding window of public_per_address (s)"
    )


class SupervisionSection(_Section):
    """督查 (issue 16): one small section per register."""

    complaints: ComplaintsSection = ComplaintsSection()
