"""人证比对 in 自助申报, end to end: real daemon, real Kivy, real OpenCV on ORL faces.

The ID card reader gets its card line through a real serial link on ``loop://``
(number, name and the card photo as base64, as a reader whose middleware
decodes the chip's photo sends it). The face camera is a SimCamera playing a
face_sim scene: the card holder live, another person, or the holder's photo
held still. Faces: the ORL database, courtesy of the Olivetti Research
Laboratory. Cases go to a TerminalOutbox that forwards to the module's daemon,
where the manager reads the case's identity_check.
"""

from __future__ import annotations

import base64
import functools
import io
import itertools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

import tests.kivy_harness as h
from hall.catalogue import load_catalogue
from hall.config import FaceSection
from hall.drivers.camera import SimCamera
from hall.drivers.idreader import IdCardReader
from hall.drivers.port import SerialLink
from hall.kiosk.outbox import TerminalOutbox
from hall.vision import face_sim
from hall.vision.face_engines import open_engine
from hall.workdays import WorkCalendar
from tests.kiosk.submission_helpers import ID_NUMBER, kiosk_outbox
from tests.support import Daemon
from tests.support.serial import start_ok

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, make_kiosk
pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")

CATALOGUE = load_catalogue()
CALENDAR = WorkCalendar.load()
CFG = FaceSection()
MATTER = "GA-HZ-001"  # 居民户口簿补领: a short form, two materials (skipped here: 补正)
HOLDER, OTHER = 14, 15  # ORL subjects: the card's holder, and someone else
CODES = itertools.count(40)  # one terminal code per test: receipts restart per outbox


@functools.cache
def engine():  # the classic engine (Haar + LBPH, shipped with OpenCV)
    return open_engine(CFG)


