"""本部门办件: the cases of the clerk's department (GET /api/v1/cases), by warning or status.

Filters: 全部 (all), 黄牌 (due soon), 红牌 (overdue), 待补正 (waiting for the citizen),
暂停 (suspended). A row says the receipt, the matter, the status, the promised date
and the days left, and is coloured yellow or red with the warning written out too
(never colour alone). Tapping a row opens the case. A B岗 clerk covering another
department's window picks which department's cases are shown. The list is read
when it is shown, on a filter, on 刷新 and when a ``case.changed`` event comes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.factory import Factory
from kivy.properties import StringProperty

from hall.screens.caller.cases.base import CaseScreen, option_buttons
from hall.screens.caller.cases.rules import (
    FILTERS,
    clock_words,
    pick,
    promised_of,
    running,
    warning_of,
)
from hall.workdays import CalendarError


class CaseListScreen(CaseScreen):
    """One department's cases under a filter."""

    hall_id = StringProperty("case-list")
    department = StringProperty("")  # its code
    filter = StringProperty("all")
    summary = StringProperty("")

    def __init__(self, host: Any, **kwargs: Any) -> None:
        self.cases: list[dict] = []
        self.today = ""  # the daemon's day of the last read (YYYY-MM-DD)
        self._again = False  # an event came while a read was under way
        super().__init__(host, **kwargs)

    def title_text(self, department: str, *_bound: object) -> str:
        """本部门办件 · 不动产登记中心."""
        dept = next((d for d in self.host.departments if d["code"] == department), None)
        name = pick(dept["name"], self.lang, department) if dept else department
        return self.tr("cases.list_title", department=name)

    def open(self, department: str | None = None) -> None:
        """Show the list (of ``department``, else the one shown last or the first) and read it."""
        codes = [d["code"] for d in self.host.departments]
        if department in codes:
            self.department = department
        elif self.department not in codes:
            self.department = codes[0] if codes else ""
        self._show_choices()
        self._show_rows()
        self.host.show(self.name)
        self.load()

    def on_lang(self, *_args: object) -> None:
        """Filter names and rows follow the language."""
        self._show_choices()
        self._show_rows()

    def _show_choices(self) -> None:
        options = [(key, self.tr(f"cases.filter_{key}")) for key in FILTERS]
        option_buttons(self.ids.filters, options, lambda k: k == self.filter, self.pick, "filter")
        departments = self.host.departments if len(self.host.departments) > 1 else []
        options = [(d["code"], pick(d["name"], self.lang, d["code"])) for d in departments]
        option_buttons(
            self.ids.departments,
            options,
            lambda c: c == self.department,
            self.pick_department,
            "department",
        )

    def pick(self, key: str) -> None:
        """Show another filter."""
        self.filter = key
        self._show_choices()
        self.load()

    def pick_department(self, code: str) -> None:
        """A B岗 clerk covering two departments: show the other's cases."""
        self.department = code
        self._show_choices()
        self.load()

    def load(self) -> None:
        """Read the list from the daemon (once more after a read under way, if asked)."""
        if self.busy:
            self._again = True
            return
        client = self.host.ctx.client
        query = {"department": self.department, **FILTERS[self.filter]}
        self.call(lambda: client.case_list(**query), self._loaded)

    def changed(self) -> None:
        """A ``case.changed`` event: read the list again if it is on screen."""
        if self.manager is not None and self.manager.current == self.name:
            self.load()

    def _loaded(self, answer: dict) -> None:
        self.cases, self.today = answer["cases"], answer.get("today", "")
        self._show_rows()
        if self._again:
            self._again = False
            self.load()

    def refused(self, exc: Any) -> None:
        """A refused read clears the pending re-read, then says why."""
        self._again = False
        super().refused(exc)

    def row_text(self, case: dict) -> str:
        """Two lines: receipt and matter; warning, status and the clock."""
        matter = pick(case.get("matter_name"), self.lang) or self.host.matter_name(
            case.get("matter", ""), self.lang
        )
        status = pick(case.get("status_label"), self.lang, case.get("status", ""))
        warning = warning_of(case)
        flag = self.tr(f"cases.flag_{warning}") + "  " if warning in ("yellow", "red") else ""
        clock = clock_words(case, self.lang, self.tr, self.left(case))
        return f"{case['receipt']}  {matter}\n{flag}{status} · {clock}"

    def left(self, case: dict) -> int | None:
        """Working days from the daemon's today to the promised date, on the hall's calendar."""
        calendar, promised = self.host.ctx.calendar, promised_of(case)
        if calendar is None or not promised or not self.today or not running(case):
            return None
        try:
            today, due = dt.date.fromisoformat(self.today), dt.date.fromisoformat(promised)
            return calendar.working_days_between(today, due)
        except (ValueError, CalendarError):  # a year without a table: the date alone
            return None

    def _show_rows(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for case in self.cases:
            row = Factory.CaseRow(text=self.row_text(case), hall_id=f"case-{case['receipt']}")
            row.warning = warning_of(case) or ""  # a kv-declared property: set after the rule
            row.bind(on_release=lambda _b, c=case: self.host.show_case(c))
            box.add_widget(row)
        key = "cases.count" if self.cases else "cases.none"
        self.summary = self.tr(key, count=len(self.cases))

    def back(self) -> None:
        """Back to the caller panel."""
        self.host.show("panel")
