"""办件 on the caller panel: the offer at 办结, the department's list, the case screens.

:class:`CallerCases` is the 办件 part of a :class:`~hall.screens.caller.root.CallerRoot`
(it adds three screens and one panel button; it never imports the root). What the
clerk may do comes from the sign-in answer's ``departments``: the window's department
gives the matters a case is opened for, every department of the session is listed,
and 延期/退件 are offered where the clerk holds 把关权 (the daemon checks again).

At 办结 as 承诺件/联办件/上报件 (the window operation has already finished the ticket)
the panel offers 登记办件 for that ticket; declining or leaving the form loses nothing.
An ID card on the window's reader fills the form's applicant, or the ID of the person
picking a case up; elsewhere it is ignored (and nothing of it is kept).
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.factory import Factory
from kivy.metrics import dp

from hall.screens.caller.cases import notices
from hall.screens.caller.cases.base import kind_name
from hall.screens.caller.cases.detail import CaseDetailScreen
from hall.screens.caller.cases.listing import CaseListScreen
from hall.screens.caller.cases.open_form import CaseOpenScreen
from hall.screens.caller.cases.rules import OFFER_KINDS, pick

log = logging.getLogger(__name__)


class CallerCases:
    """The 办件 screens of one caller role and their wiring to the panel."""

    def __init__(self, caller: Any) -> None:
        self.caller = caller
        self.ctx = caller.ctx
        self.bridge = caller.bridge
        self.panel = caller.panel
        self.departments: list[dict] = []
        self.hall_departments: list[dict] = []  # every department (联办件's co-departments)
        self.staff_id = ""
        self.warnings: dict[str, int] = {}  # 红牌 / 黄牌 counts over the session's departments
        self._counting = self._count_again = False
        self.open_form = CaseOpenScreen(self, name="case-open")
        self.listing = CaseListScreen(self, name="case-list")
        self.detail = CaseDetailScreen(self, name="case-detail")
        for screen in (self.open_form, self.listing, self.detail):
            caller.add_widget(screen)
        self.button = Factory.CallerButton(
            hall_id="btn-cases", font_size="36sp", size_hint_y=None, height=dp(110)
        )
        self.button.bind(on_release=lambda _b: self.listing.open())
        # As tall as its words (departments' names, large text): the row is shared (请假, 首问).
        self.button.bind(
            texture_size=lambda b, size: setattr(b, "height", max(dp(110), size[1] + dp(24)))
        )
        self.panel.bind(lang=self._relabel, busy=self._busy, connected=self._reconnected)
        self.panel.after_finish = self.offer
        self.panel.case_changed = self.changed
        if self.ctx.id_reader is not None:  # cards arrive on the reader's thread
            self.ctx.id_reader.on_card = lambda card: self.bridge.post(self.card_read, card)

    # -- session -------------------------------------------------------------------------
    def begin(self, login: dict) -> None:
        """A clerk signed in: their departments; the list button if they have any."""
        self.departments = list(login.get("departments") or [])
        self.hall_departments = list(login.get("hall_departments") or [])
        self.staff_id = login.get("staff_id", "")
        slot = self.panel.ids.face_slot
        if self.button.parent is not None:
            self.button.parent.remove_widget(self.button)
        self.warnings = {}
        if self.departments:
            slot.add_widget(self.button, index=len(slot.children))  # first in the row
            self.count_warnings()
        self._relabel()

    def end(self) -> None:
        """Signed out: forget the session's departments and the pages written."""
        self.departments = []
        if self.button.parent is not None:
            self.button.parent.remove_widget(self.button)
        notices.forget_pages()

    def _relabel(self, *_args: object) -> None:
        names = "、".join(pick(d["name"], self.panel.lang, d["code"]) for d in self.departments)
        text = self.panel.tr("cases.panel_button", departments=names)
        shown = [(k, n) for k, n in self.warnings.items() if n]
        if shown:
            text += "  " + " ".join(self.panel.tr(f"cases.count_{k}", count=n) for k, n in shown)
        self.button.text = text
        self.button.bg = (0.72, 0.12, 0.12, 1) if shown else (0.13, 0.40, 0.75, 1)

    def count_warnings(self) -> None:
        """Read the 红牌 and 黄牌 counts of the session's departments (once more if asked again)."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        client, codes = self.ctx.client, [d["code"] for d in self.departments]

        def count() -> dict[str, int]:
            return {
                due: sum(len(client.cases(department=c, due=due)) for c in codes)
                for due in ("red", "yellow")
            }

        self.bridge.submit(count, self._counted, self._count_failed)

    def _counted(self, counts: dict[str, int]) -> None:
        self._counting = False
        if self.departments:
            self.warnings = counts
            self._relabel()
        if self._count_again:
            self._count_again = False
            self.count_warnings()

    def _count_failed(self, exc: Any) -> None:
        self._counting = self._count_again = False
        log.info("case warnings not read: %s", exc.message_en)

    def _busy(self, _panel: object, busy: bool) -> None:
        self.button.disabled = busy

    def _reconnected(self, _panel: object, connected: bool) -> None:
        if connected and self.departments:  # events may have been missed meanwhile
            self.count_warnings()

    # -- the host of the screens ---------------------------------------------------------
    def show(self, name: str) -> None:
        """Make ``name`` the current screen ("panel" goes back to the caller panel)."""
        self.caller.current = name

    def show_list(self) -> None:
        """The department's list, read again."""
        self.listing.open()

    def show_case(self, case: dict, opened: dict | None = None) -> None:
        """One case (``opened``: the answer of POST /cases, with its receipt and date)."""
        self.detail.show(case, opened)

    def gatekeeper(self, department: str) -> bool:
        """把关权 in ``department`` for the signed-in clerk (the sign-in answer says)."""
        return any(d["code"] == department and d.get("gatekeeper") for d in self.departments)

    def matter_name(self, code: str, lang: str) -> str:
        """A matter's name from the catalogue (its code without one)."""
        matter = self.ctx.catalogue.get(code) if self.ctx.catalogue is not None else None
        if matter is None:
            return code
        return matter.name_en or matter.name if lang == "en" else matter.name

    def window_matters(self) -> list[dict]:
        """The matters of this window's department, with names and materials from the catalogue.

        Without a catalogue on this machine the codes are shown and no materials listed.
        """
        catalogue = self.ctx.catalogue
        found = []
        for dept in self.departments:
            if not dept.get("window"):
                continue
            for code in dept.get("matters", []):
                matter = catalogue.get(code) if catalogue is not None else None
                if matter is None:
                    found.append({"code": code, "name": {}, "materials": []})
                    continue
                found.append(
                    {
                        "code": code,
                        "name": {"zh": matter.name, "en": matter.name_en or matter.name},
                        "materials": [
                            {"name": m.name, "mandatory": m.mandatory} for m in matter.materials
                        ],
                    }
                )
        return found

    # -- the panel's hooks ---------------------------------------------------------------
    def offer(self, number: str, ticket_id: str, kind: str) -> None:
        """After 办结 as ``kind``: offer 登记办件 for the ticket (tracked kinds only)."""
        matters = self.window_matters()
        if kind not in OFFER_KINDS or not matters or not ticket_id:
            return
        title = self.panel.tr("cases.offer", number=number, kind=kind_name(self.panel.tr, kind))
        options = [("open-case", self.panel.tr("cases.open_case"))]
        self.panel.open_sheet(
            "", options, lambda _v: self.open_case(number, ticket_id, kind, matters), title=title
        )

    def open_case(self, number: str, ticket_id: str, kind: str, matters: list[dict]) -> None:
        """The 登记办件 form for the finished ticket."""
        own = {d["code"] for d in self.departments if d.get("window")}
        others = [d for d in self.hall_departments if d["code"] not in own]
        self.open_form.start(number, ticket_id, kind, matters, others)
        self.show(self.open_form.name)

    def changed(self, _data: dict) -> None:
        """A ``case.changed`` event: the warnings and the list on screen are read again."""
        if self.departments:
            self.count_warnings()
        self.listing.changed()

    def card_read(self, card: Any) -> None:
        """An ID card on the window's reader (Kivy thread): where it is asked for, it fills in."""
        current = self.caller.current
        if current == self.open_form.name:
            self.open_form.card_read(card.number, card.name)
        elif current == self.detail.name:
            self.detail.card_read(card.number)

    def shutdown(self) -> None:
        """At the role's end: the A4 pages go."""
        notices.forget_pages()
