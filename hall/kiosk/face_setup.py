"""Set up 人脸签到 on this device: engine, camera and the role's face terminal or templates.

For the caller role that is the staff terminal; for the kiosk role, the citizens'
appointment templates.

Face check-in is offered only when ``kiosk.face_camera`` is configured; the
caller role also needs ``kiosk.face_terminal`` naming its entry in
``attendance.terminals`` (whose token the terminal uses). A missing model file
or camera only turns face check-in off, with a log line saying why: the id +
PIN sign-in and the appointment code / ID number stay available.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hall.config import HallConfig

log = logging.getLogger(__name__)


def add_face(ctx, config: HallConfig, role: str) -> None:  # ctx: KioskContext
    """Fill ``ctx.face_*`` (and the terminal or citizen store) when this role offers faces."""
    settings = config.kiosk
    if role == "lobby" or settings.face_camera is None:
        return
    if role == "caller" and not settings.face_terminal:
        return
    from hall.drivers.camera import open_camera
    from hall.drivers.errors import DeviceOffline
    from hall.kiosk.face_store import CitizenFaces, FaceStore, FaceStoreError
    from hall.vision.face_engines import open_engine
    from hall.vision.face_template import FaceError

    terminal = None
    if role == "caller":
        terminal = config.attendance.terminal(settings.face_terminal)
        if terminal is None:
            raise SystemExit(
                f"kiosk.face_terminal: no attendance.terminals entry named {settings.face_terminal!r}"
            )
    try:
        engine = open_engine(config.face)
    except FaceError as exc:
        log.error("face: %s: face check-in is off", exc)
        return
    try:
        camera = open_camera(settings.face_camera)
    except ValueError as exc:
        raise SystemExit(f"kiosk.face_camera: {exc}") from None
    except DeviceOffline as exc:
        log.error("kiosk.face_camera: %s: face check-in is off", exc)
        return
    templates = Path(settings.data_dir) / config.face.template_dir
    try:
        if role == "caller":
            from hall.kiosk.face_checkin import FaceTerminal, TerminalClient

            ctx.face_terminal = FaceTerminal(
                terminal.name,
                config.face,
                engine,
                FaceStore(templates, config.face.template_key),
                TerminalClient(settings.daemon_url, terminal.token, ca_file=settings.ca_file),
            )
        else:
            ctx.citizen_faces = CitizenFaces(templates, config.face.template_key, ctx.clock)
    except FaceStoreError as exc:
        log.error("face: %s: face check-in is off", exc)
        camera.close()
        return
    ctx.face_config = config.face
    ctx.face_engine = engine
    ctx.face_camera = camera
    log.info("face check-in on (%s): engine %s", role, engine.describe())
