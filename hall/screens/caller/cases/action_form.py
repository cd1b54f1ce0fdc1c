"""The inputs an action asks for before it is sent: 补正 items, a reason, days, an ID number.

Built into the case screen's ``form`` box from :func:`rules.fields_for`: a checklist
(the case's materials, every missing one ticked at once: 一次性告知), a choice (the
suspension's reason 听证/专家评审/公告/现场勘查/其他, the extension's days, window or
post), or a text box; then 取消 and 确认. 确认 waits until every required input is
given; the daemon checks the rest and its refusal is shown in its words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.factory import Factory
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from hall.screens.caller.cases.base import option_buttons
from hall.screens.caller.cases.rules import Field, fields_for, missing_inputs


class ActionForm:
    """The form of one action on one case, drawn into ``box``."""

    def __init__(
        self,
        box: BoxLayout,
        action: str,
        case: dict,
        tr: Callable[..., str],
        on_confirm: Callable[[dict], None],
        on_cancel: Callable[[], None],
    ) -> None:
        self.box, self.action, self.case, self.tr = box, action, case, tr
        self.on_confirm, self.on_cancel = on_confirm, on_cancel
        self.values: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}
        self.draw()

    def label(self, f: Field, value: str) -> str:
        """An option's words: 听证 / Hearing, 5 个工作日, 窗口领取 … (materials as named)."""
        if f.key == "reason":
            return self.tr(f"cases.reason_{value}")
        if f.key == "days":
            return self.tr("cases.days", days=value)
        if f.key == "by":
            return self.tr(f"cases.by_{value}")
        return value

    def draw(self) -> None:
        """(Re)draw every input shown for the values so far, then 取消 / 确认."""
        box = self.box
        box.clear_widgets()
        self.inputs = {}
        box.add_widget(Factory.CaseHeading(text=self.tr(f"cases.form_{self.action}")))
        for f in fields_for(self.action, self.case):
            if not f.shown(self.values):
                continue
            box.add_widget(Factory.CaseText(text=self.tr(f"cases.field_{f.key}")))
            if f.kind == "text":
                entry = Factory.CaseInput(
                    hall_id=f"input-{f.key}", text=str(self.values.get(f.key, ""))
                )
                entry.bind(text=lambda _w, text, k=f.key: self._typed(k, text))
                self.inputs[f.key] = entry
                box.add_widget(entry)
                continue
            grid = GridLayout(cols=1 if f.kind == "checklist" else 3, spacing=dp(10))
            grid.size_hint_y = None
            grid.bind(minimum_height=grid.setter("height"))
            options = [(v, self.label(f, v)) for v in f.options]
            option_buttons(
                grid,
                options,
                lambda v, f=f: self._chosen(f, v),
                lambda v, f=f: self.pick(f, v),
                f.key,
            )
            box.add_widget(grid)
        bar = Factory.CaseBar()
        cancel = Factory.CallerButton(
            text=self.tr("app.cancel"), hall_id="form-cancel", bg=(0.35, 0.38, 0.45, 1)
        )
        cancel.bind(on_release=lambda _b: self.on_cancel())
        confirm = Factory.CallerButton(
            text=self.tr("cases.confirm"), hall_id="form-confirm", bg=(0.08, 0.55, 0.25, 1)
        )
        confirm.disabled = bool(missing_inputs(self.action, self.case, self.values))
        confirm.bind(on_release=lambda _b: self.confirm())
        self.confirm_button = confirm
        bar.add_widget(cancel)
        bar.add_widget(confirm)
        box.add_widget(bar)

    def _chosen(self, f: Field, value: str) -> bool:
        current = self.values.get(f.key)
        return value in (current or []) if f.kind == "checklist" else value == current

    def pick(self, f: Field, value: str) -> None:
        """Tick/untick a checklist item, or choose one option."""
        if f.kind == "checklist":
            current = list(self.values.get(f.key, []))
            current.remove(value) if value in current else current.append(value)
            self.values[f.key] = current
        else:
            self.values[f.key] = value
        self.draw()

    def _typed(self, key: str, text: str) -> None:
        self.values[key] = text
        self.confirm_button.disabled = bool(missing_inputs(self.action, self.case, self.values))

    def fill(self, key: str, text: str) -> bool:
        """Put ``text`` in input ``key`` if it is shown (an ID card read); True if it was."""
        entry = self.inputs.get(key)
        if entry is None:
            return False
        entry.text = text
        return True

    def confirm(self) -> None:
        """Send the action with the values given."""
        if not missing_inputs(self.action, self.case, self.values):
            self.on_confirm(dict(self.values))
