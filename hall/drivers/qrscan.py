"""Reading a QR code in a camera frame (办件查询 scans the notice's QR code), with OpenCV.

:func:`read_qr` looks for one QR code in a BGR (or grey) frame and returns its
text, or None when there is none it can read. What the text means is for the
caller (:func:`hall.kiosk.form_entry.receipt_from_qr` takes the receipt number
out of a notice's progress link).

A camera above the desk sees a code of a few pixels per module: OpenCV's
detector is tried on the frame, then on the frame enlarged (small codes), then
with the ArUco-based detector, which finds tilted and low-contrast codes the
classic one misses. Each call makes its own detectors: they are not thread-safe
and cheap to make.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: Frames are searched at most this wide (a 4K camera frame is shrunk first: time).
MAX_WIDTH = 1920
#: Codes smaller than this many pixels are looked for again in the frame enlarged 2x.
ENLARGE_BELOW = 1400


def _grey(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.shape[1] > MAX_WIDTH:
        scale = MAX_WIDTH / frame.shape[1]
        frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return frame


def _decode(detector: object, image: np.ndarray) -> str | None:
    try:
        text, points, _straight = detector.detectAndDecode(image)  # type: ignore[attr-defined]
    except cv2.error as exc:  # a degenerate quadrilateral: no code here
        log.debug("QR decode failed: %s", exc)
        return None
    return text or None


def read_qr(frame: np.ndarray) -> str | None:
    """The text of the QR code in ``frame`` (H x W x 3 BGR or H x W grey), or None."""
    if frame is None or frame.size == 0:
        return None
    grey = _grey(frame)
    tries = [grey]
    if grey.shape[1] < ENLARGE_BELOW:
        tries.append(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for image in tries:
            text = _decode(detector, image)
            if text:
                return text
    return None
