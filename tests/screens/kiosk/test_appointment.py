"""预约签到 at the kiosk by ID number and by face: real daemon, real Kivy, real OpenCV.

The face camera is a SimCamera playing ORL scenes (hall/vision/face_sim.py):
a live person, a photo held still, nobody. The booking's template is made by
``hall.vision.face.enrol`` with the classic engine from other ORL images of
the same person, as a booking site would. Faces: the ORL database, courtesy of
the Olivetti Research Laboratory.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

import tests.kivy_harness as h
from hall.config import FaceSection
from hall.drivers.camera import SimCamera
from hall.kiosk.face_store import CitizenFaces
from hall.kiosk.i18n import Strings
from hall.vision import face_sim
from hall.vision.face import FaceEngine, enrol
from hall.vision.face_engines import open_engine
from tests import support
from tests.support import Daemon, make_id

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk
pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")

CFG = FaceSection(template_key="5a" * 32)
CONSENT = "booking-2026-01"
ZH = Strings("zh")


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return open_engine(CFG)


def book(daemon: Daemon, service: str, **extra: str) -> str:
    """Book a slot open for check-in now; the code."""
    now = daemon.now()
    body = {
        "service": service,
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
        **extra,
    }
    r = daemon.api("manager-token-1").post("/appointments", body)
    assert r.status_code == 201, r.text
    return r.json()["code"]


def face_of(engine: FaceEngine, person: int, seed: int) -> str:
    """What the booking site sends: a template from ORL images 1-3 of ``person``, base64."""
    shots = face_sim.live_sequence(np.random.default_rng(seed), person, [1, 2, 3], 20)
    return base64.b64encode(enrol(engine, shots, CFG.enrol_frames).to_bytes()).decode()


def open_faces(daemon: Daemon, service: str) -> set[str]:
    """Codes the daemon still holds a template for (and would hand a kiosk)."""
    listed = daemon.api("kiosk-token-1").get(f"/appointments/faces?service={service}").json()
    return {a["code"] for a in listed}


class FaceKiosk:
    """A kiosk with face check-in: its camera and its citizen template store."""

    def __init__(self, kiosk: Kiosk, camera: SimCamera, store: Path) -> None:
        self.kiosk = kiosk
        self.camera = camera
        self.store = store

    def templates_on_disk(self) -> list[Path]:
        return list((self.store / "citizen").glob("*"))


@pytest.fixture
def face_kiosk(
    hall_daemon: Daemon, make_kiosk: Callable[..., Kiosk], engine: FaceEngine, tmp_path: Path
) -> Callable[[list], FaceKiosk]:
    def make(frames: list) -> FaceKiosk:
        camera = SimCamera(frames, loop=True)
        store = tmp_path / "faces"
        extra = {
            "face_config": CFG,
            "face_engine": engine,
            "face_camera": camera,
            "citizen_faces": CitizenFaces(store, CFG.template_key, support.clock),
        }
        return FaceKiosk(make_kiosk(hall_daemon.base, ctx_extra=extra), camera, store)

    return make


def to_appointment_mode(kiosk: Kiosk, service: str) -> None:
    kiosk.tap(f"service-{service}")
    kiosk.on("take")
    kiosk.tap("mode-code")


def type_id(kiosk: Kiosk, keys: str) -> None:
    for key in keys:
        kiosk.tap("appt-key-del" if key == "<" else f"appt-key-{key}")


def issued(daemon: Daemon, kiosk: Kiosk) -> dict:
    kiosk.on("ticket", timeout=30)
    return daemon.api("kiosk-token-1").get(f"/tickets/{kiosk.root.ticket.ticket_id}").json()


def test_live_face_of_the_booker_gets_the_appointment_ticket(
    hall_daemon: Daemon, face_kiosk, engine: FaceEngine
) -> None:
    person = 7
    code = book(hall_daemon, "vip", face_template=face_of(engine, person, 1), face_consent=CONSENT)
    live = list(face_sim.live_sequence(np.random.default_rng(2), person, [4, 5, 6, 7], 60))
    fk = face_kiosk(live)
    kiosk = fk.kiosk
    to_appointment_mode(kiosk, "vip")
    assert kiosk.widget("appt-by-face").opacity == 1
    kiosk.tap("appt-by-face")
    kiosk.on("appointment")
    screen = kiosk.root.appointment
    assert screen.state == "consent"
    assert kiosk.widget("appt-consent-text").text == ZH.t("appt.consent")
    h.screenshot("kiosk-appointment-consent")
    assert fk.camera.frames_read == 0  # nothing is read before "agree"
    kiosk.tap("appt-agree")
    ticket = issued(hall_daemon, kiosk)
    assert ticket["kind"] == "appointment" and ticket["service"] == "vip"
    assert fk.camera.frames_read > 0
    h.screenshot("kiosk-appointment-face-ticket")
    r = hall_daemon.api("kiosk-token-1").post(
        "/tickets", {"service": "vip", "appointment_code": code}
    )
    assert r.json()["error"]["code"] == "appointment_used"  # it was this appointment's ticket
    assert code not in open_faces(hall_daemon, "vip")  # deleted by the daemon at issue
    assert h.idle_until(lambda: not screen.watch.running, 5)
    assert fk.templates_on_disk() == []  # and on the kiosk, matched or not


def test_a_held_photo_is_refused_and_the_id_number_still_works(
    hall_daemon: Daemon, face_kiosk, engine: FaceEngine
) -> None:
    person = 12
    booker = make_id("44010619870315221")
    code = book(
        hall_daemon,
        "general",
        face_template=face_of(engine, person, 3),
        face_consent=CONSENT,
        id_number=booker,
    )
    photo = list(face_sim.photo_sequence(np.random.default_rng(4), person, 5, 60, moving=False))
    fk = face_kiosk(photo)
    kiosk = fk.kiosk
    screen = kiosk.root.appointment
    to_appointment_mode(kiosk, "general")
    kiosk.tap("appt-by-face")
    kiosk.tap("appt-agree")
    kiosk.wait(lambda: screen.state == "result", 30)
    assert screen.result == "not_live"
    assert kiosk.widget("appt-face-message").text == ZH.t("appt.not_live")
    h.screenshot("kiosk-appointment-photo-refused")
    assert kiosk.root.current == "appointment"
    assert code in open_faces(hall_daemon, "general")  # not checked in: the daemon keeps it
    assert h.idle_until(lambda: not screen.watch.running, 5)
    assert fk.templates_on_disk() == []  # the kiosk's copies are gone after the attempt
    assert kiosk.widget("appt-retry").opacity == 1
    kiosk.tap("appt-use-id")
    assert screen.state == "id"
    type_id(kiosk, booker)
    kiosk.tap("appt-check-in")
    assert issued(hall_daemon, kiosk)["kind"] == "appointment"
    assert code not in open_faces(hall_daemon, "general")


def test_declining_goes_back_to_the_other_ways_without_the_camera(
    hall_daemon: Daemon, face_kiosk, engine: FaceEngine
) -> None:
    book(hall_daemon, "other", face_template=face_of(engine, 20, 5), face_consent=CONSENT)
    live = list(face_sim.live_sequence(np.random.default_rng(6), 20, [4, 5, 6], 30))
    fk = face_kiosk(live)
    kiosk = fk.kiosk
    to_appointment_mode(kiosk, "other")
    kiosk.tap("appt-by-face")
    kiosk.on("appointment")
    kiosk.tap("large-text")  # 适老化: the notice and its buttons still fit
    h.screenshot("kiosk-appointment-consent-large")
    decline = kiosk.widget("appt-decline")
    assert decline.top <= kiosk.root.height and decline.height >= 150
    kiosk.tap("appt-decline")
    kiosk.on("take")
    take = kiosk.root.take
    assert take.mode == "code"  # the code keypad, with the ID number and face beside it
    assert kiosk.widget("appt-by-id").opacity == 1
    h.screenshot("kiosk-appointment-take-code-large")
    assert fk.camera.frames_read == 0 and fk.templates_on_disk() == []
    assert kiosk.root.appointment.watch is None  # no attempt was ever started


def test_idle_timeout_cancels_the_camera_and_destroys_the_templates(
    hall_daemon: Daemon, face_kiosk, engine: FaceEngine
) -> None:
    book(hall_daemon, "capped", face_template=face_of(engine, 30, 7), face_consent=CONSENT)
    nobody = list(face_sim.empty_sequence(np.random.default_rng(8), 20))
    fk = face_kiosk(nobody)
    kiosk = fk.kiosk
    screen = kiosk.root.appointment
    to_appointment_mode(kiosk, "capped")
    kiosk.tap("appt-by-face")
    kiosk.tap("appt-agree")
    kiosk.wait(lambda: screen.preview is not None or screen.state == "result", 30)
    # The kiosk says which engine is active (classic here: no model files configured).
    assert kiosk.widget("appt-engine").text.startswith("识别方式：classic")
    if screen.state == "watching":  # the live picture: nobody in front of the camera
        h.screenshot("kiosk-appointment-watching")
    kiosk.clock.advance(kiosk.settings.idle_timeout_s + 1)
    kiosk.root.tick()
    kiosk.on("home")
    assert screen.state == "id" and screen.preview is None
    assert h.idle_until(lambda: not screen.watch.running, 5)
    assert fk.templates_on_disk() == []
    read = fk.camera.frames_read
    h.idle(5)
    assert fk.camera.frames_read == read  # the camera is no longer read


def test_no_face_in_front_of_the_camera_says_so(
    hall_daemon: Daemon, face_kiosk, engine: FaceEngine
) -> None:
    book(hall_daemon, "capped", face_template=face_of(engine, 31, 9), face_consent=CONSENT)
    fk = face_kiosk(list(face_sim.empty_sequence(np.random.default_rng(10), 20)))
    kiosk = fk.kiosk
    screen = kiosk.root.appointment
    to_appointment_mode(kiosk, "capped")
    kiosk.tap("appt-by-face")
    kiosk.tap("appt-agree")
    kiosk.wait(lambda: screen.state == "result", 30)
    assert screen.result == "no_face"
    assert fk.camera.frames_read >= CFG.liveness.max_frames
    assert h.idle_until(lambda: not screen.watch.running, 5)
    assert fk.templates_on_disk() == []


def test_check_in_by_id_number(hall_daemon: Daemon, kiosk_ui: Kiosk) -> None:
    booker = make_id("32050219910707336")
    code = book(hall_daemon, "vip", id_number=booker)
    to_appointment_mode(kiosk_ui, "vip")
    assert kiosk_ui.widget("appt-by-face").disabled  # no face camera on this kiosk
    kiosk_ui.tap("appt-by-id")
    kiosk_ui.on("appointment")
    wrong = booker[:17] + ("1" if booker[17] != "1" else "2")
    type_id(kiosk_ui, wrong)
    assert kiosk_ui.widget("appt-id-hint").text == "身份证号码校验位不正确,请核对号码"
    assert kiosk_ui.widget("appt-check-in").disabled
    stranger = make_id("32050219910707344")
    type_id(kiosk_ui, "<" * 18 + stranger)
    assert not kiosk_ui.widget("appt-check-in").disabled
    kiosk_ui.tap("appt-check-in")
    kiosk_ui.wait(lambda: kiosk_ui.root.appointment.error)
    assert "未找到" in kiosk_ui.widget("appt-id-error").text  # the daemon's 404, in words
    assert kiosk_ui.root.current == "appointment"
    h.screenshot("kiosk-appointment-id-not-found")
    type_id(kiosk_ui, "<" * 18 + booker)
    assert kiosk_ui.widget("appt-id-error").opacity == 0  # typing clears the old refusal
    kiosk_ui.tap("appt-check-in")
    assert issued(hall_daemon, kiosk_ui)["kind"] == "appointment"
    assert kiosk_ui.root.appointment.id_entry.empty  # cleared once the ticket is out
    r = hall_daemon.api("kiosk-token-1").post(
        "/tickets", {"service": "vip", "appointment_code": code}
    )
    assert r.json()["error"]["code"] == "appointment_used"
