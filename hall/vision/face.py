"""Face detection and recognition (人脸识别) behind one small interface.

Two engines (``hall.vision.face_engines``): ``classic`` (Haar cascade + LBPH,
both shipped with OpenCV) is the default; ``dnn`` (YuNet + SFace) is used when
config.yaml names its model files. Every engine turns a frame into face boxes
and a face into a feature vector, and reports a *distance* between features
(lower = more alike), so matching, templates and thresholds work the same way
whichever engine runs.

A :class:`FaceTemplate` (``hall.vision.face_template``, re-exported here)
holds feature vectors only, never an image: that is what enrolment keeps
(encrypted, see ``hall.kiosk.face_store``). ``open_engine`` (in
``hall.vision.face_engines``) picks the engine config.yaml names. Nothing here
logs anything about a face.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from hall.vision.face_template import FaceError, FaceTemplate

PHOTO_FACE_PX = 224
MAIN_FACE_RATIO = 2.0
PHOTO_CANVAS = (640, 480)


class FaceModelError(FaceError):
    """A configured model file is missing or unusable; the message names the file."""


class NoFaceError(FaceError):
    """Too few frames showed exactly one face."""


@dataclass(frozen=True)
class FaceBox:
    """One detected face: box in frame pixels, detector score, engine-specific data."""

    x: int
    y: int
    w: int
    h: int
    score: float = 1.0
    raw: np.ndarray | None = None  # YuNet's row (box + 5 landmarks), for alignment

    @property
    def area(self) -> int:
        """Box area in pixels."""
        return self.w * self.h

    @property
    def center(self) -> tuple[float, float]:
        """Box centre in frame pixels."""
        return (self.x + self.w / 2, self.y + self.h / 2)


def to_gray(frame: np.ndarray) -> np.ndarray:
    """A frame as 8-bit grey (frames come as grey or BGR)."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """A frame as 8-bit BGR."""
    return frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def face_patch(frame: np.ndarray, box: FaceBox, size: int) -> np.ndarray:
    """The face box as a ``size`` x ``size`` grey patch (clipped to the frame)."""
    gray = to_gray(frame)
    x0, y0 = max(box.x, 0), max(box.y, 0)
    x1, y1 = min(box.x + box.w, gray.shape[1]), min(box.y + box.h, gray.shape[0])
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise FaceError("face box outside the frame")
    return cv2.resize(gray[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)


class FaceEngine(ABC):
    """Detector + recognizer. Subclasses set ``name`` and the two thresholds (distances)."""

    name: str = ""
    identify_threshold: float = 0.0  # 1:N: accept the best match at or below
    verify_threshold: float = 0.0  # 1:1: same person at or below

    @abstractmethod
    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """Faces in a frame, largest first."""

    @abstractmethod
    def feature(self, frame: np.ndarray, box: FaceBox) -> np.ndarray:
        """The feature vector (1-D float32) of one detected face."""

    @abstractmethod
    def distances(self, probe: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Distance from ``probe`` to each row of ``features`` (lower = more alike)."""

    @abstractmethod
    def describe(self) -> str:
        """Which engine and models are active, for status screens and the start-up log."""


@dataclass(frozen=True)
class Match:
    """The outcome of a 1:N or 1:1 comparison."""

    subject: str | None  # who matched (None: nobody accepted)
    distance: float  # best distance found (inf when there was nothing to compare)
    accepted: bool


def main_face(boxes: list[FaceBox]) -> FaceBox | None:
    """The face of the person at the device: the largest box, if it clearly dominates.

    Someone further back, or a face-like patch of background, is much smaller
    than the person at the terminal; two boxes of similar size (under 2x in
    area) mean two people at the device, and then nobody is matched.
    """
    if not boxes:
        return None
    if len(boxes) > 1 and boxes[1].area * MAIN_FACE_RATIO > boxes[0].area:
        return None
    return boxes[0]


def single_face(engine: FaceEngine, frame: np.ndarray) -> FaceBox | None:
    """The one face at the device in a frame (see :func:`main_face`), or None."""
    return main_face(engine.detect(frame))


def enrol(engine: FaceEngine, frames: Iterable[np.ndarray], need: int) -> FaceTemplate:
    """A template from the first ``need`` frames that show exactly one face.

    Raises NoFaceError when the frames run out first. The frames themselves are
    not kept: only their feature vectors.
    """
    features = []
    for frame in frames:
        box = single_face(engine, frame)
        if box is None:
            continue
        features.append(engine.feature(frame, box))
        if len(features) >= need:
            return FaceTemplate(engine.name, np.vstack(features).astype(np.float32))
    raise NoFaceError(f"only {len(features)} of {need} frames showed one face")


def _check_engine(engine: FaceEngine, template: FaceTemplate) -> None:
    if template.engine != engine.name:
        raise FaceError(f"template made by engine {template.engine}, active engine {engine.name}")


def identify(engine: FaceEngine, probe: np.ndarray, gallery: Mapping[str, FaceTemplate]) -> Match:
    """1:N (staff): the nearest enrolled subject, accepted at or below the threshold."""
    best, best_subject = float("inf"), None
    for subject, template in gallery.items():
        _check_engine(engine, template)
        d = float(engine.distances(probe, template.features).min())
        if d < best:
            best, best_subject = d, subject
    accepted = best_subject is not None and best <= engine.identify_threshold
    return Match(best_subject if accepted else None, best, accepted)


def verify(engine: FaceEngine, probes: Iterable[np.ndarray], reference: np.ndarray) -> Match:
    """1:1 (live face against an ID card photo): the best of the live probes.

    ``reference`` is the feature of the ID photo (see :func:`photo_feature`).
    Neither is kept.
    """
    ref = reference.reshape(1, -1)
    best = min((float(engine.distances(p, ref)[0]) for p in probes), default=float("inf"))
    accepted = best <= engine.verify_threshold
    return Match("reference" if accepted else None, best, accepted)


def photo_feature(engine: FaceEngine, photo: np.ndarray) -> np.ndarray:
    """The feature of an ID card photo (a tight portrait, e.g. 102 x 126 px).

    The photo is scaled to the size a face has at a terminal (~224 px high) and
    put on a plain 640 x 480 canvas, so it goes through the same detection and
    crop as a live face: on ORL this matched live probes far better (TAR 66 %
    against 44 % at 1 % FAR) than using the tight photo as it is. If no face is
    found the whole photo is taken as the face.
    """
    gray = to_gray(photo)
    scale = PHOTO_FACE_PX / gray.shape[0]
    big = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    big = big[: PHOTO_CANVAS[1], : PHOTO_CANVAS[0]]
    canvas = np.full((PHOTO_CANVAS[1], PHOTO_CANVAS[0]), int(np.median(big)), np.uint8)
    y, x = (canvas.shape[0] - big.shape[0]) // 2, (canvas.shape[1] - big.shape[1]) // 2
    canvas[y : y + big.shape[0], x : x + big.shape[1]] = big
    box = single_face(engine, canvas) or FaceBox(x, y, big.shape[1], big.shape[0])
    return engine.feature(canvas, box)
