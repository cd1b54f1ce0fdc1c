"""A face template (人脸模板) as bytes, without OpenCV.

What enrolment keeps and a booking hands over: the engine's name and one
feature vector per frame, never an image. The daemon reads and checks a
booking's template with this module alone, so it never loads OpenCV (about
20 MB of resident memory and its native libraries, for nothing the daemon
does), and NumPy only when a template arrives.
``hall.vision.face`` builds templates and re-exports both names.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class FaceError(Exception):
    """A face operation cannot be done; the message can be shown to staff."""


@dataclass(frozen=True)
class FaceTemplate:
    """What enrolment keeps: the engine's name and one feature vector per frame."""

    engine: str
    features: np.ndarray  # (frames, dims) float32

    _MAGIC = b"HFT1"

    def to_bytes(self) -> bytes:
        """Serialise (magic, engine name, shape, float32 little-endian data)."""
        name = self.engine.encode()
        rows, dims = self.features.shape
        head = self._MAGIC + struct.pack("<B", len(name)) + name + struct.pack("<II", rows, dims)
        return head + self.features.astype("<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> FaceTemplate:
        """Inverse of :meth:`to_bytes`; FaceError if the bytes are not a template."""
        import numpy as np  # here: a daemon without face bookings never needs it

        if data[:4] != cls._MAGIC or len(data) < 14:
            raise FaceError("not a face template")
        n = data[4]
        engine = data[5 : 5 + n].decode()
        rows, dims = struct.unpack("<II", data[5 + n : 13 + n])
        body = data[13 + n :]
        if len(body) != rows * dims * 4:
            raise FaceError("face template is truncated")
        features = np.frombuffer(body, dtype="<f4").reshape(rows, dims).astype(np.float32)
        return cls(engine, features)
