"""Shared vocabulary: the words every part of hall uses (the daemon, the config, the screens).

Nothing here imports from the rest of hall, so anything may import it.
"""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    """办件类型, recorded when a case is finished."""

    IMMEDIATE = "即办件"
    PROMISED = "承诺件"
    JOINT = "联办件"
    REPORTED = "上报件"
    CORRECTION = "补正"


class PauseReason(StrEnum):
    """离岗原因: why a window is paused (暂停服务), recorded with the pause's duration."""

    LUNCH_RELIEF = "lunch_relief"  # 午间轮换
    CONSULTATION = "consultation"  # 咨询
    TOILET = "toilet"  # 如厕
    MEETING = "meeting"  # 会议
    OTHER = "other"  # 其他


#: Each pause reason's words, Chinese first (the manager page, the export, the caller panel's yaml).
PAUSE_REASON_WORDS = {
    PauseReason.LUNCH_RELIEF: ("午间轮换", "lunch relief"),
    PauseReason.CONSULTATION: ("咨询", "consultation"),
    PauseReason.TOILET: ("如厕", "toilet"),
    PauseReason.MEETING: ("会议", "meeting"),
    PauseReason.OTHER: ("其他", "other"),
}
