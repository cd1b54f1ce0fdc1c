"""The kiosk's scenes of the screen atlas: drivers that leave a kiosk root on one screen.

Each driver takes the :class:`~hall.screens.kiosk.root.KioskRoot` (on its home
screen, services loaded) and moves it through the screens' own methods, as taps
would, and returns a condition that says when the screen is ready to be
photographed. The kiosk gets the face devices the kiosk tests use
(:func:`equip_face`): the classic engine and a :class:`~hall.drivers.camera.SimCamera`
playing ORL faces (:mod:`hall.vision.face_sim`), so 人证比对 and 刷脸签到 are
reached for real. Its clock is a :class:`FrozenClock`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from hall.tools.atlas_hall import ID_NUMBER, DemoHall

MATTER = "GA-HZ-001"  # 居民户口簿补领: text and choice fields, materials by camera


#: ORL subjects of the simulated face camera: the ID card's holder, and who stands there.
CARD_HOLDER, FACE_SEEN = 14, 15


class FrozenClock:
    """The kiosk's clock, stopped: no time-out fires while the atlas looks at a screen.

    A scene may move it (the idle countdown); every scene starts at :data:`START`.
    """

    START = 1000.0

    def __init__(self) -> None:
        self.t = self.START

    def __call__(self) -> float:
        """The time the atlas has set (seconds)."""
        return self.t


def equip_face(ctx: Any, store: Path) -> None:
    """Put the kiosk tests' face devices on ``ctx``.

    The classic engine, a simulated camera (someone other than the card holder, live), an empty citizen template store.
    """
    import numpy as np

    from hall.config import FaceSection
    from hall.drivers.camera import SimCamera
    from hall.kiosk.face_store import CitizenFaces
    from hall.vision import face_sim
    from hall.vision.face_engines import open_engine

    if not face_sim.orl_available():
        raise RuntimeError(f"no ORL faces in {face_sim.ORL_DIR}: no simulated face camera")
    cfg = FaceSection(template_key="5a" * 32)  # a demo key: the store is empty, in a temp dir
    rng = np.random.default_rng(2)
    ctx.face_config = cfg
    ctx.face_engine = open_engine(cfg)
    ctx.face_camera = SimCamera(
        list(face_sim.live_sequence(rng, FACE_SEEN, [2, 3, 4], 60)), loop=True
    )
    ctx.citizen_faces = CitizenFaces(store, cfg.template_key)


def card_photo() -> Any:
    """The card holder's ID card portrait as the reader gives it (BGR array)."""
    import numpy as np

    from hall.vision import face_sim

    grey = face_sim.orl(CARD_HOLDER, 1)
    return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))


# -- kiosk scenes: each takes the kiosk root and leaves it on one screen -----------------
def _general(k: Any) -> dict[str, Any]:
    return next(s for s in k.services if s["code"] == "general")


def _filled_flow(k: Any, missing: bool = False) -> None:
    """A complete 居民户口簿补领 typed into the flow (the identify taps have their own scene)."""
    flow = k.submit.flow
    flow.start(k.ctx.catalogue.get(MATTER))
    for key in ID_NUMBER:
        flow.id_entry.press(key)
    for key in "13912345678":
        flow.phone_entry.press(key)
    flow.name = "王小明"
    flow.values = {"householder_name": "王大明", "address": "人民路1号", "reason": "遗失"}
    for material in flow.camera_materials():
        if missing:
            flow.skip(material.name)
        else:
            flow.accept(material.name, _jpeg())


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (236, 236, 228)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _on(k: Any, name: str) -> Callable[[], bool]:
    return lambda: k.current == name


def _ticket(k: Any) -> Callable[[], bool]:
    k.open_service("general")
    k.take_number("general")
    return lambda: k.current == "ticket" and k.ticket.ticket_id is not None


def _identify(k: Any) -> Callable[[], bool]:
    k.submit.open_matter(MATTER)
    k.submit.open_identify()
    for key in ID_NUMBER[:10]:
        k.submit.identify.press(key)
    return _on(k, "identify")


def _notice(k: Any, missing: bool) -> Callable[[], bool]:
    _filled_flow(k, missing)
    k.submit.open_review()
    k.submit.submit()
    return _on(k, "notice")


def _progress_result(k: Any, receipt: str) -> Callable[[], bool]:
    k.submit.open_progress()
    k.submit.query_progress(receipt, ID_NUMBER)
    return lambda: k.current == "progress" and k.submit.progress.answer is not None


