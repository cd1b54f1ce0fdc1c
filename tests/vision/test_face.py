"""Face engine: detection, templates, LBPH fidelity, ORL accuracy, dnn model errors.

Faces: the ORL database, courtesy of the Olivetti Research Laboratory.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from hall.config import ClassicFaceConfig, DnnFaceConfig, FaceSection
from hall.vision import face_sim
from hall.vision.face import (
    FaceError,
    FaceModelError,
    FaceTemplate,
    NoFaceError,
    enrol,
    identify,
    photo_feature,
    single_face,
    verify,
)
from hall.vision.face_engines import DnnEngine, open_engine

pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")


@pytest.fixture(scope="module")
def engine():
    return open_engine(FaceSection())


def scene(person: int, image: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return face_sim.place(face_sim.background(rng), face_sim.orl(person, image), 300, 240, 2.0)


def test_classic_is_the_default_and_says_so(engine):
    assert engine.name == "classic"
    assert "Haar" in engine.describe() and "LBPH" in engine.describe()


def test_detects_one_face_where_it_was_placed(engine):
    box = single_face(engine, scene(3, 1))
    assert box is not None
    cx, cy = box.center
    assert abs(cx - 300) < 30 and abs(cy - 240) < 40
    assert engine.detect(next(face_sim.empty_sequence(np.random.default_rng(1), 1))) == []


def test_distance_is_lbph_own_distance(engine):
    """Our chi-square over stored histograms equals what cv2.face's LBPH predicts."""
    a, b = scene(5, 1), scene(5, 2, seed=1)
    fa = engine.feature(a, single_face(engine, a))
    fb = engine.feature(b, single_face(engine, b))
    lbph = cv2.face.LBPHFaceRecognizer_create(2, 8, 8, 8)

    def patch(frame, box):
        crop = frame[box.y : box.y + box.h, box.x : box.x + box.w]
        return cv2.equalizeHist(cv2.resize(crop, (96, 96), interpolation=cv2.INTER_AREA))

    lbph.train([patch(a, single_face(engine, a))], np.array([0]))
    _, distance = lbph.predict(patch(b, single_face(engine, b)))
    assert engine.distances(fb, fa.reshape(1, -1))[0] == pytest.approx(distance, rel=1e-4)


def test_template_round_trip_keeps_features_only(engine):
    frames = [scene(7, i, seed=i) for i in range(1, 4)]
    template = enrol(engine, frames, need=3)
    data = template.to_bytes()
    back = FaceTemplate.from_bytes(data)
    assert back.engine == "classic" and back.features.shape == (3, 16384)
    assert np.array_equal(back.features, template.features)
    with pytest.raises(FaceError):
        FaceTemplate.from_bytes(data[:-5])
    with pytest.raises(NoFaceError):
        enrol(engine, face_sim.empty_sequence(np.random.default_rng(0), 3), need=2)


def test_orl_identification_and_unknown_people(engine):
    """10 people enrolled from images 1-5; probes 6-10; 5 other people never enrolled."""
    gallery = {
        f"S{p}": enrol(engine, [scene(p, i, seed=i) for i in range(1, 6)], need=3)
        for p in range(1, 11)
    }
    right = wrong = accepted = seen = 0
    for p in range(1, 11):
        for i in range(6, 11):
            frame = scene(p, i, seed=10 + i)
            box = single_face(engine, frame)
            if box is None:
                continue
            probe = engine.feature(frame, box)
            m = identify(engine, probe, gallery)
            nearest = min(gallery, key=lambda s: engine.distances(probe, gallery[s].features).min())
            right += nearest == f"S{p}"
            wrong += m.accepted and m.subject != f"S{p}"
            accepted += m.accepted
            seen += 1
    # Nearest is right for nearly all; the threshold accepts most, never the wrong one.
    assert right >= 0.9 * seen and wrong == 0 and accepted >= 0.5 * seen
    for p in range(31, 36):
        for i in range(6, 11):
            frame = scene(p, i, seed=20 + i)
            box = single_face(engine, frame)
            if box is not None:
                assert not identify(engine, engine.feature(frame, box), gallery).accepted


def test_id_photo_verification(engine):
    photo = face_sim.orl(12, 1)  # the tight portrait, as an ID card reader gives it
    ref = photo_feature(engine, photo)
    own = [scene(12, i, seed=i) for i in (2, 3, 4)]
    other = [scene(13, i, seed=i) for i in (2, 3, 4)]
    feats = lambda fs: [engine.feature(f, single_face(engine, f)) for f in fs]  # noqa: E731
    assert verify(engine, feats(own), ref).accepted
    assert not verify(engine, feats(other), ref).accepted


def test_dnn_missing_model_names_the_file(tmp_path: Path):
    cfg = DnnFaceConfig(detector_model=str(tmp_path / "yunet.onnx"), recognizer_model="x.onnx")
    with pytest.raises(FaceModelError, match=r"detector_model: .*yunet\.onnx: file not found"):
        DnnEngine(cfg)


def test_dnn_invalid_model_names_the_file(tmp_path: Path):
    bad = tmp_path / "yunet.onnx"
    bad.write_bytes(b"not an onnx model at all")
    rec = tmp_path / "sface.onnx"
    rec.write_bytes(b"nor this")
    with pytest.raises(FaceModelError, match=r"detector_model: .*yunet\.onnx: not a usable"):
        DnnEngine(DnnFaceConfig(detector_model=str(bad), recognizer_model=str(rec)))


def test_dnn_engine_needs_both_model_files_in_config():
    with pytest.raises(ValueError, match="needs detector_model and recognizer_model"):
        FaceSection(engine="dnn", dnn=DnnFaceConfig(detector_model="a.onnx"))


DNN_FILES = (
    Path("models/face_detection_yunet_2023mar.onnx"),
    Path("models/face_recognition_sface_2021dec.onnx"),
)


@pytest.mark.skipif(not all(p.is_file() for p in DNN_FILES), reason="YuNet/SFace files absent")
def test_dnn_engine_with_real_models():
    cfg = FaceSection(
        engine="dnn",
        dnn=DnnFaceConfig(detector_model=str(DNN_FILES[0]), recognizer_model=str(DNN_FILES[1])),
    )
    engine = open_engine(cfg)
    assert engine.name == "dnn" and "YuNet" in engine.describe()
    a, b, c = scene(1, 1), scene(1, 2, seed=1), scene(2, 1, seed=2)
    fa, fb, fc = (engine.feature(f, single_face(engine, f)) for f in (a, b, c))
    assert engine.distances(fa, fb.reshape(1, -1))[0] < engine.distances(fa, fc.reshape(1, -1))[0]


def test_classic_config_thresholds_are_used():
    engine = open_engine(FaceSection(classic=ClassicFaceConfig(identify_threshold=1.0)))
    assert engine.identify_threshold == 1.0
