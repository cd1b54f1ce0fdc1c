"""config.yaml's ``vacancy:`` section: 空岗 and 离岗, windows left empty during hours.

A window of a service with people waiting that stays closed or paused longer than
``alert_after_min`` (or its pause reason's own limit in ``alert_after_min_by_reason``)
during that service's hours raises an alert (hall/queue/tickets/vacancy.py): on the
manager page, and with ``notify_b`` on the caller panels of the B岗 clerks assigned
to the window (AB岗: the backup covers).
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section
from hall.words import PauseReason


class VacancySection(_Section):
    """When an empty window raises an alert, and who hears of it."""

    alert_after_min: float = Field(
        10, ge=0, le=1440, description="a window closed or paused this long with people waiting"
    )
    alert_after_min_by_reason: dict[PauseReason, float] = Field(
        default_factory=lambda: {PauseReason.LUNCH_RELIEF: 30},
        description="a paused window's limit by its pause reason (others: alert_after_min)",
    )
    notify_b: bool = Field(
        True, description="also tell the B岗 clerks assigned to the window (their caller panel)"
    )
    keypad_reason: PauseReason = Field(
        PauseReason.OTHER, description="the reason recorded when a keypad's pause key pauses"
    )
    check_every_s: float = Field(
        30, gt=0, le=600, description="how often the daemon looks for empty windows"
    )

    def limit_min(self, reason: str | None) -> float:
        """Minutes a window may stay empty (closed: reason None) before the alert."""
        if reason is None:
            return self.alert_after_min
        return self.alert_after_min_by_reason.get(PauseReason(reason), self.alert_after_min)
