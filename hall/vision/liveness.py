"""活体检测: tell a live face from a photo held to the camera.

A photo is a plane: held still it does not change at all, and moved by a hand
it changes only *rigidly* (shift, scale, roll, a little perspective). A live
face changes *non-rigidly* all the time: expression, gaze, blinks, small turns
of the head. So each face patch is aligned to the first one with an affine
ECC registration (which undoes any rigid motion of a photo), and what is left
is measured: the mean absolute grey-level difference inside the face. A
sequence is live when that residual reaches ``min_change`` in at least
``min_hits`` (3) frames of the window: with two, a photo moved by hand passed
4 of 200 windows (one lucky registration pair was enough), with three none
did, while 84 % of live windows still pass (measured on 2 x 100 generated
sequences; bench/bench_face.py --liveness).

Measured on simulated scenes (bench/bench_face.py --liveness); a screen
replaying a video is out of reach of this check (it moves non-rigidly too).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hall.vision.face import FaceBox, face_patch

# 48 x 48: area averaging of a >= 100 px face into 48 px brings sensor noise
# down to well under one grey level, while an eye closing or a mouth moving
# still covers several pixels.
PATCH = 48
# Pixels near the patch border are dropped: the detector's box jitters and
# the background there changes with any motion, live or not.
MARGIN = 6
_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-4)


@dataclass(frozen=True)
class LivenessResult:
    """The decision so far: ``live`` is None until enough frames were seen."""

    live: bool | None
    change: float  # largest non-rigid residual seen (grey levels)
    motion: float  # spread of the face centre, in face widths
    frames: int
    reason: str


def _normalise(patch: np.ndarray) -> np.ndarray:
    p = patch.astype(np.float32)
    # A photo tilted to the light changes brightness and contrast as a whole;
    # only changes in the face's own pattern should count.
    return (p - p.mean()) / max(float(p.std()), 1.0) * 40.0 + 128.0


def residual(reference: np.ndarray, patch: np.ndarray) -> float | None:
    """Grey-level change of ``patch`` against ``reference`` once rigid motion is undone.

    None when the registration does not converge (that pair then proves nothing).
    """
    ref, cur = _normalise(reference), _normalise(patch)
    warp = np.eye(2, 3, dtype=np.float32)
    try:
        _, warp = cv2.findTransformECC(ref, cur, warp, cv2.MOTION_AFFINE, _CRITERIA, None, 3)
    except cv2.error:
        return None
    aligned = cv2.warpAffine(
        cur, warp, (PATCH, PATCH), flags=cv2.INTER_LINEAR + cv2.WARP_INVERSE_MAP
    )
    inner = slice(MARGIN, PATCH - MARGIN)
    return float(np.mean(np.abs(aligned[inner, inner] - ref[inner, inner])))


class LivenessCheck:
    """Feeds on (frame, face box) pairs of one person; decides after ``frames`` of them."""

    def __init__(self, frames: int = 8, min_change: float = 6.0, min_hits: int = 3) -> None:
        self.frames = frames
        self.min_change = min_change
        self.min_hits = min_hits
        self._patches: list[np.ndarray] = []
        self._centres: list[tuple[float, float]] = []
        self._widths: list[int] = []
        self._changes: list[float] = []

    def reset(self) -> None:
        """Forget everything (someone else stepped in, or the face was lost)."""
        self._patches.clear()
        self._centres.clear()
        self._widths.clear()
        self._changes.clear()

    def add(self, frame: np.ndarray, box: FaceBox) -> None:
        """One more frame with the face; only a small grey patch is kept, in memory."""
        if self.full:
            return
        patch = face_patch(frame, box, PATCH)
        if self._patches:
            change = residual(self._patches[0], patch)
            if change is not None:
                self._changes.append(change)
        self._patches.append(patch)
        self._centres.append(box.center)
        self._widths.append(box.w)

    @property
    def full(self) -> bool:
        """Enough frames for a decision (further frames are ignored until reset)."""
        return len(self._patches) >= self.frames

    def result(self) -> LivenessResult:
        """Live, not live, or not yet decided."""
        n = len(self._patches)
        change = max(self._changes, default=0.0)
        motion = 0.0
        if n > 1:
            spread = np.std(np.array(self._centres), axis=0).max()
            motion = float(spread / max(np.mean(self._widths), 1.0))
        if n < self.frames:
            return LivenessResult(None, change, motion, n, "collecting frames")
        hits = sum(c >= self.min_change for c in self._changes)
        if hits >= self.min_hits:
            return LivenessResult(True, change, motion, n, "natural change")
        if len(self._changes) < self.frames // 2:
            return LivenessResult(False, change, motion, n, "face could not be followed")
        return LivenessResult(False, change, motion, n, "no natural change: photo?")
