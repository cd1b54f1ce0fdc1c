"""请假 on the caller panel: a clerk asks for leave, follows and cancels it; a head decides.

The seeds: "请假半天的,由单位负责人批准…请假3天以上应…确定顶岗接替人员". The daemon keeps
the rules (hall/queue/supervision/leave.py; routes hall/queue/web/api/leave.py), with the
clerk's own session:

- ``POST /leave`` for the signed-in clerk only: the kind (事假/病假/年休假/公出/其他), the
  first and last half-day (a day stepped with − / + from the hall's today, 上午/下午),
  a reason, and the cover's staff id (顶岗), which the form asks for once the working
  days counted on the hall calendar reach the daemon's ``cover_from_days``;
- ``GET /leave``: the clerk's requests (撤销 on those pending or approved), and for a
  department head (首席代表 or deputy) the department's pending requests it may decide
  (``may_decide``: half a day, not its own) with 批准 / 不批准;
- ``POST /leave/{id}/cancel``, ``/approve``, ``/refuse``.

:class:`CallerLeave` is the 请假 part of a :class:`~hall.screens.caller.root.CallerRoot`
(one panel button, one :class:`LeaveScreen`; it never imports the root). Every refusal
is shown in the daemon's words, in the screen's language.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.screens.caller import widgets  # noqa: F401 - CallerButton, CallerCard
from hall.screens.caller.leave_form import (
    COVER_FROM_DAYS,
    KINDS,
    LeaveDraft,
    day_text,
    days_text,
    request_line,
)
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by leave.kv
from hall.screens.common.translate import Translated

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_name("leave.kv")))

#: The clerk's requests shown (newest first); older ones are on the manager page.
MINE_SHOWN = 6


class LeaveScreen(Translated, Screen):
    """The clerk's leave: a new request, their requests, and a head's pending decisions."""

    hall_id = StringProperty("leave")
    lang = StringProperty("zh")
    start_text = StringProperty("")
    end_text = StringProperty("")
    start_half = StringProperty("am")
    end_half = StringProperty("pm")
    length_text = StringProperty("")
    cover_needed = BooleanProperty(False)
    has_pending = BooleanProperty(False)
    has_mine = BooleanProperty(False)
    message = StringProperty("")
    message_error = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, part: CallerLeave, **kwargs: Any) -> None:
        self.part = part
        self.strings = part.ctx.strings
        self.draft = LeaveDraft(part.panel.now().date())
        self.rows: list[dict] = []
        self.cover_from = COVER_FROM_DAYS
        super().__init__(**kwargs)
        self.lang = self.strings.language

    def on_lang(self, *_args: object) -> None:
        """Every text made in Python follows the language."""
        self._show()

    # -- opening and reading ---------------------------------------------------------------
    def open(self) -> None:
        """A fresh form from the hall's today; the requests read from the daemon."""
        self.draft = LeaveDraft(self.part.panel.now().date())
        self.ids.cover.text = self.ids.reason.text = ""
        self.rows = []
        self._say("")
        self._show()
        self.ids.scroll.scroll_y = 1
        self.part.caller.current = self.name
        self.load()

    def load(self, said: str = "") -> None:
        """Read GET /leave (the rules and the requests this clerk sees); then say ``said``."""
        self.busy = True
        self.part.bridge.submit(
            self.part.ctx.client.leave_list, lambda a: self._loaded(a, said), self._failed
        )

    def _loaded(self, answer: dict, said: str) -> None:
        self.busy = False
        self.rows = answer.get("requests", [])
        self.part.counted(answer)
        self.cover_from = float(answer.get("rules", {}).get("cover_from_days", COVER_FROM_DAYS))
        self._say(said)
        self._show()

    def _failed(self, exc: DaemonError) -> None:
        self.busy = False
        self._say(exc.text(self.lang), error=True)

    # -- the form ----------------------------------------------------------------------------
    def step(self, which: str, days: int) -> None:
        """− / +: the first or last day a day earlier or later."""
        self.draft.step(which, days)
        self._show_form()

    def half(self, which: str, half: str) -> None:
        """上午 / 下午 of the first or last day."""
        setattr(self.draft, f"{which}_half", half)
        self._show_form()

    def pick_kind(self, kind: str) -> None:
        """事假, 病假, 年休假, 公出 or 其他."""
        self.draft.kind = kind
        self._show_form()

    def _show(self) -> None:
        self._show_form()
        self._show_lists()

    def _show_form(self) -> None:
        d, calendar = self.draft, self.part.ctx.calendar
        self.start_text = day_text(self.tr, d.start_day)
        self.end_text = day_text(self.tr, d.end_day)
        self.start_half, self.end_half = d.start_half, d.end_half
        self.cover_needed = d.needs_cover(calendar, self.cover_from)
        days = d.days(calendar)
        if not d.ordered():
            self.length_text = self.tr("leave.bad_order")
        elif days is None:
            self.length_text = ""
        elif days == 0:  # closed days only: the daemon would refuse it
            self.length_text = self.tr("leave.no_working_days")
        else:
            key = "leave.length_cover" if self.cover_needed else "leave.length"
            self.length_text = self.tr(
                key, length=days_text(self.tr, days), cover=f"{self.cover_from:g}"
            )
        grid = self.ids.kinds
        grid.clear_widgets()
        for kind in KINDS:
            button = Factory.LeaveChoice(
                text=self.tr(f"leave.kind_{kind}"),
                hall_id=f"leave-kind-{kind}",
                chosen=kind == d.kind,
            )
            button.bind(on_release=lambda _b, k=kind: self.pick_kind(k))
            grid.add_widget(button)

    # -- the lists ---------------------------------------------------------------------------
    def _show_lists(self) -> None:
        me = self.part.staff_id
        mine = [r for r in self.rows if r["staff_id"] == me][:MINE_SHOWN]
        pending = [r for r in self.rows if r["staff_id"] != me and r.get("may_decide")]
        self.has_mine, self.has_pending = bool(mine), bool(pending)
        box = self.ids.mine
        box.clear_widgets()
        for row in mine:
            buttons = []
            if row["status"] in ("requested", "approved"):
                buttons.append(("cancel", "leave.cancel", (0.35, 0.38, 0.45, 1)))
            box.add_widget(self._row(row, False, buttons))
        box = self.ids.pending
        box.clear_widgets()
        for row in pending:
            buttons = [
                ("refuse", "leave.refuse", (0.62, 0.20, 0.12, 1)),
                ("approve", "leave.approve", (0.08, 0.55, 0.25, 1)),
            ]
            box.add_widget(self._row(row, True, buttons))

    def _row(self, row: dict, with_name: bool, buttons: list[tuple]) -> BoxLayout:
        """A request in words, its reason, and its buttons under it."""
        item = Factory.LeaveBox(hall_id=f"leave-row-{row['id']}")
        item.add_widget(Factory.LeaveText(text=request_line(self.tr, row, with_name)))
        if row.get("reason") and with_name:
            item.add_widget(
                Factory.LeaveText(text=self.tr("leave.reason_line", reason=row["reason"]))
            )
        if buttons:
            bar = Factory.LeaveGrid(cols=len(buttons))
            for what, key, bg in buttons:
                button = Factory.LeaveSmall(
                    text=self.tr(key), hall_id=f"leave-{what}-{row['id']}", bg=bg
                )
                button.bind(on_release=lambda _b, w=what, i=row["id"]: self.decide(i, w))
                bar.add_widget(button)
            item.add_widget(bar)
        return item

    # -- sending -----------------------------------------------------------------------------
    def submit(self) -> None:
        """提交申请: POST /leave for the signed-in clerk; the list read again."""
        if self.busy:
            return
        if not self.draft.ordered():
            self._say(self.tr("leave.bad_order"), error=True)
            return
        if self.cover_needed and not self.draft.cover.strip():
            self._say(self.tr("leave.cover_missing", cover=f"{self.cover_from:g}"), error=True)
            return
        body = self.draft.body(self.part.staff_id)
        client = self.part.ctx.client
        self.busy = True
        self._say(self.tr("caller.busy"))

        def sent(row: dict) -> None:
            self.ids.cover.text = self.ids.reason.text = ""
            self.load(self.tr("leave.sent", length=days_text(self.tr, row["days"])))

        self.part.bridge.submit(lambda: client.request_leave(body), sent, self._failed)

    def decide(self, leave_id: int, what: str) -> None:
        """撤销 (own), 批准 or 不批准 (a head's pending request); the list read again."""
        if self.busy:
            return
        client = self.part.ctx.client
        self.busy = True
        self._say(self.tr("caller.busy"))
        self.part.bridge.submit(
            lambda: client.leave_decision(leave_id, what),
            lambda _row: self.load(self.tr(f"leave.done_{what}")),
            self._failed,
        )

    def close(self) -> None:
        """Back to the panel."""
        self.part.caller.current = "panel"

    def _say(self, text: str, error: bool = False) -> None:
        self.message, self.message_error = text, error