@functools.cache
def card_photo_b64(person: int = HOLDER, image: int = 1) -> str:
    """The card photo as the reader sends it: an image file (PNG here), base64."""
    out = io.BytesIO()
    Image.fromarray(face_sim.orl(person, image)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def live(person: int, seed: int) -> list[np.ndarray]:
    return list(face_sim.live_sequence(np.random.default_rng(seed), person, [2, 3, 4], 60))


class Station:
    """A kiosk with submission, an ID card reader on loop:// and a face camera."""

    def __init__(self, kiosk: Kiosk, outbox: TerminalOutbox, link: SerialLink) -> None:
        self.kiosk = kiosk
        self.outbox = outbox
        self.link = link
        self.cameras: list[SimCamera] = []

    @property
    def screen(self):  # the FaceIdScreen
        return self.kiosk.root.submit.face_id

    @property
    def flow(self):  # the SubmissionFlow
        return self.kiosk.root.submit.flow

    def face_camera(self, frames: list[np.ndarray] | None) -> SimCamera | None:
        """What the face camera sees from now on (None: this kiosk has no face camera)."""
        camera = SimCamera(frames) if frames is not None else None
        if camera is not None:
            self.cameras.append(camera)
        self.kiosk.root.ctx.face_camera = camera
        return camera

    def read_card(self, photo: str | None) -> None:
        """Put the card on the reader (the identify screen is shown)."""
        line = f"{ID_NUMBER},王小明" + (f",{photo}" if photo else "") + "\r\n"
        self.link.send(line.encode())
        self.kiosk.wait(lambda: self.flow.id_entry.value == ID_NUMBER)


@pytest.fixture
def station(
    hall_daemon: Daemon, make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> Iterator[Station]:
    reader = IdCardReader(on_card=lambda _card: None)  # the kiosk sets on_card
    # A reader that sends photos runs fast (pyserial's loop:// keeps the baud rate's pace).
    link = SerialLink(
        "loop://", baudrate=115200, on_bytes=reader.feed, retry_initial=0.05, retry_max=0.2
    )
    start_ok(link)
    with kiosk_outbox(
        hall_daemon.base, tmp_path / "outbox", "自助机人证", str(next(CODES))
    ) as outbox:
        extra = {
            "catalogue": CATALOGUE,
            "calendar": CALENDAR,
            "outbox": outbox,
            "id_reader": reader,
            "id_link": link,
            "face_config": CFG,
            "face_engine": engine(),
        }
        st = Station(make_kiosk(hall_daemon.base, name="kiosk-face", ctx_extra=extra), outbox, link)
        yield st
        st.screen.shutdown()  # no camera read after the cameras close
        link.stop()
    for camera in st.cameras:
        camera.close()


def identify_by_card(st: Station, photo: str | None, then: str) -> None:
    """Choose the matter, read the card, type the phone, "next": on to ``then``."""
    k = st.kiosk
    k.tap("submit")
    k.on("matters")
    k.tap("kw-户口")
    k.tap(f"matter-{MATTER}")
    k.on("matter")
    k.tap("start")
    k.on("identify")
    st.read_card(photo)
    assert k.root.submit.identify.ids.name.text == "王小明"
    k.type("13912345678")  # the card read moved the keypad to the phone
    k.tap("next")
    k.on(then)


def compare(st: Station, expect: str) -> None:
    """Start (or retry) a comparison and wait for its result."""
    k, before = st.kiosk, st.screen.attempts
    k.tap("face-agree" if st.screen.state == "consent" else "face-retry")
    k.wait(lambda: st.screen.state == "result" and st.screen.attempts == before + 1, 30)
    assert st.screen.result == expect


def submit_rest(st: Station, hall_daemon: Daemon) -> dict:
    """Form, materials skipped (补正), submit; the case as the daemon's staff view has it."""
    k = st.kiosk
    k.on("form")
    k.widget("field-householder_name").text = "王大明"
    k.widget("field-address").text = "杭州市示范区人民路1号"
    k.tap("opt-reason-0")
    k.tap("next")
    k.on("capture")
    for index in (0, 1):
        k.wait(lambda i=index: k.root.submit.capture.index == i)
        k.tap("skip")
    k.on("review")
    k.tap("submit")
    k.on("notice")
    assert st.flow.empty and st.flow.id_photo is None
    k.wait(lambda: st.outbox.cases("forwarded"))
    (case,) = st.outbox.cases("forwarded")
    r = hall_daemon.api("manager-token-1").get(f"/submissions/{case['id']}")
    assert r.status_code == 200, r.text
    return r.json()


def test_the_holder_matches_and_the_case_says_face_matched(
    hall_daemon: Daemon, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    k, screen = station.kiosk, station.screen
    camera = station.face_camera(live(HOLDER, 1))
    caplog.set_level(logging.INFO)
    identify_by_card(station, card_photo_b64(), then="face_id")
    assert screen.state == "consent" and camera.frames_read == 0  # asked before any look
    consent = k.widget("face-consent-text").text
    assert "不保存、不上传" in consent and "跳过" in consent and "窗口核对您的身份证" in consent
    assert not k.widget("face-skip").disabled and not k.widget("face-agree").disabled
    h.screenshot("kiosk-face-id-consent")
    k.tap("large-text")
    k.tap("language")
    assert "not kept" in k.widget("face-consent-text").text
    h.screenshot("kiosk-face-id-consent-en-large")
    k.tap("language")
    k.tap("large-text")
    k.tap("face-agree")
    assert h.idle_until(lambda: screen.preview is not None or screen.state == "result", 20)
    if screen.state == "watching":  # the live picture, while it lasts
        h.screenshot("kiosk-face-id-watching")
    k.wait(lambda: screen.state == "result", 30)
    assert screen.result == "matched" and camera.frames_read > 0
    assert k.widget("face-result").text == "比对一致，确认是您本人。请点“下一步”。"
    k.tap("language")
    assert k.widget("face-result").text == 'Your face matches your ID card photo. Tap "Next".'
    k.tap("language")
    assert k.widget("face-skip").disabled and k.widget("face-retry").disabled
    assert station.flow.id_photo is None  # the card photo is gone once decided
    assert station.flow.identity_check == "face_matched"
    h.screenshot("kiosk-face-id-matched")
    k.tap("face-next")
    case = submit_rest(station, hall_daemon)
    assert case["identity_check"] == "face_matched"
    assert case["identity_check_label"]["zh"] == "人证比对一致"
    assert case["history"][0]["note"].endswith("人证比对一致")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "matched" in logged  # the outcome is logged ...
    assert ID_NUMBER not in logged and card_photo_b64()[:16] not in logged  # ... nothing personal
    assert "distance" not in logged.lower()


def test_another_person_does_not_match_and_skipping_submits_failed(
    hall_daemon: Daemon, station: Station
) -> None:
    k, screen = station.kiosk, station.screen
    camera = station.face_camera(live(OTHER, 2))
    identify_by_card(station, card_photo_b64(), then="face_id")
    compare(station, "no_match")
    assert k.widget("face-result").text.startswith("您的脸和身份证照片对不上")
    assert not k.widget("face-retry").disabled and not k.widget("face-skip").disabled
    assert screen.preview is None  # no frame stays on screen
    h.screenshot("kiosk-face-id-no-match")
    camera.set_offline()  # the camera drops out: said plainly, retry and skip stay
    compare(station, "offline")
    assert "摄像头暂时用不了" in k.widget("face-result").text
    compare(station, "offline")  # the third attempt: only "skip" is left
    assert k.widget("face-retry").disabled and not k.widget("face-skip").disabled
    assert "已经试了几次" in k.widget("face-result").text
    h.screenshot("kiosk-face-id-no-more")
    k.tap("face-skip")
    assert station.flow.id_photo is None and station.flow.identity_check == "failed"
    case = submit_rest(station, hall_daemon)
    assert case["identity_check"] == "failed"
    assert "请在窗口核验身份证件" in case["history"][0]["note"]


def test_a_photo_held_still_is_not_live_and_the_idle_timeout_forgets_it(
    station: Station,
) -> None:
    k, screen = station.kiosk, station.screen
    rng = np.random.default_rng(3)
    station.face_camera(list(face_sim.photo_sequence(rng, HOLDER, 2, 60, moving=False)))
    identify_by_card(station, card_photo_b64(), then="face_id")
    compare(station, "not_live")
    assert k.widget("face-result").text.startswith("没有看到真人在动")
    h.screenshot("kiosk-face-id-not-live")
    k.tap("face-retry")  # walks away while the camera looks
    assert screen.state == "watching"
    k.clock.advance(5)  # idle_timeout_s is 5 here
    k.on("home")
    assert station.flow.empty and station.flow.id_photo is None
    assert station.flow.identity_check is None
    assert screen.state == "consent" and screen.preview is None
    assert h.idle_until(lambda: not screen.watch.running, 5)  # the camera is let go


def test_declining_never_reads_the_camera_and_submits_skipped(
    hall_daemon: Daemon, station: Station
) -> None:
    k = station.kiosk
    camera = station.face_camera(live(HOLDER, 4))
    identify_by_card(station, card_photo_b64(), then="face_id")
    k.tap("face-back")  # back to identify: the question comes again
    k.on("identify")
    k.tap("next")
    k.on("face_id")
    k.tap("face-skip")
    assert station.flow.identity_check == "skipped" and station.flow.id_photo is None
    case = submit_rest(station, hall_daemon)
    assert camera.frames_read == 0
    assert case["identity_check"] == "skipped"
    assert "请在窗口核验身份证件" in case["history"][0]["note"]


def test_no_photo_or_no_face_camera_means_no_face_step(
    hall_daemon: Daemon, station: Station
) -> None:
    k = station.kiosk
    station.face_camera(None)  # a kiosk without a face camera: the photo is not used
    identify_by_card(station, card_photo_b64(), then="form")
    k.root.go_home()
    k.on("home")
    assert station.flow.id_photo is None
    camera = station.face_camera(live(HOLDER, 5))
    identify_by_card(station, None, then="form")  # a card line without the photo
    case = submit_rest(station, hall_daemon)
    assert camera.frames_read == 0
    assert case["identity_check"] is None
    assert case["history"][0]["note"] == "缺少：居民身份证、户口簿补领申请"  # no identity note
