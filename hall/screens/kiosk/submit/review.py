"""自助申报, step 5: review (核对) everything before submitting.

Shows the matter, the applicant (ID number and phone partly hidden from
people standing behind), the form, and each material: photographed, not
given (mandatory ones will be listed on a 补正材料通知书), or to be handed in
at a window. "Submit" stores the case on the terminal (controller).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from hall.screens.kiosk.submit.matters import matter_title
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import KioskScreen, WrapLabel


def hide_middle(text: str, keep_start: int, keep_end: int) -> str:
    """3201**********0035: the ends of a number, for a screen others may see."""
    if len(text) <= keep_start + keep_end:
        return text
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


class ReviewScreen(KioskScreen):
    """Everything the case will hold, and the submit button."""

    missing_count = NumericProperty(0)
    banner = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)

    @property
    def flow(self) -> Any:
        """The submission in progress."""
        return self.kiosk.submit.flow

    def open(self) -> None:
        """Show the case as it will be submitted."""
        self.error = ""
        self.busy = False
        self.relabel()
        self.ids.scroll.scroll_y = 1

    def relabel(self) -> None:
        """Every line in the current language."""
        body = self.ids.body
        body.clear_widgets()
        if not self.kiosk or self.kiosk.submit is None or self.flow.matter is None:
            return
        flow, m = self.flow, self.flow.matter
        self._section("submit.review_matter", [matter_title(m), m.department])
        a = flow.applicant
        self._section(
            "submit.review_applicant",
            [
                ui.t("submit.name_label") + ":" + a["name"],
                ui.t("submit.id_label") + ":" + hide_middle(a["id_number"], 4, 4),
                ui.t("submit.phone_label") + ":" + hide_middle(a["phone"], 3, 4),
            ],
        )
        values = flow.form_values()
        lines = [
            (f.label_zh if ui.lang == "zh" else f.label_en) + ":" + (values.get(f.name) or "—")
            for f in flow.form_fields()
        ]
        if lines:
            self._section("submit.review_form", lines)
        missing = set(flow.missing())
        lines = []
        for mat in m.materials:
            if mat.name in flow.shots:
                state = ui.t("submit.state_captured")
            elif mat.name in missing:
                state = ui.t("submit.state_missing")
            elif not mat.camera:
                state = ui.t("submit.state_window")
            else:
                state = ui.t("submit.state_not_given")
            lines.append(f"{mat.name}:{state}")
        self._section("guide.materials", lines, missing={f"{n}:" for n in missing})
        self.missing_count = len(missing)
        self.banner = (
            ui.t("submit.banner_missing", count=len(missing))
            if missing
            else ui.t("submit.banner_complete")
        )

    def _section(self, heading_key: str, lines: list[str], missing: set[str] = frozenset()) -> None:
        body = self.ids.body
        body.add_widget(
            WrapLabel(text=ui.t(heading_key), font_base=34, bold=True, color=Palette.BLUE)
        )
        for line in lines:
            bad = any(line.startswith(prefix) for prefix in missing)
            body.add_widget(
                WrapLabel(
                    text=line, font_base=32, bold=bad, color=Palette.RED if bad else Palette.INK
                )
            )

    def show_error(self, text: str) -> None:
        """Storing failed: nothing was submitted; say so."""
        self.busy = False
        self.error = text

    def clear_personal(self) -> None:
        """Take the case off the screen."""
        self.ids.body.clear_widgets()
        self.banner = self.error = ""
        self.busy = False
        self.missing_count = 0


Builder.load_file(str(Path(__file__).with_name("review.kv")))
