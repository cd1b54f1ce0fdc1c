"""帮办代办 on the caller panel: a kiosk's help call, "我来处理", and who took it.

The seeds: "中心广泛开展了帮办代办…" and "配备2名的帮办、代办服务人员…代填表格". A citizen
presses "help" on a kiosk; the daemon records the call and tells every staff panel
(``help.requested``). The panel's red banner says where, with 我来处理 (take it:
``POST /api/v1/help/{id}/ack``) and 知道了 (hide it here). The first clerk to take it
wins; every other panel then reads "…已由3号窗口接手" (``help.taken``, or the 409 of a
late tap) until it is hidden. The daemon stores the time to answer.

:class:`HelpCalls` keeps the calls (no Kivy); :class:`HelpBanner` is the panel's part
(a helper object of :class:`hall.screens.caller.panel.CallerPanel`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hall.kiosk.client import DaemonError

log = logging.getLogger(__name__)


class HelpCalls:
    """The help calls this panel heard of and has not hidden, oldest first."""

    def __init__(self) -> None:
        self.calls: dict[int, dict[str, Any]] = {}

    def reset(self) -> None:
        """A new session: nothing heard yet."""
        self.calls = {}

    def on_event(self, kind: str, data: dict[str, Any], own_window: int) -> bool:
        """Follow ``help.requested`` / ``help.taken``; True when what is shown changed."""
        call = data.get("help")
        if not isinstance(call, dict) or "id" not in call:
            # An older daemon's event (no record): shown, never taken from here.
            call = {"id": -1, "where": data.get("where", "?"), "taken": False, "window": None}
        if kind == "help.requested":
            self.calls[call["id"]] = call
            return True
        if kind == "help.taken" and call["id"] in self.calls:
            if call.get("window") == own_window:
                del self.calls[call["id"]]  # taken here: nothing left to show
            else:
                self.calls[call["id"]] = call
            return True
        return False

    def taken(self, call_id: int, window: int | None) -> None:
        """Another window (None: a manager) took ``call_id`` first (a 409's details)."""
        if call_id in self.calls:
            self.calls[call_id] = {**self.calls[call_id], "taken": True, "window": window}

    def hide(self, call_id: int) -> None:
        """Forget one call (taken here, or hidden with 知道了)."""
        self.calls.pop(call_id, None)

    def shown(self) -> dict[str, Any] | None:
        """The call the banner shows: the oldest still open, else the oldest taken."""
        open_calls = [c for c in self.calls.values() if not c.get("taken")]
        if open_calls:
            return open_calls[0]
        return next(iter(self.calls.values()), None)

    def text(self, tr: Callable[..., str]) -> str:
        """The banner's words ("" when there is nothing to show)."""
        call = self.shown()
        if call is None:
            return ""
        where = call.get("where") or "?"
        if not call.get("taken"):
            more = sum(1 for c in self.calls.values() if not c.get("taken")) - 1
            extra = tr("help.more", count=more) if more > 0 else ""
            return tr("caller.help_alert", where=where) + extra
        if call.get("window"):
            return tr("help.taken_by_window", where=where, window=call["window"])
        return tr("help.taken_by_manager", where=where)


class HelpBanner:
    """The panel's help banner: shows the calls, takes one, hides one."""

    def __init__(self, panel: Any) -> None:
        self.panel = panel
        self.calls = HelpCalls()
        self.taking = False

    def reset(self) -> None:
        """A new session: no banner."""
        self.calls.reset()
        self.taking = False
        self.show()

    def show(self) -> None:
        """Put the current call's words on the banner (and whether it can be taken)."""
        panel = self.panel
        call = self.calls.shown()
        panel.help_text = self.calls.text(panel.tr)
        panel.help_open = bool(call) and not call.get("taken") and call["id"] > 0

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        """A help event from the staff stream."""
        if self.calls.on_event(kind, data, self.panel.window_number):
            self.show()

    def take(self) -> None:
        """我来处理: take the shown call on the worker; the daemon says who was first."""
        call = self.calls.shown()
        if call is None or call.get("taken") or call["id"] <= 0 or self.taking:
            return
        self.taking = True
        self.panel._say(self.panel.tr("help.busy"))
        client, call_id = self.panel.ctx.client, call["id"]
        self.panel.bridge.submit(
            lambda: client.take_help(call_id),
            lambda _answer: self._taken(call),
            lambda exc: self._refused(call_id, exc),
        )

    def hide(self) -> None:
        """知道了: hide the shown call on this panel only."""
        call = self.calls.shown()
        if call is not None:
            self.calls.hide(call["id"])
        self.show()

    def _taken(self, call: dict[str, Any]) -> None:
        self.taking = False
        self.calls.hide(call["id"])
        self.show()
        self.panel._say(self.panel.tr("help.taken_by_me", where=call.get("where") or "?"))

    def _refused(self, call_id: int, exc: DaemonError) -> None:
        self.taking = False
        if exc.code == "help_taken":
            self.calls.taken(call_id, exc.details.get("window"))
        self.show()
        self.panel._say(exc.text(self.panel.lang), error=True)
