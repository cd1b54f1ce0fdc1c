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
