"""刷脸 appointment check-in at the kiosk: the templates one attempt matches against.

The daemon hands a kiosk (``GET /appointments/faces``) the templates of one
service's appointments whose check-in is open now, from citizens who agreed
to face check-in when booking. They are loaded into the kiosk's
:class:`~hall.kiosk.face_store.CitizenFaces` (encrypted at rest) right before
one attempt, and every one is destroyed when that attempt ends, matched or not:
the one that matched by :func:`hall.kiosk.face_checkin.appointment_by_face`,
the others by :meth:`Loaded.release`. Keeping them until the slot ends would
save one request per attempt and leave other people's face data on the kiosk
for up to an hour, so they are not kept. CitizenFaces' own expiry (the end of
the check-in window) and its wipe at start-up cover an attempt that never ends
(power cut).

Blocking (HTTP, file I/O): call from a worker thread. Nothing face-related is
logged; only counts.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from hall.kiosk.client import DaemonClient
from hall.kiosk.face_store import CitizenFaces
from hall.vision.face import FaceError, FaceTemplate

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    """The templates loaded for one attempt; :meth:`release` destroys them (idempotent)."""

    citizens: CitizenFaces
    codes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    def release(self) -> int:
        """Destroy every template of this attempt still on the kiosk; return how many."""
        with self._lock:
            codes, self.codes = self.codes, []
        return sum(self.citizens.destroy(code) for code in codes)


def load(client: DaemonClient, citizens: CitizenFaces, service: str, engine: str) -> Loaded:
    """Fetch ``service``'s open face appointments and enrol them for one attempt.

    Templates of another engine than ``engine`` (the kiosk's) cannot be
    compared and are left out. DaemonError when the daemon refuses; on any
    failure whatever was already enrolled is destroyed again.
    """
    loaded = Loaded(citizens)
    listed = client.appointment_faces(service)
    skipped = 0
    try:
        for item in listed:
            try:
                template = FaceTemplate.from_bytes(base64.b64decode(item["template"]))
            except (FaceError, binascii.Error, ValueError):
                skipped += 1
                continue
            if template.engine != engine:
                skipped += 1
                continue
            until = dt.datetime.fromisoformat(item["check_in_until"]).timestamp()
            citizens.enrol(item["code"], template, item["consent"], until)
            loaded.codes.append(item["code"])
    except BaseException:
        loaded.release()
        raise
    finally:
        listed.clear()  # the base64 copies go with the list
    if skipped:
        log.warning("face check-in: %d template(s) unusable on this kiosk", skipped)
    return loaded