class CallerLeave:
    """The 请假 button on the panel and its screen, in one caller role."""

    def __init__(self, caller: Any) -> None:
        self.caller = caller
        self.ctx = caller.ctx
        self.bridge = caller.bridge
        self.panel = caller.panel
        self.screen = LeaveScreen(self, name="leave")
        caller.add_widget(self.screen)
        self.button = Factory.CallerButton(
            hall_id="btn-leave",
            font_size="36sp",
            size_hint=(None, None),
            width=dp(180),  # 请假 / Leave: short, so the row's other buttons keep the room
            height=dp(110),
        )
        self.button.bind(on_release=lambda _b: self.screen.open())
        # As tall as its words: a department head's button also says what waits (待批 N).
        self.button.bind(
            texture_size=lambda b, size: setattr(b, "height", max(dp(110), size[1] + dp(24)))
        )
        self.pending = 0  # requests this department head may decide now
        self.panel.bind(lang=self._relabel, busy=self._busy)
        self.panel.ids.face_slot.add_widget(self.button)
        self._relabel()

    @property
    def staff_id(self) -> str:
        """Who is signed in (their own leave only)."""
        return self.panel.staff_id

    def begin(self, login: dict) -> None:
        """A clerk signed in: a department head's button counts the requests waiting for them."""
        self.pending = 0
        self._relabel()
        if any(d.get("gatekeeper") for d in login.get("departments") or []):
            self.bridge.submit(self.ctx.client.leave_list, self.counted, self._not_counted)

    def counted(self, answer: dict) -> None:
        """GET /leave's answer: how many requests of others this clerk may decide."""
        me = self.staff_id
        self.pending = sum(
            1 for r in answer.get("requests", []) if r.get("may_decide") and r["staff_id"] != me
        )
        self._relabel()

    def _not_counted(self, exc: DaemonError) -> None:
        log.info("leave requests not counted: %s", exc.message_en)

    def _relabel(self, *_args: object) -> None:
        tr = self.panel.tr
        pending = self.pending
        self.button.text = (
            tr("leave.button_pending", count=pending) if pending else tr("leave.button")
        )
        self.button.bg = (0.62, 0.46, 0.02, 1) if pending else (0.13, 0.40, 0.75, 1)

    def _busy(self, _panel: object, busy: bool) -> None:
        self.button.disabled = busy
