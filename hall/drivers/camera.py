"""Kiosk camera (摄像头, DEVICES.md 5): one small interface, OpenCV and a simulator.

:class:`Camera` has ``read()`` (a BGR numpy frame), ``close()`` and a
:class:`~hall.drivers.status.DeviceStatus`. Implementations are picked from
:data:`CAMERAS` by the config's ``type``::

    {"type": "opencv", "source": 0}                          # device index
    {"type": "opencv", "source": "/var/hall/demo.mp4", "loop": true}
    {"type": "opencv", "source": "rtsp://10.0.0.5/stream", "width": 1280, "height": 720}
    {"type": "sim", "frames": ["a.png", "b.png"], "loop": false}

Unlike Kivy's camera providers there is no silent fallback: a source that
cannot be opened raises :class:`DeviceOffline` naming it, at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from hall.drivers.errors import DeviceOffline
from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)


class Camera:
    """A source of BGR frames. Use as a context manager or call :meth:`close`."""

    #: Human-readable name of the source, used in errors and logs.
    source: str = "?"

    def __init__(self) -> None:
        self.status = DeviceStatus.STARTING
        self.frames_read = 0

    def read(self) -> np.ndarray:
        """Return the next frame (H x W x 3 uint8, BGR); raise DeviceOffline if none."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the device; the camera is offline afterwards."""
        self.status = DeviceStatus.OFFLINE

    def __enter__(self) -> Camera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _offline(self, why: str) -> DeviceOffline:
        self.status = DeviceStatus.OFFLINE
        log.warning("camera %s offline: %s", self.source, why)
        return DeviceOffline(f"camera {self.source}: {why}")


class OpenCVCamera(Camera):
    """A camera, video file or stream through ``cv2.VideoCapture``.

    ``source`` is a device index (``0`` or ``"0"``), a file path or a stream
    URL. ``loop`` rewinds a file at its end instead of reporting the end.
    """

    def __init__(
        self,
        source: int | str,
        width: int | None = None,
        height: int | None = None,
        loop: bool = False,
    ) -> None:
        super().__init__()
        if isinstance(source, str) and source.strip().isdigit():
            source = int(source)
        self.source = f"device {source}" if isinstance(source, int) else str(source)
        self.loop = loop
        if isinstance(source, str) and "://" not in source and not Path(source).exists():
            # OpenCV would only print a warning on stderr and return a closed capture.
            raise self._offline("no such file")
        self._cap = cv2.VideoCapture(source)
        if not self._cap.isOpened():
            self._cap.release()
            raise self._offline("cannot be opened")
        if width and height:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self.status = DeviceStatus.OK
        log.info("camera %s opened", self.source)

    def read(self) -> np.ndarray:
        """Grab and decode the next frame."""
        if self.status == DeviceStatus.OFFLINE:
            raise DeviceOffline(f"camera {self.source}: closed or offline")
        ok, frame = self._cap.read()
        if not ok and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            raise self._offline("no frame (unplugged, stream dropped or end of file)")
        self.frames_read += 1
        return frame

    def close(self) -> None:
        """Release the capture device."""
        self._cap.release()
        super().close()


class SimCamera(Camera):
    """Plays a list of image files and/or numpy frames, in order.

    With ``loop`` it starts again after the last frame; without, reading past
    the end raises :class:`DeviceOffline`, as an unplugged camera would.
    ``set_offline()`` simulates a camera that drops out.
    """

    def __init__(self, frames: Sequence[str | Path | np.ndarray], loop: bool = True) -> None:
        super().__init__()
        self.source = "sim"
        if not frames:
            raise self._offline("no frames to play")
        self._frames = [self._load(f) for f in frames]
        self.loop = loop
        self._next = 0
        self.status = DeviceStatus.OK

    def _load(self, item: str | Path | np.ndarray) -> np.ndarray:
        if isinstance(item, np.ndarray):
            if item.ndim == 2:
                return cv2.cvtColor(item, cv2.COLOR_GRAY2BGR)
            return item.copy()
        img = cv2.imread(str(item), cv2.IMREAD_COLOR)
        if img is None:
            raise self._offline(f"cannot read image {item}")
        return img

    def read(self) -> np.ndarray:
        """Return a copy of the next frame (callers may draw on it)."""
        if self.status == DeviceStatus.OFFLINE:
            raise DeviceOffline(f"camera {self.source}: offline")
        if self._next >= len(self._frames):
            if not self.loop:
                raise self._offline("end of the frame list")
            self._next = 0
        frame = self._frames[self._next]
        self._next += 1
        self.frames_read += 1
        return frame.copy()

    def set_offline(self, offline: bool = True) -> None:
        """Fault injection: make the camera drop out (or come back)."""
        self.status = DeviceStatus.OFFLINE if offline else DeviceStatus.OK


#: Camera implementations by the config's ``type``.
CAMERAS: dict[str, type[Camera]] = {"opencv": OpenCVCamera, "sim": SimCamera}


def open_camera(config: Mapping[str, Any]) -> Camera:
    """Open the camera described by a config mapping (``type`` plus its options)."""
    options = dict(config)
    kind = options.pop("type", None)
    cls = CAMERAS.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"camera type {kind!r} is not one of {sorted(CAMERAS)}")
    try:
        return cls(**options)
    except TypeError as exc:
        raise ValueError(f"camera type {kind!r}: bad options {sorted(options)}: {exc}") from exc
