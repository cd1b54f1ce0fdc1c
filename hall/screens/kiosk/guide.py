"""办事指南: browse each service's guide (materials, time limits, fees, phone numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from hall.kiosk.guide import guide_text
from hall.screens.kiosk.ui import Palette, keep_numbers, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen, WrapLabel


def _fit_height(button: FlatButton, texture_size: list[float]) -> None:
    """A menu button grows with its text (a long English name wraps to two lines)."""
    button.height = max(130 * ui.box, texture_size[1] + 24)


class GuideScreen(KioskScreen):
    """A list of services on the left, the chosen one's guide on the right."""

    code = StringProperty("")
    title = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.services: list[dict[str, Any]] = []
        super().__init__(**kwargs)

    @property
    def guide(self) -> dict[str, dict[str, Any]]:
        """The 办事指南 data (``ctx.guide``)."""
        return self.kiosk.ctx.guide if self.kiosk else {}

    def set_services(self, services: list[dict[str, Any]]) -> None:
        """The daemon's services, to list them in its order (guide-only entries follow)."""
        self.services = services

    def codes(self) -> list[str]:
        """Service codes that have a guide, in the order the hall lists them."""
        ordered = [s["code"] for s in self.services if s["code"] in self.guide]
        return ordered + [c for c in self.guide if c not in ordered]

    def open(self, code: str | None = None) -> None:
        """Show the guide of ``code`` (default: the first service)."""
        codes = self.codes()
        self.code = code if code in codes else (codes[0] if codes else "")
        self.relabel()

    def relabel(self) -> None:
        """Rebuild the list and the chosen entry in the current language."""
        menu, body = self.ids.menu, self.ids.body
        menu.clear_widgets()
        for code in self.codes():
            chosen = code == self.code
            button = FlatButton(
                hall_id=f"guide-{code}",
                text=self.guide[code]["title"][ui.lang],
                font_base=28,
                size_hint_y=None,
                height=130 * ui.box,
                bg=Palette.BLUE if chosen else Palette.CARD,
                fg=Palette.WHITE if chosen else Palette.BLUE,
            )
            button.bind(on_release=lambda _b, c=code: self.open(c), texture_size=_fit_height)
            menu.add_widget(button)
        body.clear_widgets()
        if not self.code:
            self.title = ui.t("guide.empty")
            return
        entry = guide_text(self.guide[self.code], ui.lang)
        self.title = entry["title"]
        self._section(body, "guide.department", [entry["department"]])
        if entry["conditions"]:
            self._section(body, "guide.conditions", [entry["conditions"]])
        self._section(
            body,
            "guide.materials",
            [
                ui.t("guide.item", n=i, text=text) + ("" if required else ui.t("guide.optional"))
                for i, (text, required) in enumerate(entry["materials"], 1)
            ],
        )
        promised = entry["promised_days"]
        limits = [
            ui.t("guide.promised_days", days=promised) if promised else ui.t("guide.on_the_spot")
        ]
        if entry["legal_days"] is not None:
            limits.append(ui.t("guide.legal_days", days=entry["legal_days"]))
        self._section(body, "guide.time_limits", limits)
        self._section(body, "guide.fees", [entry["fees"]])
        self._section(
            body,
            "guide.phones",
            [
                ui.t("guide.consult_phone", phone=keep_numbers(entry["consult_phone"])),
                ui.t("guide.complaint_phone", phone=keep_numbers(entry["complaint_phone"])),
            ],
        )
        if entry["notes"]:
            self._section(body, "guide.notes", [entry["notes"]])

    def _section(self, body: Any, heading_key: str, lines: list[str]) -> None:
        heading = WrapLabel(text=ui.t(heading_key), font_base=34, bold=True, color=Palette.BLUE)
        heading.hall_id = heading_key
        body.add_widget(heading)
        for line in lines:
            body.add_widget(WrapLabel(text=line, font_base=30))


Builder.load_file(str(Path(__file__).with_name("guide.kv")))
