"""Liveness on simulated scenes: a live person passes, a photo (still or moved) does not."""

from __future__ import annotations

import numpy as np
import pytest

from hall.config import FaceSection
from hall.vision import face_sim
from hall.vision.face import single_face
from hall.vision.face_engines import open_engine
from hall.vision.liveness import LivenessCheck

pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")


@pytest.fixture(scope="module")
def engine():
    return open_engine(FaceSection())


def run(engine, frames) -> object:
    check = LivenessCheck(frames=8)
    for frame in frames:
        box = single_face(engine, frame)
        if box is not None:
            check.add(frame, box)
    return check.result()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_live_person_passes(engine, seed):
    rng = np.random.default_rng(seed)
    result = run(engine, face_sim.live_sequence(rng, 4 + seed, [2, 3], 10))
    assert result.live is True, result


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("moving", [False, True])
def test_photo_fails(engine, seed, moving):
    rng = np.random.default_rng(seed)
    result = run(engine, face_sim.photo_sequence(rng, 4 + seed, 2, 10, moving=moving))
    assert result.live is False, result
    assert result.change < 6.0


def test_undecided_until_enough_frames(engine):
    rng = np.random.default_rng(0)
    result = run(engine, face_sim.live_sequence(rng, 9, [1, 2], 3))
    assert result.live is None and result.frames <= 3
