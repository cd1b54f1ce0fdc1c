"""What every screen is handed (KioskContext): daemon client, strings, printer, guide, settings.

For self-service submission it also holds the catalogue, work calendar, outbox and camera.

Screens never open devices or read config themselves (they get drivers handed
in), so tests can give them a real daemon on loopback and a simulated printer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient, EventFollower
from hall.kiosk.i18n import Strings

if TYPE_CHECKING:
    # For type checkers only: the context must not load escpos, OpenCV or the
    # face store just to be imported (the lobby role uses none of them).
    from hall.catalogue import Catalogue
    from hall.config import FaceSection
    from hall.drivers.camera import Camera
    from hall.drivers.idreader import IdCardReader
    from hall.drivers.port import SerialLink
    from hall.drivers.printer import TicketPrinter
    from hall.kiosk.face_checkin import FaceTerminal
    from hall.kiosk.face_store import CitizenFaces
    from hall.kiosk.outbox import TerminalOutbox
    from hall.vision.face import FaceEngine
    from hall.workdays import WorkCalendar


@dataclass
class KioskContext:
    """Everything a role's root widget needs."""

    settings: KioskSection
    client: DaemonClient
    strings: Strings
    printer: TicketPrinter | None = None  # None = no printer
    guide: dict[str, Any] = field(default_factory=dict)  # 办事指南 per service code
    hall_name: str = ""
    hall_name_en: str = ""  # hall.name_en: shown in English mode ("" = the Chinese name)
    service_areas: dict[str, str] = field(default_factory=dict)  # where to wait, per service
    timezone: str = "Asia/Shanghai"  # the hall's, for clocks and printed times
    #: Seconds since the epoch; tests and rehearsals give the daemon's clock (HALL_CLOCK).
    clock: Callable[[], float] = time.time
    follower_factory: Callable[..., EventFollower] | None = None
    # 自助申报: all three of catalogue, calendar and outbox, or no submission on this kiosk.
    catalogue: Catalogue | None = None
    calendar: WorkCalendar | None = None
    outbox: TerminalOutbox | None = None  # started
    camera: Camera | None = None  # None = no camera
    #: 领导签到 (hall/screens/kiosk/leader.py): config leaders' id, name, title; no PINs.
    leaders: list[dict[str, str]] = field(default_factory=list)
    id_reader: IdCardReader | None = None  # on ``id_link``
    id_link: SerialLink | None = None
    # 人脸签到 (hall.kiosk.face_setup): all None = no face check-in on this device.
    face_config: FaceSection | None = None
    face_engine: FaceEngine | None = None
    face_camera: Camera | None = None  # facing the person
    face_terminal: FaceTerminal | None = None  # caller role
    citizen_faces: CitizenFaces | None = None  # kiosk role

    def now(self) -> dt.datetime:
        """The hall's local time now."""
        return dt.datetime.fromtimestamp(self.clock(), ZoneInfo(self.timezone))

    def follower(
        self,
        token: str,
        on_event: Callable[[str, dict, int], None],
        on_state: Callable[[bool], None] | None = None,
    ) -> EventFollower:
        """An event follower on this kiosk's daemon (not started)."""
        if self.follower_factory:
            return self.follower_factory(token, on_event, on_state)
        settings = self.settings
        return EventFollower(
            settings.daemon_url, token, on_event, on_state, ca_file=settings.ca_file
        )

    def close(self) -> None:
        """Stop the outbox's forwarding and release the cameras (at program exit)."""
        if self.outbox is not None:
            self.outbox.stop()
        if self.camera is not None:
            self.camera.close()
        if self.face_camera is not None:
            self.face_camera.close()
        if self.id_link is not None:
            self.id_link.stop()
