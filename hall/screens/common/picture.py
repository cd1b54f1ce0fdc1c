"""Camera frames on screen: numpy BGR frames to bytes (any thread), bytes to a texture (Kivy thread).

The kiosk's material capture and every face flow (:mod:`hall.screens.common.face_watch`)
show a live picture this way. The bytes are made on the thread that read the
frame, so the Kivy thread only uploads them; no cv2 here.
"""

from __future__ import annotations

import numpy as np
from kivy.graphics.texture import Texture


def frame_pixels(frame: np.ndarray, step: int = 1) -> tuple[bytes, tuple[int, int]]:
    """BGR pixels of ``frame`` (every ``step``-th), bottom row first, for a texture.

    The width is cut to a multiple of 4 so every row is 4-byte aligned.
    """
    small = frame[::step, ::step]
    if small.ndim == 2:
        small = np.repeat(small[..., None], 3, axis=2)
    small = small[:, : small.shape[1] // 4 * 4]
    rows = np.ascontiguousarray(small[::-1])
    return rows.tobytes(), (rows.shape[1], rows.shape[0])


def pixels_texture(data: bytes, size: tuple[int, int]) -> Texture:
    """A texture of :func:`frame_pixels` output (UI thread only)."""
    texture = Texture.create(size=size, colorfmt="bgr")
    texture.blit_buffer(data, colorfmt="bgr", bufferfmt="ubyte")
    return texture
