"""What every screen is handed: the daemon client, strings, printer, guide, settings,
and for self-service submission the catalogue, work calendar, outbox and camera.

Screens never open devices or read config themselves (they get drivers handed
in), so tests can give them a real daemon on loopback and a simulated printer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient, EventFollower
from hall.kiosk.i18n import Strings


@dataclass
class KioskContext:
    """Everything a role's root widget needs."""

    settings: KioskSection
    client: DaemonClient
    strings: Strings
    printer: Any | None = None  # hall.drivers.printer.TicketPrinter, None = no printer
    guide: dict[str, Any] = field(default_factory=dict)  # 办事指南 per service code
    hall_name: str = ""
    hall_name_en: str = ""  # hall.name_en: shown in English mode ("" = the Chinese name)
    service_areas: dict[str, str] = field(default_factory=dict)  # where to wait, per service
    timezone: str = "Asia/Shanghai"  # the hall's, for clocks and printed times
    follower_factory: Callable[..., EventFollower] | None = None
    # 自助申报: all three of catalogue, calendar and outbox, or no submission on this kiosk.
    catalogue: Any | None = None  # hall.catalogue.Catalogue
    calendar: Any | None = None  # hall.workdays.WorkCalendar
    outbox: Any | None = None  # hall.kiosk.outbox.TerminalOutbox (started)
    camera: Any | None = None  # hall.drivers.camera.Camera, None = no camera
    id_reader: Any | None = None  # hall.drivers.idreader.IdCardReader on ``id_link``
    id_link: Any | None = None  # hall.drivers.port.SerialLink
    # 人脸签到 (hall.kiosk.face_setup): all None = no face check-in on this device.
    face_config: Any | None = None  # hall.config.FaceSection
    face_engine: Any | None = None  # hall.vision.face.FaceEngine
    face_camera: Any | None = None  # hall.drivers.camera.Camera facing the person
    face_terminal: Any | None = None  # hall.kiosk.face_checkin.FaceTerminal (caller role)
    citizen_faces: Any | None = None  # hall.kiosk.face_store.CitizenFaces (kiosk role)

    def now(self) -> dt.datetime:
        """The hall's local time now."""
        return dt.datetime.now(ZoneInfo(self.timezone))

    def follower(self, token: str, on_event, on_state=None) -> EventFollower:  # noqa: ANN001
        """An event follower on this kiosk's daemon (not started)."""
        if self.follower_factory:
            return self.follower_factory(token, on_event, on_state)
        return EventFollower(self.settings.daemon_url, token, on_event, on_state)

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
