"""Face recognition and liveness measured on the ORL faces (used by bench_face.py).

ORL database courtesy of the Olivetti Research Laboratory (AT&T Laboratories
Cambridge): 40 people x 10 images. Every image is placed (2x) in a textured
640 x 480 frame and goes through the real pipeline: detection, crop, features.

Identification (1:N, staff): 5 random folds; in each, 30 people are enrolled
from images 1-5 and 10 are never enrolled; images 6-10 of everyone are probes.
Verification (1:1, ID photo): image 1 of each person is the "ID photo" (taken
whole, as a tight portrait); images 2-10 of the same person are genuine
probes, images 6-10 of every other person impostor probes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hall.vision import face_sim
from hall.vision.face import FaceEngine, photo_feature, single_face
from hall.vision.liveness import LivenessCheck

PEOPLE = range(1, 41)


def orl_features(engine: FaceEngine, seed: int = 7) -> dict[tuple[int, int], np.ndarray | None]:
    """Feature of every ORL image seen in a frame (None: no single face detected)."""
    rng = np.random.default_rng(seed)
    out: dict[tuple[int, int], np.ndarray | None] = {}
    for p in PEOPLE:
        for i in range(1, 11):
            bg = face_sim.background(rng)  # a new scene each time: nothing shared but the face
            cx, cy = 320 + rng.uniform(-100, 100), 240 + rng.uniform(-20, 20)
            frame = face_sim.place(bg, face_sim.orl(p, i), cx, cy, 2.0)
            box = single_face(engine, frame)
            out[p, i] = None if box is None else engine.feature(frame, box)
    return out


@dataclass
class IdentScores:
    """Per-probe outcomes pooled over the folds."""

    genuine: np.ndarray  # best distance, enrolled probes
    correct: np.ndarray  # best match is the right person
    impostor: np.ndarray  # best distance, never-enrolled probes
    missed: int  # probes with no single face detected
    probes: int


def identification(engine: FaceEngine, feats: dict, folds: int = 5, seed: int = 0) -> IdentScores:
    """Pool 1:N outcomes over ``folds`` random 30 enrolled / 10 held-out splits."""
    rng = np.random.default_rng(seed)
    gen, cor, imp = [], [], []
    missed = probes = 0
    for _ in range(folds):
        people = rng.permutation(np.array(PEOPLE))
        enrolled = set(int(p) for p in people[:30])
        gallery = {
            p: np.vstack([feats[p, i] for i in range(1, 6) if feats[p, i] is not None])
            for p in enrolled
        }
        for p in people:
            for i in range(6, 11):
                probes += 1
                f = feats[int(p), i]
                if f is None:
                    missed += 1
                    continue
                best = {q: float(engine.distances(f, g).min()) for q, g in gallery.items()}
                who = min(best, key=best.get)
                if int(p) in enrolled:
                    gen.append(best[who])
                    cor.append(who == int(p))
                else:
                    imp.append(best[who])
    return IdentScores(np.array(gen), np.array(cor), np.array(imp), missed, probes)


def verification(engine: FaceEngine, feats: dict) -> tuple[np.ndarray, np.ndarray]:
    """Genuine and impostor distances of live probes against ID photos."""
    refs = {p: photo_feature(engine, face_sim.orl(p, 1)) for p in PEOPLE}
    gen, imp = [], []
    for p in PEOPLE:
        ref = refs[p].reshape(1, -1)
        for q in PEOPLE:
            for i in range(2, 11) if q == p else range(6, 11):
                f = feats[q, i]
                if f is None:
                    continue
                d = float(engine.distances(f, ref)[0])
                (gen if q == p else imp).append(d)
    return np.array(gen), np.array(imp)


def liveness_scores(engine: FaceEngine, frames: int, runs: int, seed: int = 3) -> dict[str, list]:
    """Largest non-rigid change per simulated sequence, for live people and photos."""
    rng = np.random.default_rng(seed)
    out: dict[str, list] = {
        "live": [],
        "live, slow change": [],
        "photo still": [],
        "photo moved": [],
    }
    for _ in range(runs):
        person = int(rng.integers(1, 41))
        first = int(rng.integers(1, 10))
        scenes = {
            "live": face_sim.live_sequence(rng, person, [first, first + 1], frames),
            "live, slow change": face_sim.live_sequence(
                rng, person, [first, first + 1], frames, frames_per_change=20
            ),
            "photo still": face_sim.photo_sequence(rng, person, first, frames, moving=False),
            "photo moved": face_sim.photo_sequence(rng, person, first, frames, moving=True),
        }
        for kind, seq in scenes.items():
            check = LivenessCheck(frames=frames)
            for frame in seq:
                box = single_face(engine, frame)
                if box is not None:
                    check.add(frame, box)
            out[kind].append(check.result())
    return out
