"""config.yaml's ``appointments:`` section: how far ahead a slot may be booked.

``POST /api/v1/appointments`` refuses a slot that ends more than
``horizon_days`` days from now (422 ``slot_too_far``) or has already ended
(422 ``slot_past``): a booking keeps the booker's ID fingerprint and face
template until the slot, so a slot years ahead would keep them for years.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class AppointmentsSection(_Section):
    """预约: the booking horizon."""

    horizon_days: int = Field(
        30, ge=1, le=366, description="a slot may end at most this many days from now"
    )
