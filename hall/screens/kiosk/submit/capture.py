"""自助申报, step 4: photograph each material (材料拍摄) with the kiosk camera.

The live picture comes from the camera (read on the controller's camera
thread, shown as a texture); "take photo" runs
:func:`hall.vision.document.capture` on a fresh frame and shows the
straightened page with the verdict in plain words. A good page can be used
or retaken; a bad one (too blurry, too dark, glare, no page found) can only
be retaken or skipped. A skipped mandatory material is listed as missing
(补正材料通知书). Frames become textures through :mod:`hall.screens.common.picture`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty

from hall.screens.common.picture import pixels_texture
from hall.screens.kiosk.ui import ui
from hall.screens.kiosk.widgets import KioskScreen


class CaptureScreen(KioskScreen):
    """One material at a time: live picture, then the page and its verdict."""

    state = OptionProperty("preview", options=["preview", "working", "result", "no_camera"])
    index_text = StringProperty("")
    material_text = StringProperty("")
    description = StringProperty("")
    verdict = StringProperty("")
    verdict_ok = BooleanProperty(False)
    mandatory = BooleanProperty(True)
    preview = ObjectProperty(None, allownone=True)
    page = ObjectProperty(None, allownone=True)
    camera_problem = StringProperty("")
    #: Under the picture: how to lay the page (camera) or where to bring it (none).
    tip = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.index = 0
        self.result: Any = None  # the controller's Shot-in-waiting
        super().__init__(**kwargs)

    def open(self, index: int) -> None:
        """Show material ``index`` of the flow's camera materials, live picture first."""
        self.index = index
        self.result = None
        self.page = None
        self.verdict = ""
        self.state = "preview" if self.kiosk.ctx.camera is not None else "no_camera"
        self.relabel()

    def show_result(self, result: Any) -> None:
        """The page and its verdict (``result`` from the controller's capture job)."""
        self.result = result
        self.page = pixels_texture(*result.pixels) if result.pixels else None
        self.verdict_ok = result.verdict == "ok"
        self.state = "result"
        self.relabel()

    def camera_failed(self, why: str) -> None:
        """The camera is offline: say so; the citizen can skip (materials at a window)."""
        self.state = "no_camera"
        self.preview = None
        self.relabel()

    def relabel(self) -> None:
        """Texts of the material and verdict in the current language."""
        if not self.kiosk or self.kiosk.submit is None:
            return
        materials = self.kiosk.submit.flow.camera_materials()
        if not materials:
            return
        material = materials[min(self.index, len(materials) - 1)]
        self.mandatory = material.mandatory
        self.index_text = ui.t("capture.index", n=self.index + 1, total=len(materials))
        mark = ui.t("submit.mandatory" if material.mandatory else "submit.optional")
        self.material_text = f"{material.name}【{mark}】"
        self.description = material.description
        if self.result is not None:
            self.verdict = ui.t(f"capture.{self.result.verdict}")
        # Without a camera the texts name the button that is there (the skip button),
        # never "拍照", and say where the material goes instead.
        skip = ui.t("capture.skip_mandatory" if material.mandatory else "capture.skip_optional")
        place = self.kiosk.settings.correction_place
        if self.state == "no_camera":
            why = "capture.no_camera" if self.kiosk.ctx.camera is None else "capture.camera_offline"
            self.camera_problem = ui.t(why, skip=skip)
            bring = "capture.bring_mandatory" if material.mandatory else "capture.bring_optional"
            self.tip = ui.t(bring, place=place)
        else:
            self.camera_problem = ""
            self.tip = ui.t("capture.tip")

    def clear_personal(self) -> None:
        """Take the pictures off the screen."""
        self.result = None
        self.preview = None
        self.page = None
        self.verdict = ""
        self.state = "preview"


Builder.load_file(str(Path(__file__).with_name("capture.kv")))
