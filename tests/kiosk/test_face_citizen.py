"""Citizen face calls at the kiosk: ID photo 1:1 and appointment check-in by face.

Faces: the ORL database, courtesy of the Olivetti Research Laboratory.
"""

from __future__ import annotations

import numpy as np
import pytest

from hall.config import FaceSection
from hall.kiosk.face_checkin import appointment_by_face, verify_id_photo
from hall.kiosk.face_store import CitizenFaces
from hall.vision import face_sim
from hall.vision.face import enrol
from hall.vision.face_engines import open_engine

pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")
CFG = FaceSection(template_key="cd" * 32)


@pytest.fixture(scope="module")
def engine():
    return open_engine(CFG)


def test_id_photo_matches_the_live_holder_only(engine):
    photo = face_sim.orl(14, 1)
    live = face_sim.live_sequence(np.random.default_rng(1), 14, [2, 3, 4], 30)
    match, seen = verify_id_photo(engine, CFG, live, photo)
    assert match.accepted and seen.liveness.live
    other = face_sim.live_sequence(np.random.default_rng(2), 15, [2, 3, 4], 30)
    assert not verify_id_photo(engine, CFG, other, photo)[0].accepted
    held = face_sim.photo_sequence(np.random.default_rng(3), 14, 2, 30, moving=True)
    assert not verify_id_photo(engine, CFG, held, photo)[0].accepted


def test_appointment_by_face_destroys_the_template(engine, tmp_path):
    citizens = CitizenFaces(tmp_path, CFG.template_key)
    shots = list(face_sim.live_sequence(np.random.default_rng(4), 21, [1, 2, 3], 8))
    citizens.enrol("AP7", enrol(engine, shots, 5), CFG.consent_version, expires_at=4e9)
    live = face_sim.live_sequence(np.random.default_rng(5), 21, [4, 5, 6], 40)
    seen = appointment_by_face(engine, CFG, citizens, live)
    assert seen.ok and seen.subject == "AP7"
    assert citizens.store.load("AP7") is None
