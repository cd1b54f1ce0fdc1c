"""The caller panel's window operations (叫号, 开始, 重呼, 过号, 回队, 转移, 办结, 暂停, 签退).

Each button runs :meth:`WindowOperations.operate` on the bridge's worker; the
answer is shown in the current language, a refusal as the daemon worded it.
Operations that need a choice (the transfer target, the case type, the pause
reason, the returning citizen) or a second tap (过号) open the panel's picker
first.

:class:`WindowOperations` is a part of
:class:`hall.screens.caller.panel.CallerPanel` (a mixin, as ``SheetHost`` is):
it uses the panel's properties and methods named below and is never used alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext
from hall.screens.caller.vacancy import PAUSE_REASONS
from hall.screens.caller.widgets import CASE_TYPES, case_type_key
from hall.screens.common.bridge import UiBridge


class WindowOperations:
    """The operation buttons of :class:`hall.screens.caller.panel.CallerPanel`."""

    # The panel's, set up by CallerPanel (Kivy properties and __init__).
    ctx: KioskContext
    bridge: UiBridge
    window_number: int
    window_state: str
    ticket_number: str
    ticket_service: str
    busy: bool
    no_shows: list[str]
    requeued: str
    services: dict[str, dict]
    signed_out: Callable[[], None]
    tr: Callable[..., str]
    open_sheet: Callable[..., None]
    _say: Callable[..., None]
    _show_error: Callable[[DaemonError], None]
    _service_name: Callable[[str], str]
    _apply_window: Callable[[dict], None]
    _apply_ticket: Callable[[dict], None]
    _refresh_queue: Callable[[], None]
    #: 办结 done: ``after_finish(number, ticket_id, case_type)`` (办件 offers 登记办件).
    after_finish: Callable[[str, str, str], None] | None = None

    def operate(self, op: str, **body: Any) -> None:
        """Run a window operation on the worker; show its result or the daemon's refusal."""
        if self.busy:
            return
        self.busy = True
        self._say(self.tr("caller.busy"))
        client, n = self.ctx.client, self.window_number
        number = self.ticket_number
        self.bridge.submit(
            lambda: client.window_op(n, op, **body),
            partial(self._operated, op, number, body),
            self._show_error,
        )

    def _operated(self, op: str, number: str, body: dict, result: dict) -> None:
        self.busy = False
        if "state" in result:  # pause / resume answer with the window
            self._apply_window(result)
        else:
            if op == "no-show" and result["number"] not in self.no_shows:
                self.no_shows.append(result["number"])
            if op == "requeue" and result["number"] in self.no_shows:
                self.no_shows.remove(result["number"])
            self._apply_ticket(result)
            number = result["number"]
        if op == "requeue":
            self.requeued = ""
            if isinstance(result.get("ahead"), int):
                self._say_requeued(number, result["ahead"])
            else:
                self.requeued = number
                self._say(self.tr("caller.done_requeue", number=number))
                self._refresh_queue()
            return
        values = {"number": number}
        if op == "transfer":
            values["service"] = self._service_name(body["service"])
        if op == "finish":
            values["case_type"] = self.tr(case_type_key(body["case_type"]))
        if op == "pause":
            values["reason"] = self.tr(dict(PAUSE_REASONS)[body["reason"]])
        self._say(self.tr(f"caller.done_{op.replace('-', '_')}", **values))
        if op == "finish" and self.after_finish is not None:
            # The ticket is finished already: whatever follows cannot lose it.
            self.after_finish(number, result.get("id", ""), body["case_type"])

    def _say_requeued(self, number: str, ahead: int) -> None:
        self.requeued = ""
        self._say(self.tr("caller.requeued_ahead", number=number, ahead=ahead))

    def confirm_no_show(self) -> None:
        """过号 asks first: one tap must not send away a citizen who is walking up."""
        if self.busy or not self.ticket_number:
            return
        options = [("confirm", self.tr("caller.no_show_confirm"))]
        title = self.tr("caller.no_show_ask", number=self.ticket_number)
        self.open_sheet("", options, lambda _v: self.operate("no-show"), title=title)

    def toggle_pause(self) -> None:
        """Resume a paused window, or ask why (离岗原因) and pause it."""
        if self.window_state == "paused":
            self.operate("resume")
            return
        options = [(value, self.tr(key)) for value, key in PAUSE_REASONS]
        self.open_sheet(
            "caller.choose_pause_reason", options, lambda r: self.operate("pause", reason=r)
        )

    def choose_transfer(self) -> None:
        """Ask which service to transfer the current citizen to."""
        options = [(c, self._service_name(c)) for c in self.services if c != self.ticket_service]
        self.open_sheet(
            "caller.choose_service", options, lambda c: self.operate("transfer", service=c)
        )

    def choose_finish(self) -> None:
        """Ask for the case type (办件类型), then finish."""
        options = [(value, self.tr(key)) for value, key in CASE_TYPES]
        self.open_sheet(
            "caller.choose_case_type", options, lambda v: self.operate("finish", case_type=v)
        )

    def choose_requeue(self) -> None:
        """Ask which returning no-show citizen goes back in line."""
        options = [(n, n) for n in reversed(self.no_shows)]
        self.open_sheet(
            "caller.choose_requeue", options, lambda n: self.operate("requeue", number=n)
        )

    def logout(self) -> None:
        """Sign out: the daemon closes the window, the login screen comes back."""
        if self.busy:
            return
        self.busy = True
        self._say(self.tr("caller.busy"))
        self.bridge.submit(self.ctx.client.logout, lambda _r: self.signed_out(), self._show_error)
