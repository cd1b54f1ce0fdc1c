"""Simulated camera scenes for face tests and benchmarks.

Faces from the ORL database (courtesy of the Olivetti Research Laboratory,
AT&T Laboratories Cambridge; 40 people x 10 images, 92 x 112 grey) are placed
in 640 x 480 frames over a textured background with sensor noise:

- a *live* person: the head sways (position, size, a little roll) and the face
  itself changes, cross-fading from one of that person's ORL images to the next
  (expression, gaze, pose: ORL's images of one person differ in exactly that);
- a *photo held still*: one image, fixed, only sensor noise changes;
- a *photo moved*: one image moved rigidly (shift, scale, roll), as a hand
  holding a print to the camera does.

The ORL images are read with OpenCV from ``../shared/data/faces/orl`` (or
``HALL_ORL_DIR``); nothing here is used outside tests and benchmarks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import cv2
import numpy as np

FRAME_W, FRAME_H = 640, 480
ROOT = Path(__file__).resolve().parents[2]
ORL_DIR = Path(os.environ.get("HALL_ORL_DIR", ROOT.parent / "shared" / "data" / "faces" / "orl"))


def orl_available() -> bool:
    """True when the ORL images are on this machine."""
    return (ORL_DIR / "s1" / "1.pgm").is_file()


@cache
def orl(person: int, image: int) -> np.ndarray:
    """ORL image ``image`` (1..10) of subject ``person`` (1..40), 112 x 92 grey."""
    img = cv2.imread(str(ORL_DIR / f"s{person}" / f"{image}.pgm"), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise FileNotFoundError(ORL_DIR / f"s{person}" / f"{image}.pgm")
    img.setflags(write=False)
    return img


def background(rng: np.random.Generator) -> np.ndarray:
    """A textured 640 x 480 background (a hall behind the person: blurred clutter)."""
    noise = rng.integers(0, 256, (FRAME_H, FRAME_W), dtype=np.uint8)
    blurred = cv2.GaussianBlur(noise, (0, 0), 6)
    return cv2.normalize(blurred, None, 30, 200, cv2.NORM_MINMAX)


def place(
    bg: np.ndarray, face: np.ndarray, cx: float, cy: float, scale: float, angle: float = 0.0
) -> np.ndarray:
    """``face`` pasted on a copy of ``bg``, centred at (cx, cy), scaled and rolled."""
    h, w = face.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += cx - w / 2
    m[1, 2] += cy - h / 2
    size = (bg.shape[1], bg.shape[0])
    warped = cv2.warpAffine(face, m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full_like(face, 255), m, size, flags=cv2.INTER_NEAREST)
    out = bg.copy()
    out[mask > 0] = warped[mask > 0]
    return out


def _noise(rng: np.random.Generator, frame: np.ndarray, sigma: float) -> np.ndarray:
    # A webcam's per-frame sensor noise: a couple of grey levels.
    noisy = frame.astype(np.float32) + rng.normal(0, sigma, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def live_sequence(
    rng: np.random.Generator,
    person: int,
    images: list[int],
    n: int,
    scale: float = 2.0,
    noise: float = 2.0,
    frames_per_change: int = 10,
) -> Iterator[np.ndarray]:
    """A person in front of the camera: swaying head, face changing across ``images``.

    The face goes from one image to the next in ``frames_per_change`` frames
    (10: about 0.7 s at 15 fps, the pace of a change of expression), back and
    forth along the list.
    """
    bg = background(rng)
    cx, cy = FRAME_W / 2 + rng.uniform(-80, 80), FRAME_H / 2 + rng.uniform(-30, 30)
    phase = rng.uniform(0, 2 * np.pi)
    path = images + images[-2:0:-1] if len(images) > 1 else images
    for t in range(n):
        pos = t / frames_per_change
        i = int(pos) % len(path)
        alpha = pos - int(pos)
        a = orl(person, path[i]).astype(np.float32)
        b = orl(person, path[(i + 1) % len(path)]).astype(np.float32)
        face = ((1 - alpha) * a + alpha * b).astype(np.uint8)
        sway = np.sin(phase + t * 0.7)
        where = (cx + 12 * sway, cy + 4 * np.cos(phase + t), scale * (1 + 0.03 * sway))
        yield _noise(rng, place(bg, face, *where, 3 * sway), noise)


def photo_sequence(
    rng: np.random.Generator,
    person: int,
    image: int,
    n: int,
    moving: bool,
    scale: float = 2.0,
    noise: float = 2.0,
) -> Iterator[np.ndarray]:
    """A printed photo held to the camera: still, or moved rigidly by a hand."""
    bg = background(rng)
    face = orl(person, image)
    cx, cy = FRAME_W / 2 + rng.uniform(-80, 80), FRAME_H / 2 + rng.uniform(-30, 30)
    phase = rng.uniform(0, 2 * np.pi)
    for t in range(n):
        if moving:
            sway = np.sin(phase + t * 0.7)
            args = (cx + 25 * sway, cy + 8 * np.cos(phase + t), scale * (1 + 0.06 * sway), 6 * sway)
        else:
            args = (cx, cy, scale, 0.0)
        yield _noise(rng, place(bg, face, *args), noise)


def empty_sequence(rng: np.random.Generator, n: int, noise: float = 2.0) -> Iterator[np.ndarray]:
    """Frames with nobody in them."""
    bg = background(rng)
    for _ in range(n):
        yield _noise(rng, bg, noise)
