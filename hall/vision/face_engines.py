"""The face engines, ``classic`` (Haar + LBPH) and ``dnn`` (YuNet + SFace); :func:`open_engine`.

Both are thread-safe (one lock each): OpenCV's recognizer objects keep state
between calls, and the kiosk may enrol and check in from different threads.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from hall.config import ClassicFaceConfig, DnnFaceConfig, FaceSection
from hall.vision.face import FaceBox, FaceEngine, FaceModelError, face_patch, to_bgr, to_gray

# LBPH settings measured on ORL (bench/bench_face.py --orl): radius 2 over a
# 96 x 96 equalised patch gave 95 % rank-1 against 92 % for radius 1, and a
# wider gap between genuine and impostor distances; an 8 x 8 grid is OpenCV's
# default and beat 6 x 6 and 7 x 7.
LBPH_RADIUS = 2
LBPH_NEIGHBORS = 8
LBPH_GRID = 8
PATCH = 96
# The whole cascade box is used: insetting it by 8-16 % per side did not help
# on ORL (rank-1 98.7 % whole, 96.6-98.0 % inset).
# Detection runs on a half-size frame: a face at a window terminal is at least
# ~100 px wide at 640 x 480, and half the pixels cut the cascade time by ~2x.
DETECT_WIDTH = 320
# 1.2 per pyramid step and 5 neighbours: on ORL faces in textured 640 x 480
# scenes, 1.1 found no more faces (158/160) at 1.7x the time.
HAAR_SCALE = 1.2
HAAR_NEIGHBORS = 5
HAAR_FILE = "haarcascade_frontalface_default.xml"


class ClassicEngine(FaceEngine):
    """Haar cascade detector + LBPH histograms compared with chi-square (as LBPH does)."""

    name = "classic"

    def __init__(self, cfg: ClassicFaceConfig) -> None:
        path = Path(cv2.data.haarcascades) / HAAR_FILE
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise FaceModelError(f"{path}: Haar cascade missing or unreadable")
        self._lbph = cv2.face.LBPHFaceRecognizer_create(
            LBPH_RADIUS, LBPH_NEIGHBORS, LBPH_GRID, LBPH_GRID
        )
        self._lock = threading.Lock()
        self.identify_threshold = cfg.identify_threshold
        self.verify_threshold = cfg.verify_threshold
        self.min_face_px = cfg.min_face_px

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """Faces in a frame, largest first (cascade on a half-size copy)."""
        gray = to_gray(frame)
        scale = min(1.0, DETECT_WIDTH / gray.shape[1])
        small = gray
        if scale < 1.0:
            size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
            small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        side = max(12, round(self.min_face_px * scale))
        with self._lock:
            found = self._cascade.detectMultiScale(
                small, HAAR_SCALE, HAAR_NEIGHBORS, minSize=(side, side)
            )
        boxes = [
            FaceBox(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            for (x, y, w, h) in found
        ]
        return sorted(boxes, key=lambda b: -b.area)

    def feature(self, frame: np.ndarray, box: FaceBox) -> np.ndarray:
        """LBPH histogram of the equalised face patch (16384 floats)."""
        patch = cv2.equalizeHist(face_patch(frame, box, PATCH))
        with self._lock:
            # Training on one image is how cv2.face exposes its histogram.
            self._lbph.train([patch], np.zeros(1, dtype=np.int32))
            return self._lbph.getHistograms()[0].ravel().astype(np.float32)

    def distances(self, probe: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Chi-square (HISTCMP_CHISQR_ALT, LBPH's own measure) to each row."""
        a = features.astype(np.float64)
        b = probe.astype(np.float64).reshape(1, -1)
        total = a + b
        diff = (a - b) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(total > 0, diff / np.where(total > 0, total, 1), 0.0)
        return 2.0 * terms.sum(axis=1)

    def describe(self) -> str:
        """Engine summary."""
        return (
            f"classic: Haar {HAAR_FILE} + LBPH (radius {LBPH_RADIUS}, "
            f"{LBPH_NEIGHBORS} neighbours, {LBPH_GRID}x{LBPH_GRID} grid)"
        )


def _model_file(field: str, value: str | None) -> Path:
    if not value:
        raise FaceModelError(f"face.dnn.{field}: not set")
    path = Path(value)
    if not path.is_file():
        raise FaceModelError(f"face.dnn.{field}: {path}: file not found")
    return path


class DnnEngine(FaceEngine):
    """YuNet detector + SFace recognizer (cosine similarity; distance = 1 - cosine)."""

    name = "dnn"

    def __init__(self, cfg: DnnFaceConfig) -> None:
        self.detector_path = _model_file("detector_model", cfg.detector_model)
        self.recognizer_path = _model_file("recognizer_model", cfg.recognizer_model)
        try:
            self._detector = cv2.FaceDetectorYN.create(
                str(self.detector_path), "", (320, 240), cfg.score_threshold, 0.3, 20
            )
        except cv2.error as exc:
            raise FaceModelError(
                f"face.dnn.detector_model: {self.detector_path}: not a usable YuNet model "
                f"({_first_line(exc)})"
            ) from None
        try:
            self._recognizer = cv2.FaceRecognizerSF.create(str(self.recognizer_path), "")
        except cv2.error as exc:
            raise FaceModelError(
                f"face.dnn.recognizer_model: {self.recognizer_path}: not a usable SFace model "
                f"({_first_line(exc)})"
            ) from None
        self._lock = threading.Lock()
        # Config holds cosine similarities (as OpenCV documents them); the
        # interface speaks distances.
        self.identify_threshold = 1.0 - cfg.identify_threshold
        self.verify_threshold = 1.0 - cfg.verify_threshold

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """Faces with their five landmarks, largest first."""
        bgr = to_bgr(frame)
        with self._lock:
            self._detector.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, faces = self._detector.detect(bgr)
        if faces is None:
            return []
        boxes = [
            FaceBox(int(r[0]), int(r[1]), int(r[2]), int(r[3]), float(r[14]), r.copy())
            for r in faces
        ]
        return sorted(boxes, key=lambda b: -b.area)

    def feature(self, frame: np.ndarray, box: FaceBox) -> np.ndarray:
        """SFace embedding (128 floats, unit length) of the aligned face."""
        bgr = to_bgr(frame)
        with self._lock:
            if box.raw is not None:
                aligned = self._recognizer.alignCrop(bgr, box.raw)
            else:  # an ID photo taken whole: no landmarks to align by
                aligned = cv2.cvtColor(face_patch(bgr, box, 112), cv2.COLOR_GRAY2BGR)
            vec = self._recognizer.feature(aligned).ravel().astype(np.float32)
        return vec / max(float(np.linalg.norm(vec)), 1e-9)

    def distances(self, probe: np.ndarray, features: np.ndarray) -> np.ndarray:
        """1 - cosine similarity to each row."""
        norms = np.linalg.norm(features, axis=1) * max(float(np.linalg.norm(probe)), 1e-9)
        return 1.0 - (features @ probe.ravel()) / np.maximum(norms, 1e-9)

    def describe(self) -> str:
        """Engine summary with the model files in use."""
        return f"dnn: YuNet {self.detector_path.name} + SFace {self.recognizer_path.name}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def open_engine(cfg: FaceSection) -> FaceEngine:
    """The engine config.yaml asks for; FaceModelError names a missing or bad model file."""
    if cfg.engine == "dnn":
        return DnnEngine(cfg.dnn)
    return ClassicEngine(cfg.classic)
