"""空岗 on the caller panel: the pause-reason picker's options and the B岗 clerk's notice.

AB岗: when a window stays empty too long while people wait, the daemon raises an
alert (``vacancy.alert``, hall/queue/tickets/vacancy.py) that every staff session
hears; the panel of a B岗 clerk assigned to that window (``vacancy.notify_b``) shows
"1号窗口空岗12分钟，3人等候，请B岗补位" until the window opens (``vacancy.ended``).
No Kivy here: :class:`VacancyNotice` keeps the alerts, the panel shows its text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hall.words import PauseReason

#: 离岗原因 as the daemon records them, with the string key of their label.
PAUSE_REASONS = tuple((r.value, f"caller.pause_{r.value}") for r in PauseReason)


class VacancyNotice:
    """The open 空岗 alerts a B岗 clerk signed in at this panel covers."""

    def __init__(self) -> None:
        self.covers: set[int] = set()  # windows this clerk covers (B岗 only)
        self.alerts: dict[int, dict[str, Any]] = {}

    def begin(self, login: dict[str, Any]) -> bool:
        """A new session: a B岗 clerk covers its assigned windows; True if it covers any."""
        self.alerts = {}
        own = login.get("window", {}).get("number")
        windows = set(login.get("windows") or []) - {own}
        self.covers = windows if login.get("role") == "B" else set()
        return bool(self.covers)

    def load(self, alerts: list[dict[str, Any]]) -> None:
        """The alerts open when the session began (GET /vacancy)."""
        for alert in alerts:
            self.on_event("vacancy.alert", {"alert": alert})

    def on_event(self, kind: str, data: dict[str, Any]) -> bool:
        """Follow ``vacancy.alert`` / ``vacancy.ended``; True when the notice changed."""
        alert = data.get("alert") or {}
        window = alert.get("window")
        if window not in self.covers or not alert.get("notify_b", True):
            return False
        if kind == "vacancy.alert":
            self.alerts[window] = alert
            return True
        if kind == "vacancy.ended" and self.alerts.get(window, {}).get("id") == alert.get("id"):
            del self.alerts[window]
            return True
        return False

    def text(self, tr: Callable[..., str]) -> str:
        """The notice in the current language, one alert after the other ("" when none)."""
        return "；".join(
            tr(
                "caller.vacancy_alert",
                window=a["window"],
                minutes=round(a.get("empty_min") or 0),
                waiting=a.get("waiting", 0),
            )
            for _, a in sorted(self.alerts.items())
        )
