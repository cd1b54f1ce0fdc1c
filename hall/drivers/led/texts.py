"""What the LED boards say: call, serving, idle and pause texts, the hall board's history.

Shared by both wire formats (bx5 and line); :func:`gbk_safe` makes any text
sendable before it is encoded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

PAUSED_TEXT = "暂停服务"
#: Separator between calls on the hall board (one scrolling line, newest first).
HALL_SEPARATOR = "  "


def gbk_safe(text: str, replacement: str = "?") -> tuple[str, int]:
    """Return ``text`` with what a board cannot show replaced, and how many were replaced.

    Replaced are characters GBK cannot encode and control characters, which would
    break line framing.
    """
    out, replaced = [], 0
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            out.append(replacement)
            replaced += 1
            continue
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            out.append(replacement)
            replaced += 1
        else:
            out.append(ch)
    return "".join(out), replaced


def call_text(number: str, window: int | str) -> str:
    """Window board text for a call: ``"A001 请到3号窗口"``."""
    return f"{number} 请到{window}号窗口"


def serving_text(number: str) -> str:
    """Window board text while a number is being served: ``"A001 正在办理"``."""
    return f"{number} 正在办理"


def idle_text(window: int | str, name: str, clerk: str) -> str:
    """An idle window's board while a clerk is signed in (亮证上岗).

    ``"3号窗口 综合受理 张三 工号0231"``: the window, its name, the clerk's name and
    public number (``clerk``, already in words); empty parts are left out.
    """
    return " ".join(part for part in (f"{window}号窗口", name, clerk) if part)


def closed_text(opening: str | None) -> str:
    """A window with nobody signed in: ``"暂停服务 明天09:00开放"``, or 暂停服务 alone.

    ``opening`` is the hall's next opening in words, None while the hall is open.
    """
    return f"{PAUSED_TEXT} {opening}开放" if opening else PAUSED_TEXT


def hall_text(calls: Sequence[tuple[str, int | str]]) -> str:
    """Hall board text: the given calls, newest first, as one scrolling line.

    ``calls`` is newest first. One line (not several) so that the same text
    works on line boards and on a bx5 area in scroll-left mode.
    """
    return HALL_SEPARATOR.join(call_text(n, w) for n, w in calls)


class HallHistory:
    """The last ``size`` calls, for the hall board."""

    def __init__(self, size: int = 5) -> None:
        if size < 1:
            raise ValueError("hall history size must be at least 1")
        self.size = size
        self._calls: list[tuple[str, int | str]] = []

    def add(self, number: str, window: int | str) -> str:
        """Record a call (a recall moves it to the front); return the new text."""
        self._calls = [c for c in self._calls if c[0] != number]
        self._calls.insert(0, (number, window))
        del self._calls[self.size :]
        return self.text()

    def text(self) -> str:
        """The hall board text now."""
        return hall_text(self._calls)


#: What a bx5 board shows for a backslash: the full-width reverse solidus (GBK A3 DC).
#: A plain backslash starts a control code on the card (\C2 green, \n ...) and the
#: vendor SDK has no escape for it (see hall/drivers/led/bx5.py).
BX5_BACKSLASH = "\uff3c"


def bx5_safe(text: str) -> tuple[str, int]:
    """Return ``text`` with every backslash replaced for a bx5 card, and how many."""
    return text.replace("\\", BX5_BACKSLASH), text.count("\\")


def announcement_text(kind_zh: str, text: str) -> str:
    """Board text of an announcement (公示/通报): ``"【表彰】3号窗口服务热情"``."""
    return f"【{kind_zh}】{text}"
