"""One case on the caller panel: its status, clock, facts and history, and what may be done.

The screen shows the case as GET /api/v1/cases/{receipt} describes it (the applicant's
ID in full only there, for staff of the case's department) and one button per action
its status allows (:func:`rules.actions_for`): 受理, 补正 (every missing item at once),
材料补齐, 暂停计时 (听证/专家评审/公告/现场勘查), 恢复计时, 办结, 待领取, 领取/寄出 (an ID
read from the window's reader or typed; or the express tracking number) and, for the
department's chief or deputy only, 延期 and 不予受理 (把关权); 联办环节办结 to the
co-department whose step is current (a 联办件 appears in its list too), 上报 and 上级答复
on a 上报件 (:func:`rules.step_actions`). The daemon has the last
word: a 403 or 409 is shown as it worded it. The notice that fits the case's status
(承诺/补正/延期/退件/领取) prints on the window printer where there is one and always
opens as an A4 page in the system browser.
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from hall.screens.caller.cases import notices
from hall.screens.caller.cases.action_form import ActionForm
from hall.screens.caller.cases.base import CaseScreen, kind_name
from hall.screens.caller.cases.rules import (
    actions_for,
    body_of,
    clock_words,
    fields_for,
    pick,
    step_actions,
    warning_of,
)


class CaseDetailScreen(CaseScreen):
    """One case: what it is, where its clock stands, the actions open to this clerk."""

    hall_id = StringProperty("case-detail")
    heading = StringProperty("")
    opened_text = StringProperty("")  # right after 登记办件: receipt and promised date
    status_text = StringProperty("")
    clock_text = StringProperty("")
    facts_text = StringProperty("")
    history_text = StringProperty("")
    warning = StringProperty("")
    notice_kind = StringProperty("")
    can_print = BooleanProperty(False)

    def __init__(self, host: Any, **kwargs: Any) -> None:
        self.case: dict = {}
        self.opened: dict | None = None
        self.form: ActionForm | None = None
        super().__init__(host, **kwargs)
        self.can_print = host.ctx.printer is not None
        if not self.can_print:  # no window printer: the A4 page only
            self.ids.print_btn.parent.remove_widget(self.ids.print_btn)

    # -- showing -------------------------------------------------------------------------
    def show(self, case: dict, opened: dict | None = None) -> None:
        """Show ``case`` now, then read it in full from the daemon."""
        self.opened = opened
        self.say("")
        self._close_form()
        self._apply(case)
        self.host.show(self.name)
        receipt, client = case["receipt"], self.host.ctx.client
        self.call(lambda: client.case(receipt), self._apply)

    def on_lang(self, *_args: object) -> None:
        """Every text follows the language."""
        if self.case:
            self._apply(self.case)

    def _apply(self, case: dict) -> None:
        self.case = case
        lang = self.lang
        matter = pick(case.get("matter_name"), lang, case.get("matter", ""))
        self.heading = f"{case['receipt']}  {matter}"
        self.status_text = self.tr(
            "cases.status_line",
            status=pick(case.get("status_label"), lang, case.get("status", "")),
            kind=kind_name(self.tr, case.get("kind", "")),
        )
        self.warning = warning_of(case) or ""
        flag = self.tr(f"cases.flag_{self.warning}") + "  " if self.warning else ""
        self.clock_text = flag + clock_words(case, lang, self.tr)
        self.facts_text = self._facts(case)
        self.history_text = self._history(case)
        self.opened_text = self._opened_line(case)
        self.notice_kind = notices.kind_for(case)
        self._show_actions()

    def _opened_line(self, case: dict) -> str:
        if self.opened is None:
            return ""
        promised = self.opened.get("promised_date") or (case.get("clock") or {}).get(
            "promised_date"
        )
        key = "cases.opened" if promised else "cases.opened_stopped"
        return self.tr(key, receipt=case["receipt"], date=promised or "")

    def _facts(self, case: dict) -> str:
        lines = []
        applicant = case.get("applicant") or {}
        if applicant:
            lines.append(
                self.tr(
                    "cases.fact_applicant",
                    name=applicant.get("name", ""),
                    id=applicant.get("id_number", ""),
                )
            )
        department = pick(case.get("department_name"), self.lang, case.get("department", ""))
        if department:
            lines.append(self.tr("cases.fact_department", department=department))
        if case.get("missing"):
            lines.append(self.tr("cases.fact_missing", items="、".join(case["missing"])))
        if case.get("extension"):
            ext = case["extension"]
            lines.append(self.tr("cases.fact_extension", days=ext["days"], reason=ext["reason"]))
        if case.get("rejection"):
            rej = case["rejection"]
            lines.append(self.tr("cases.fact_rejection", reason=rej["reason"], basis=rej["basis"]))
        if case.get("delivery"):
            d = case["delivery"]
            how = self.tr(f"cases.by_{d.get('by', 'window')}")
            lines.append(self.tr("cases.fact_delivery", by=how, tracking=d.get("tracking") or ""))
        lines.extend(self._steps(case))
        return "\n".join(lines)

    def _steps(self, case: dict) -> list[str]:
        """联办: each co-department's step and where it stands; 上报: to whom, answered or not."""
        names = {d["code"]: d["name"] for d in getattr(self.host, "hall_departments", [])}
        lines = []
        for step in case.get("steps") or []:
            if step.get("role") == "co":
                state = (
                    "done"
                    if step.get("done_at")
                    else "working"
                    if step.get("received_at")
                    else "waiting"
                )
                lines.append(
                    self.tr(
                        "cases.fact_step",
                        seq=step["seq"],
                        department=pick(
                            names.get(step["department"]), self.lang, step["department"]
                        ),
                        state=self.tr(f"cases.step_{state}"),
                        due=step.get("due_date") or "—",
                    )
                )
            elif step.get("role") == "upper":
                state = "answered" if step.get("done_at") else "waiting"
                lines.append(
                    self.tr(
                        "cases.fact_upper",
                        to=step["department"],
                        state=self.tr(f"cases.upper_{state}"),
                    )
                )
        return lines

    def _history(self, case: dict) -> str:
        """The last events, newest last: day, action, by whom."""
        rows = []
        for event in (case.get("history") or [])[-6:]:
            action = event.get("action", "")
            key = f"cases.act_{action}"
            name = self.tr(key) if key in self.strings.table[self.lang] else action
            rows.append(f"{event.get('day', '')}  {name}  {event.get('actor', '')}")
        return "\n".join(rows)

    def _show_actions(self) -> None:
        box = self.ids.actions
        box.clear_widgets()
        if self.form is not None:
            return  # the form of the action picked is open instead
        department = self.case.get("department", "")
        ours = {d["code"] for d in self.host.departments}
        gatekeeper = self.host.gatekeeper(department)
        # A 联办 co-department reads the case and marks its own step only.
        offered = actions_for(self.case, gatekeeper) if not department or department in ours else []
        for action in offered + step_actions(self.case, ours):
            button = Factory.CallerButton(
                text=self.tr(f"cases.act_{action}"),
                hall_id=f"act-{action}",
                font_size="32sp",
                size_hint_y=None,
                height=dp(110),
                bg=(0.62, 0.20, 0.12, 1)
                if action in ("extend", "reject")
                else (0.13, 0.40, 0.75, 1),
            )
            button.bind(on_release=lambda _b, a=action: self.choose(a))
            box.add_widget(button)

    # -- acting --------------------------------------------------------------------------
    def choose(self, action: str) -> None:
        """An action button: sent at once, or its form first (reason, items, days …)."""
        if self.busy:
            return
        if not fields_for(action, self.case):
            self.act(action, {})
            return
        self.form = ActionForm(
            self.ids.form, action, self.case, self.tr, lambda v: self.act(action, v), self.cancel
        )
        self._show_actions()

    def cancel(self) -> None:
        """Leave the action's form; nothing is sent."""
        self._close_form()
        self._show_actions()

    def _close_form(self) -> None:
        self.form = None
        self.ids.form.clear_widgets()

    def act(self, action: str, values: dict) -> None:
        """POST the action; the case as it is now comes back (or the daemon's refusal)."""
        body = body_of(action, self.case, values)
        receipt, client = self.case["receipt"], self.host.ctx.client

        def done(answer: dict) -> None:
            self._close_form()
            self.opened = None
            self._apply(answer["case"] if isinstance(answer.get("case"), dict) else answer)
            self.say(self.tr("cases.done", action=self.tr(f"cases.act_{action}")))

        self.call(lambda: client.case_action(receipt, action, body), done)

    def card_read(self, number: str) -> bool:
        """A card on the window's reader: the ID of the person picking up, if asked for."""
        return self.form is not None and self.form.fill("id_number", number)

    # -- notices -------------------------------------------------------------------------
    def print_label(self, kind: str, *_bound: object) -> str:
        """The print button: 打印承诺通知书 (the notice the status calls for)."""
        return self.tr("cases.print", notice=self.tr(f"cases.notice_{kind}")) if kind else ""

    def page_label(self, kind: str, *_bound: object) -> str:
        """The A4 button: 打开承诺通知书（A4）."""
        return self.tr("cases.page", notice=self.tr(f"cases.notice_{kind}")) if kind else ""

    def _key(self) -> str | None:
        """The rating key of the case just opened, for its 承诺通知书's QR (only then)."""
        if self.opened is None or self.notice_kind != self.opened.get("notice"):
            return None
        return self.opened.get("rating_key")

    def print_notice(self) -> None:
        """The notice on the window printer (read from the daemon, printed on the worker)."""
        receipt, kind, ctx, key = self.case["receipt"], self.notice_kind, self.host.ctx, self._key()
        self.call(
            lambda: notices.print_notice(ctx, receipt, kind, key),
            lambda _r: self.say(self.tr("cases.printed")),
        )

    def open_page(self) -> None:
        """The notice's A4 page in the system browser."""
        receipt, kind, ctx, key = self.case["receipt"], self.notice_kind, self.host.ctx, self._key()
        self.call(
            lambda: notices.open_page(ctx, receipt, kind, key),
            lambda _url: self.say(self.tr("cases.page_opened")),
        )

    def back(self) -> None:
        """Back to the department's list."""
        self._close_form()
        self.host.show_list()
