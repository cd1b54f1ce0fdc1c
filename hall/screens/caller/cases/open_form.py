"""登记办件: open a case from the ticket just finished at this window (POST /api/v1/cases).

The clerk picks the matter (the window's department's matters, the only one picked
already), the applicant's name and ID number come from the window's ID card reader
where there is one (or are typed), the phone is optional, and the materials are a
checklist from the catalogue (必交 marked; "all received" ticks every one). A
mandatory material left unticked opens the case as 待补正 with its 补正 notice: the
daemon decides, the form only says what was handed in. A 联办件 names
its co-departments (联办部门; the daemon gives each a step). The ticket is already
finished when this form shows: leaving it (不登记) loses nothing.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from hall.screens.caller.cases.base import CaseScreen, kind_name, option_buttons
from hall.screens.caller.cases.rules import pick


class CaseOpenScreen(CaseScreen):
    """The form of one new case: matter, applicant, materials; submit or leave."""

    hall_id = StringProperty("case-open")
    number = StringProperty("")  # the finished ticket's number (C001)
    kind = StringProperty("")  # 承诺件 | 联办件 | 上报件 | 即办件
    matter = StringProperty("")  # the code picked
    has_reader = BooleanProperty(False)
    co_heading = StringProperty("")  # 联办部门 (联办件 only)

    def __init__(self, host: Any, **kwargs: Any) -> None:
        self.ticket_id = ""
        self.matters: list[dict] = []
        self.present: set[str] = set()
        self.others: list[dict] = []  # departments a 联办件 may name as co-departments
        self.co: list[str] = []  # the co-departments chosen, in the order tapped
        super().__init__(host, **kwargs)
        self.has_reader = host.ctx.id_reader is not None

    def title_text(self, number: str, kind: str, *_bound: object) -> str:
        """登记办件 · C001 · 承诺件."""
        return self.tr("cases.open_title", number=number, kind=kind_name(self.tr, kind))

    def start(
        self, number: str, ticket_id: str, kind: str, matters: list[dict], others: list[dict]
    ) -> None:
        """A blank form for the ticket ``number`` just finished as ``kind``.

        ``others``: the departments a 联办件 may name as co-departments (联办部门).
        """
        self.number, self.ticket_id, self.kind = number, ticket_id, kind
        self.matters = matters
        self.others = others if kind == "联办件" else []
        self.co = []
        self.matter = matters[0]["code"] if len(matters) == 1 else ""
        self.present = set()
        for key in ("name", "id_number", "phone"):
            self.ids[key].text = ""
        self.say("")
        self.busy = False
        self._show()

    def on_lang(self, *_args: object) -> None:
        """Matter names and material labels follow the language."""
        if self.matters:
            self._show()

    # -- what is shown -------------------------------------------------------------------
    def _current(self) -> dict | None:
        return next((m for m in self.matters if m["code"] == self.matter), None)

    def _show(self) -> None:
        options = [(m["code"], pick(m["name"], self.lang, m["code"])) for m in self.matters]
        option_buttons(
            self.ids.matters, options, lambda c: c == self.matter, self.pick_matter, "matter"
        )
        matter = self._current()
        materials = matter["materials"] if matter else []
        labels = []
        for i, m in enumerate(materials):
            key = "cases.material_mandatory" if m["mandatory"] else "cases.material_optional"
            state = self.tr("cases.received" if m["name"] in self.present else "cases.not_received")
            labels.append((str(i), f"{state}  {self.tr(key, name=m['name'])}"))
        names = {str(i): m["name"] for i, m in enumerate(materials)}
        option_buttons(
            self.ids.materials,
            labels,
            lambda i: names[i] in self.present,
            lambda i: self.toggle(names[i]),
            "material",
        )
        options = [(d["code"], pick(d["name"], self.lang, d["code"])) for d in self.others]
        option_buttons(self.ids.co, options, lambda c: c in self.co, self.toggle_co, "co")
        self.co_heading = self.tr("cases.co_departments") if self.others else ""

    # -- taps ----------------------------------------------------------------------------
    def pick_matter(self, code: str) -> None:
        """Choose the matter (its materials replace the checklist)."""
        if code != self.matter:
            self.matter, self.present = code, set()
        self._show()

    def toggle(self, name: str) -> None:
        """Tick or untick a material as handed in."""
        self.present ^= {name}
        self._show()

    def toggle_co(self, code: str) -> None:
        """Name or drop a co-department of the 联办件 (their steps follow in this order)."""
        self.co = [c for c in self.co if c != code] if code in self.co else [*self.co, code]
        self._show()

    def all_present(self) -> None:
        """Every material of the matter handed in."""
        matter = self._current()
        if matter:
            self.present = {m["name"] for m in matter["materials"]}
            self._show()

    def card_read(self, number: str, name: str | None) -> None:
        """A card on the window's reader: the applicant's ID number (and name)."""
        self.ids.id_number.text = number
        if name:
            self.ids.name.text = name

    def cancel(self) -> None:
        """不登记: back to the panel; the ticket stays finished."""
        self.say("")
        self.host.show("panel")

    def body(self) -> dict[str, Any]:
        """The body of POST /cases from the form."""
        matter = self._current() or {"materials": []}
        applicant = {
            "name": self.ids.name.text.strip(),
            "id_number": self.ids.id_number.text.strip().upper(),
        }
        if self.ids.phone.text.strip():
            applicant["phone"] = self.ids.phone.text.strip()
        materials = [
            {"name": m["name"], "mandatory": m["mandatory"], "present": m["name"] in self.present}
            for m in matter["materials"]
        ]
        body = {
            "ticket_id": self.ticket_id,
            "matter": self.matter,
            "kind": self.kind,
            "applicant": applicant,
            "materials": materials,
        }
        if self.co:
            body["co_departments"] = list(self.co)
        return body

    def submit(self) -> None:
        """Open the case on the daemon; its detail (receipt, promised date) follows."""
        body = self.body()
        if not body["applicant"]["name"] or not body["applicant"]["id_number"]:
            self.say(self.tr("cases.need_applicant"), error=True)
            return
        client = self.host.ctx.client
        self.call(lambda: client.open_case(body), self._opened)

    def _opened(self, answer: dict) -> None:
        case = answer.get("case") or {"receipt": answer["receipt"], "status": answer["status"]}
        self.host.show_case(case, opened=answer)
