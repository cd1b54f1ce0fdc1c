"""The queue's words: ticket and window states, case types, and its errors.

号票 ticket · 窗口 window · 办结 finish · 过号 no-show · 转移 transfer.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class TicketStatus(StrEnum):
    """Where a ticket (号票) is in its life."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


#: A ticket in one of these states is at a window.
AT_WINDOW = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})


class TicketKind(StrEnum):
    """How a ticket ranks in the calling policy."""

    NORMAL = "normal"
    PRIORITY = "priority"  # 老幼病残孕, 绿色通道
    APPOINTMENT = "appointment"  # 预约, first while in its slot


class WindowState(StrEnum):
    """What a window (窗口) is doing."""

    CLOSED = "closed"  # nobody logged in
    OPEN = "open"  # staff there, idle
    PAUSED = "paused"  # 暂停服务
    SERVING = "serving"  # a ticket is called or served there


class QueueError(Exception):
    """A request the queue refuses; the message is fit for a kiosk screen.

    ``status`` is the HTTP status, ``code`` a stable machine word, ``zh`` and
    ``en`` the sentences to show, ``details`` extra facts (e.g. next opening).
    """

    def __init__(self, status: int, code: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The error body every 4xx carries."""
        body = {"code": self.code, "message": self.zh, "message_en": self.en}
        if self.details:
            body["details"] = self.details
        return {"error": body}


def not_found(what_zh: str, what_en: str, code: str = "not_found", **details: Any) -> QueueError:
    """404 with a sentence naming what was not found."""
    return QueueError(404, code, f"{what_zh}不存在", f"{what_en} not found", **details)


def conflict(code: str, zh: str, en: str, **details: Any) -> QueueError:
    """409: the request is well formed but the hall's state does not allow it."""
    return QueueError(409, code, zh, en, **details)


def forbidden(zh: str, en: str, **details: Any) -> QueueError:
    """403: the caller's token may not do this."""
    return QueueError(403, "forbidden", zh, en, **details)
