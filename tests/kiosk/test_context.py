"""KioskContext is typed: every device and store field names its class (TYPE_CHECKING imports)."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

from hall.catalogue import Catalogue
from hall.config import FaceSection
from hall.drivers.camera import Camera
from hall.drivers.idreader import IdCardReader
from hall.drivers.port import SerialLink
from hall.drivers.printer import TicketPrinter
from hall.kiosk import context
from hall.kiosk.context import KioskContext
from hall.kiosk.face_checkin import FaceTerminal
from hall.kiosk.face_store import CitizenFaces
from hall.kiosk.outbox import TerminalOutbox
from hall.vision.face import FaceEngine
from hall.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parents[2]
TYPED = {
    "printer": TicketPrinter,
    "catalogue": Catalogue,
    "calendar": WorkCalendar,
    "outbox": TerminalOutbox,
    "camera": Camera,
    "id_reader": IdCardReader,
    "id_link": SerialLink,
    "face_config": FaceSection,
    "face_engine": FaceEngine,
    "face_camera": Camera,
    "face_terminal": FaceTerminal,
    "citizen_faces": CitizenFaces,
}


def test_device_and_store_fields_name_their_class() -> None:
    hints = typing.get_type_hints(KioskContext, vars(context) | globals())
    for name, cls in TYPED.items():
        assert hints[name] == cls | None, name


def test_the_context_module_does_not_load_opencv() -> None:
    """The classes are for type checkers only: importing the context stays light."""
    probe = "import sys, hall.kiosk.context; print('cv2' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "False"
