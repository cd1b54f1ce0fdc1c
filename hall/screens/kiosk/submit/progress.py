"""办件查询: receipt number + ID number → the case's status and history.

Both are typed on the keypad (the receipt keypad has the letter Z, the ID
keypad X); where the kiosk has a camera, "扫描通知书二维码" fills the receipt
from the QR code printed on the notice (the controller reads the frames,
:func:`hall.kiosk.receipt_qr.receipt_from_qr` takes the receipt out). The daemon answers with the status and its history, shown in the
language chosen, or with one "not found" for an unknown receipt and a wrong
ID number alike (so nobody can probe receipts).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)

from hall.kiosk.client import DaemonError
from hall.kiosk.entry import IdEntry
from hall.kiosk.form_entry import RECEIPT_PREFIX, ReceiptEntry, mask_id
from hall.kiosk.receipt_qr import ForeignCode, receipt_from_qr
from hall.screens.kiosk.keypad import Keypad  # noqa: F401 - used in kv
from hall.screens.kiosk.status import status_colour
from hall.screens.kiosk.submit.identify import EntryBox  # noqa: F401 - used in kv
from hall.screens.kiosk.submit.matters import matter_title
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import KioskScreen, WrapLabel

log = logging.getLogger(__name__)
#: Frames without a QR code before a scan gives up (a few seconds at the preview rate).
SCAN_FRAMES = 40


def _local(ts: str | None, tz: Any) -> str:
    if not ts:
        return ""
    return f"{dt.datetime.fromisoformat(ts).astimezone(tz):%Y-%m-%d %H:%M}"


class ProgressScreen(KioskScreen):
    """Two keypad entries, then the answer."""

    active = OptionProperty("receipt", options=["receipt", "id"])
    receipt_text = StringProperty("")
    id_text = StringProperty("")
    problem = StringProperty("")
    error = StringProperty("")
    status = StringProperty("")
    status_ink = ColorProperty(Palette.INK)
    busy = BooleanProperty(False)
    showing = BooleanProperty(False)
    ready = BooleanProperty(False)
    #: A camera is configured: the receipt can be scanned from the notice's QR code.
    can_scan = BooleanProperty(False)
    scanning = BooleanProperty(False)
    #: Which scan a frame was read for: a frame still in flight when the citizen taps
    #: scan again belongs to the earlier scan and must not end the new one.
    scan_id = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self.receipt = ReceiptEntry()
        self.id_entry = IdEntry()
        self.answer: dict[str, Any] | None = None
        self.scan_frames = SCAN_FRAMES
        self._misses = 0
        super().__init__(**kwargs)

    def open(self) -> None:
        """A fresh query."""
        self.clear_personal()
        self.can_scan = self.kiosk.ctx.camera is not None
        self._update()

    # -- scanning the notice's QR code (frames read and decoded by the controller) -------
    def start_scan(self) -> None:
        """Start looking for the notice's QR code (again: stop looking)."""
        if not self.can_scan or self.showing:
            return
        self.scanning = not self.scanning
        self.scan_id += 1
        self._misses = 0
        self.error = ""

    def scan_result(self, text: str | None, scan_id: int) -> None:
        """The QR text one camera frame gave (None: no code in that frame).

        ``scan_id`` is the :attr:`scan_id` when the frame was read; a frame of an earlier
        scan is dropped.
        """
        if not self.scanning or scan_id != self.scan_id:
            return
        if text is None:
            self._misses += 1
            if self._misses >= self.scan_frames:
                self.scanning = False
                self.error = ui.t("progress.scan_none")
            return
        self.scanning = False
        try:
            receipt = receipt_from_qr(text, self.kiosk.settings.progress_url)
        except ForeignCode as exc:
            log.info("scanned code refused: %s", exc)
            self.error = ui.t("progress.scan_foreign")
            return
        self.receipt.clear()
        for key in receipt:
            self.receipt.press(key)
        self.active = "id"
        self._update()

    def scan_failed(self) -> None:
        """The camera dropped out while scanning: type the receipt instead."""
        self.scanning = False
        self.error = ui.t("progress.scan_offline")

    def activate(self, which: str) -> None:
        """Type into the receipt ("receipt") or the ID number ("id")."""
        self.active = which
        self._update()

    def press(self, key: str) -> None:
        """A keypad key."""
        entry = self.receipt if self.active == "receipt" else self.id_entry
        entry.press(key)
        self.error = ""
        if self.active == "receipt" and self.receipt.complete and self.id_entry.empty:
            self.active = "id"
        self._update()

    def query(self) -> None:
        """Ask the daemon (on the worker)."""
        if not self.ready or self.busy:
            return
        self.busy = True
        self.error = ""
        self.kiosk.submit.query_progress(self.receipt.value, self.id_entry.value)

    def show_answer(self, answer: dict[str, Any]) -> None:
        """The case's status and history."""
        self.busy = False
        self.answer = answer
        self.showing = True
        self.relabel()

    def show_refusal(self, err: DaemonError) -> None:
        """The daemon's message (e.g. no such case for this receipt and ID)."""
        self.busy = False
        self.error = err.text(ui.lang)

    def again(self) -> None:
        """Back to the entries for another query."""
        self.open()

    def relabel(self) -> None:
        """Texts (and the answer) in the current language."""
        self.ids.keypad.relabel()
        self._update()
        body = self.ids.history
        body.clear_widgets()
        a = self.answer
        if a is None:
            self.status = ""
            return
        self.status = a["status_label"][ui.lang]
        self.status_ink = status_colour(a.get("status", ""))
        tz = self.kiosk.ctx.now().tzinfo
        matter = self.kiosk.ctx.catalogue.get(a["matter"]) if self.kiosk.ctx.catalogue else None
        lines = [
            ui.t("progress.receipt", receipt=a["receipt"]),
            ui.t("progress.matter", matter=matter_title(matter) if matter else a["matter"]),
            ui.t("progress.submitted", time=_local(a.get("submitted_at"), tz)),
        ]
        if a.get("promised_date"):
            lines.append(ui.t("progress.promised", date=a["promised_date"]))
        if a.get("overdue"):
            lines.append(ui.t("progress.overdue"))
        if a.get("missing"):
            lines.append(ui.t("progress.missing", items="、".join(a["missing"])))
        for line in lines:
            body.add_widget(WrapLabel(text=line, font_base=32))
        body.add_widget(
            WrapLabel(text=ui.t("progress.history"), font_base=34, bold=True, color=Palette.BLUE)
        )
        for h in a.get("history", []):
            text = f"{_local(h['ts'], tz)}  {h['label'][ui.lang]}"
            if h.get("note"):
                text += f"\n{h['note']}"
            body.add_widget(WrapLabel(text=text, font_base=30))

    def clear_personal(self) -> None:
        """Forget the receipt, the ID number and the answer."""
        self.receipt.clear()
        # Every receipt begins so (hall.kiosk.outbox): two taps fewer, and no "Z" to find.
        for key in RECEIPT_PREFIX:
            self.receipt.press(key)
        self.id_entry.clear()
        self.answer = None
        self.showing = self.busy = self.scanning = False
        self.error = self.status = ""
        self.active = "receipt"
        if "history" in self.ids:
            self.ids.history.clear_widgets()
        self._update()

    def _update(self) -> None:
        self.receipt_text = self.receipt.value
        # Once the answer shows, the ID number is masked (the screen faces the hall).
        self.id_text = mask_id(self.id_entry.value) if self.showing else self.id_entry.display()
        self.problem = self.id_entry.problem(ui.lang) or ""
        if "keypad" in self.ids:
            self.ids.keypad.keys = "123456789Z0" if self.active == "receipt" else "123456789X0"
        self.ready = self.receipt.complete and self.id_entry.complete


Builder.load_file(str(Path(__file__).with_name("progress.kv")))
