"""自助申报, step 2: the matter's guide (办事指南, "六公开") before starting.

Shows the legal basis, conditions, materials (mandatory ones marked, and how
each reaches the hall from THIS kiosk: photographed here where it has a camera,
else brought to the place the hall configures, ``kiosk.correction_place``), legal and promised
time limits, fees and the consult / complaint phone numbers.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from hall.catalogue import Matter
from hall.screens.kiosk.submit.matters import matter_title
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import KioskScreen, WrapLabel


class MatterGuideScreen(KioskScreen):
    """One matter's six published items and the "start" button."""

    title = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self.matter: Matter | None = None
        super().__init__(**kwargs)

    def open(self, matter: Matter) -> None:
        """Show the guide of ``matter``."""
        self.matter = matter
        self.relabel()
        self.ids.scroll.scroll_y = 1

    def clear_personal(self) -> None:
        """Nothing personal here; forget the matter shown."""
        self.matter = None
        self.title = ""
        self.ids.body.clear_widgets()

    def relabel(self) -> None:
        """Every section in the current language."""
        body = self.ids.body
        body.clear_widgets()
        m = self.matter
        if m is None:
            return
        self.title = matter_title(m)
        self._section("guide.department", [f"{m.department} · {m.case_type.value}"])
        self._section("submit.legal_basis", [m.legal_basis])
        self._section(
            "guide.conditions",
            [ui.t("guide.item", n=i, text=c) for i, c in enumerate(m.conditions, 1)],
        )
        lines = []
        # A photo is promised only where this kiosk can take it (no camera: bring it).
        here = self.kiosk.ctx.camera is not None
        bring = ui.t("submit.bring_to", place=self.kiosk.settings.correction_place)
        for i, mat in enumerate(m.materials, 1):
            mark = ui.t("submit.mandatory" if mat.mandatory else "submit.optional")
            how = ui.t("submit.at_window") if not mat.camera else ui.t("submit.by_camera")
            if mat.camera and not here:
                how = bring
            copies = ui.t("submit.copies", n=mat.copies) if mat.copies > 1 else ""
            lines.append(
                ui.t("guide.item", n=i, text=f"{mat.name}【{mark}】{copies}")
                + f"\n{mat.description} · {how}"
            )
        self._section("guide.materials", lines)
        limits = [
            ui.t("guide.promised_days", days=m.promised_days)
            if m.promised_days
            else ui.t("guide.on_the_spot"),
            ui.t("guide.legal_days", days=m.legal_days),
        ]
        self._section("guide.time_limits", limits)
        self._section("guide.fees", [m.fees])
        self._section(
            "guide.phones",
            [
                ui.t("guide.consult_phone", phone=m.consult_phone),
                ui.t("guide.complaint_phone", phone=m.complaint_phone),
            ],
        )

    def _section(self, heading_key: str, lines: list[str]) -> None:
        body = self.ids.body
        heading = WrapLabel(text=ui.t(heading_key), font_base=34, bold=True, color=Palette.BLUE)
        heading.hall_id = heading_key
        body.add_widget(heading)
        for line in lines:
            body.add_widget(WrapLabel(text=line, font_base=30))


Builder.load_file(str(Path(__file__).with_name("guide.kv")))
