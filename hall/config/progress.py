"""config.yaml's ``progress:`` section: how failed 办件查询 lookups are limited.

A lookup by receipt + ID number that finds nothing (a wrong ID, an unknown
receipt) is a failure, counted in the database per receipt and per client
address (hall/queue/cases/progress_limits.py), by the kiosk's
``POST /api/v1/progress`` and the citizen's ``/progress`` page alike.
``receipt_failures`` failures of one receipt within ``window_s`` lock it for
``lockout_s`` (the right ID number too); ``address_failures`` from one address,
whatever receipts it tried, lock the address. A restart keeps counts and locks.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class ProgressSection(_Section):
    """Failure limits of 办件查询 (receipt + ID number lookups)."""

    receipt_failures: int = Field(
        5, ge=1, le=100, description="failed lookups of one receipt within the window that lock it"
    )
    address_failures: int = Field(
        20, ge=1, le=1000, description="failed lookups from one client address that lock it"
    )
    window_s: int = Field(900, ge=1, le=86400, description="failures count this long")
    lockout_s: int = Field(900, ge=1, le=86400, description="how long a lock lasts")