def _unavailable(k: Any) -> Callable[[], bool]:
    """Show the daemon "unreachable" screen once the kiosk's worker is free.

    It is shown after the services refresh already on the kiosk's one worker thread: its answer would take the screen home again (a flaky picture).
    """
    k.run_job(lambda: None, lambda _none: k.show_unavailable())
    return _on(k, "unavailable")


def _face_id(k: Any, result: bool) -> Callable[[], bool]:
    """人证比对: the card (with its photo) read, the phone typed; asking, or a result."""
    from hall.drivers.idreader import IdCard

    k.submit.open_matter(MATTER)
    k.submit.open_identify()
    k.card_read(IdCard(ID_NUMBER, "王小明", card_photo()))
    for key in "13912345678":
        k.submit.identify.press(key)
    k.submit.identify.next()
    screen = k.submit.face_id
    if result:
        screen.agree()  # someone else in front of the camera: "does not match", retry, skip
    state = "result" if result else "consent"
    return lambda: k.current == "face_id" and screen.state == state


def _face_checkin(k: Any, result: bool) -> Callable[[], bool]:
    """刷脸签到: the notice, or the answer (no appointment with a face open for it today)."""
    screen = k.appointment
    screen.open(_general(k), "face")
    if result:
        screen.agree()
    state = "result" if result else "consent"
    return lambda: k.current == "appointment" and screen.state == state


def _idle_warning(k: Any) -> Callable[[], bool]:
    """The countdown over the take screen (ID digits typed), 9 s before it clears."""
    k.open_service("general")
    for key in ID_NUMBER[:6]:
        k.take.press(key)
    k.clock.t = k.last_touch + k.settings.idle_timeout_s - 9
    k.tick()
    return lambda: k.current == "take" and k.idle_warning.shown


def kiosk_scenes(hall: DemoHall) -> dict[str, Callable[[Any], Callable[[], bool]]]:
    """Scene name → a driver that leaves the kiosk there and says when it is ready."""

    def take(k: Any) -> Callable[[], bool]:
        k.open_service("general")
        for key in ID_NUMBER[:6]:
            k.take.press(key)
        return _on(k, "take")

    def take_code(k: Any) -> Callable[[], bool]:
        k.open_service("general")
        k.take.set_mode("code")
        return _on(k, "take")

    def form(k: Any) -> Callable[[], bool]:
        _filled_flow(k)
        k.submit.open_form()
        return _on(k, "form")

    def capture(k: Any) -> Callable[[], bool]:
        _filled_flow(k)
        k.submit.open_capture()
        return _on(k, "capture")

    def review(k: Any) -> Callable[[], bool]:
        _filled_flow(k, missing=True)
        k.submit.open_review()
        return _on(k, "review")

    return {
        "home": lambda k: lambda: k.current == "home" and k.home.loaded,
        "take": take,
        "take-code": take_code,
        "appointment": lambda k: (k.appointment.open(_general(k), "id"), _on(k, "appointment"))[1],
        "ticket": _ticket,
        "guide": lambda k: (k.open_guide(), _on(k, "guide"))[1],
        "unavailable": _unavailable,
        "matters": lambda k: (k.submit.open_matters(), _on(k, "matters"))[1],
        "matter": lambda k: (k.submit.open_matter(MATTER), _on(k, "matter"))[1],
        "identify": _identify,
        "form": form,
        "capture": capture,
        "review": review,
        "notice": lambda k: _notice(k, missing=False),
        "notice-supplement": lambda k: _notice(k, missing=True),
        "progress": lambda k: (k.submit.open_progress(), _on(k, "progress"))[1],
        "progress-result": lambda k: _progress_result(k, hall.receipts[1]),
        "face-id": lambda k: _face_id(k, result=False),
        "face-id-result": lambda k: _face_id(k, result=True),
        "face-checkin": lambda k: _face_checkin(k, result=False),
        "face-checkin-result": lambda k: _face_checkin(k, result=True),
        "idle": _idle_warning,
    }


KIOSK_SCENES = (
    "home take take-code appointment ticket guide unavailable matters matter identify "
    "form capture review notice notice-supplement progress progress-result "
    "face-id face-id-result face-checkin face-checkin-result idle"
).split()
#: Kiosk scenes that need the simulated face camera (ORL faces on this machine).
FACE_SCENES = ("face-id", "face-id-result", "face-checkin", "face-checkin-result")
