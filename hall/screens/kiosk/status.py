"""The colour of each self-service case status (办件查询), in one place.

Green only for what is good news for the citizen; 待补正 asks them to act, so
it is amber (a warning), 已退回 red. Keys are the daemon's status values
(hall/queue/cases/submissions.py ``SubmissionStatus``); an unknown status is ink.
"""

from __future__ import annotations

from hall.screens.kiosk.ui import Palette

STATUS_COLOURS: dict[str, tuple[float, float, float, float]] = {
    "received": Palette.BLUE,  # 已接收: waiting for staff
    "needs_correction": Palette.AMBER_INK,  # 待补正: the citizen must bring materials
    "accepted": Palette.BLUE,  # 已受理（审批中）
    "finished": Palette.GREEN,  # 已办结
    "returned": Palette.RED,  # 已退回
}


def status_colour(status: str) -> tuple[float, float, float, float]:
    """The ink colour of ``status`` (ink for a status this kiosk does not know)."""
    return STATUS_COLOURS.get(status, Palette.INK)
