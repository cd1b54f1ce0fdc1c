"""The daemon reads face templates without OpenCV (hall.vision.face_template).

Each check runs in a fresh interpreter: ``sys.modules`` of the test process
has long had cv2 in it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hall.vision import face, face_template
from hall.vision.face_template import FaceError, FaceTemplate

ROOT = Path(__file__).resolve().parents[2]


def loaded_after(code: str) -> set[str]:
    """Which of cv2 and numpy a fresh interpreter has loaded after running ``code``."""
    probe = (
        textwrap.dedent(code) + "\nimport sys\nprint(sorted({'cv2', 'numpy'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(eval(result.stdout.strip().splitlines()[-1]))  # our own print


def test_the_daemon_app_loads_neither_opencv_nor_numpy() -> None:
    assert loaded_after("import hall.queue.web.app") == set()


def test_face_template_module_loads_neither() -> None:
    assert loaded_after("import hall.vision.face_template") == set()


def test_the_daemon_checks_a_booked_template_without_opencv() -> None:
    """POST /appointments with a face template: parse_booking reads it, cv2 stays out."""
    loaded = loaded_after(
        """
        import base64
        import hall.queue.web.app
        from hall.config import load_config
        from hall.queue.tickets.appointments import parse_booking
        from hall.vision.face_template import FaceTemplate
        import numpy as np

        config = load_config("config.yaml")
        data = FaceTemplate(config.face.engine, np.ones((2, 8), np.float32)).to_bytes()
        extras = parse_booking(config, b"k" * 32, None, base64.b64encode(data).decode(), "v1")
        assert extras.face_template == data
        """
    )
    assert "cv2" not in loaded


def test_face_re_exports_the_same_classes() -> None:
    assert face.FaceTemplate is face_template.FaceTemplate
    assert face.FaceError is face_template.FaceError
    assert issubclass(face.NoFaceError, FaceError)


def test_round_trip_and_bad_bytes() -> None:
    features = np.arange(12, dtype=np.float32).reshape(3, 4)
    data = FaceTemplate("classic", features).to_bytes()
    back = FaceTemplate.from_bytes(data)
    assert back.engine == "classic" and np.array_equal(back.features, features)
    assert back.features.dtype == np.float32
    with pytest.raises(FaceError, match="truncated"):
        FaceTemplate.from_bytes(data[:-1])
    with pytest.raises(FaceError, match="not a face template"):
        FaceTemplate.from_bytes(b"JPEG" + data[4:])
