"""One line of a 考核 score: a deduction or an addition and the record it comes from."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Line:
    """One deduction or addition, with its source record (``source``:``ref``)."""

    kind: str  # late | early | absent | pause_over | vacancy | complaint | bad_rating | ...
    source: str  # the table: attendance, window_pauses, vacancy_alerts, complaints, ...
    ref: str | None  # the record's id in that table (None: an absence has no record)
    day: str
    staff: str | None
    window: int | None
