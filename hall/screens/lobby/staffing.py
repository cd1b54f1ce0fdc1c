"""Who serves at each window, for the lobby (亮证上岗), without Kivy.

The lobby's call list names the clerk of each window (name and public 工号, as
GET /windows and ``window.changed`` carry them: never a sign-in id), and a line
lists the windows nobody is signed in at: 暂停服务, with the hall's next
opening while the hall is shut (``opens_at`` of GET /windows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Tr = Callable[..., str]


def clerk_text(tr: Tr, clerk: dict | None) -> str:
    """``张敏 工号0231``; the name alone without a public number; '' with nobody."""
    if not clerk:
        return ""
    if not clerk.get("badge"):
        return clerk["name"]
    return f"{clerk['name']} {tr('lobby.badge', badge=clerk['badge'])}"


def opening_words(tr: Tr, opens_at: str | None, now: dt.datetime) -> str:
    """``明天09:00`` / ``6月4日 09:00`` in the lobby's time zone ('' when unknown)."""
    if not opens_at:
        return ""
    when = dt.datetime.fromisoformat(opens_at).astimezone(now.tzinfo)
    time = f"{when:%H:%M}"
    days = (when.date() - now.date()).days
    if days == 0:
        return tr("lobby.today", time=time)
    if days == 1:
        return tr("lobby.tomorrow", time=time)
    return tr("lobby.on_date", month=when.month, day=when.day, date=f"{when:%d %b}", time=time)


def closed_line(tr: Tr, windows: dict[int, dict], now: dt.datetime) -> str:
    """``暂停服务：2、4号窗口，明天09:00开放``; '' when every window has a clerk."""
    closed = sorted(n for n, w in windows.items() if w.get("state") == "closed")
    if not closed:
        return ""
    line = tr("lobby.closed", windows=tr("lobby.list_sep").join(str(n) for n in closed))
    opens = next((w.get("opens_at") for n, w in sorted(windows.items()) if n in closed), None)
    when = opening_words(tr, opens, now)
    return tr("lobby.closed_opens", line=line, when=when) if when else line
