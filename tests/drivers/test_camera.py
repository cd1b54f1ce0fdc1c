"""Camera drivers: the simulator, OpenCV on a missing device, a video file, the type table."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from hall.drivers.camera import CAMERAS, OpenCVCamera, SimCamera, open_camera
from hall.drivers.errors import DeviceOffline
from hall.drivers.status import DeviceStatus


def solid(value: int, size: tuple[int, int] = (48, 64)) -> np.ndarray:
    return np.full((*size, 3), value, np.uint8)


def test_sim_plays_frames_in_order_and_loops() -> None:
    cam = SimCamera([solid(10), solid(20), solid(30)])
    got = [int(cam.read()[0, 0, 0]) for _ in range(7)]
    assert got == [10, 20, 30, 10, 20, 30, 10]
    assert cam.status == DeviceStatus.OK and cam.frames_read == 7


def test_sim_once_ends_with_device_offline() -> None:
    cam = SimCamera([solid(1), solid(2)], loop=False)
    assert [int(cam.read()[0, 0, 0]) for _ in range(2)] == [1, 2]
    with pytest.raises(DeviceOffline, match="end of the frame list"):
        cam.read()
    assert cam.status == DeviceStatus.OFFLINE


def test_sim_reads_image_files_and_returns_copies(tmp_path: Path) -> None:
    paths = []
    for i, v in enumerate((50, 150)):
        p = tmp_path / f"f{i}.png"
        cv2.imwrite(str(p), solid(v))
        paths.append(p)
    cam = SimCamera([paths[0], solid(99)[..., 0], str(paths[1])], loop=False)
    first = cam.read()
    first[:] = 0  # a caller drawing on a frame must not change the recording
    assert cam.read().shape == (48, 64, 3)  # grey frames come out as BGR
    assert int(cam.read()[0, 0, 1]) == 150
    cam2 = SimCamera([paths[0]])
    assert int(cam2.read()[0, 0, 0]) == 50


def test_sim_missing_file_and_fault_injection(tmp_path: Path) -> None:
    with pytest.raises(DeviceOffline, match="nothing.png"):
        SimCamera([tmp_path / "nothing.png"])
    cam = SimCamera([solid(5)])
    cam.set_offline()
    with pytest.raises(DeviceOffline):
        cam.read()
    cam.set_offline(False)
    assert cam.read().shape == (48, 64, 3)


@pytest.mark.parametrize("source", [97, "97"])
def test_opencv_missing_device_raises_naming_it(source: int | str) -> None:
    with pytest.raises(DeviceOffline, match="device 97"):
        OpenCVCamera(source)


def test_opencv_missing_file_raises_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-video.avi"
    with pytest.raises(DeviceOffline, match="no-such-video.avi"):
        open_camera({"type": "opencv", "source": str(missing)})


def write_video(path: Path, values: list[int], size: tuple[int, int] = (160, 120)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for v in values:
        frame = np.full((size[1], size[0], 3), v, np.uint8)
        cv2.putText(frame, str(v), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
        writer.write(frame)
    writer.release()


def test_opencv_reads_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    values = [20, 60, 100, 140, 180]
    write_video(path, values)
    with open_camera({"type": "opencv", "source": str(path)}) as cam:
        assert cam.status == DeviceStatus.OK
        means = [float(np.median(cam.read())) for _ in values]
        with pytest.raises(DeviceOffline, match="clip.avi"):
            cam.read()
    # MJPEG is lossy: each frame's background comes back within a few levels.
    assert means == pytest.approx(values, abs=4)
    assert cam.status == DeviceStatus.OFFLINE


def test_opencv_video_file_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    write_video(path, [40, 200])
    cam = OpenCVCamera(str(path), loop=True)
    try:
        got = [float(np.median(cam.read())) for _ in range(5)]
    finally:
        cam.close()
    assert got == pytest.approx([40, 200, 40, 200, 40], abs=4)
    with pytest.raises(DeviceOffline):
        cam.read()


def test_open_camera_by_type_and_bad_config() -> None:
    assert set(CAMERAS) == {"opencv", "sim"}
    cam = open_camera({"type": "sim", "frames": [solid(7)], "loop": False})
    assert isinstance(cam, SimCamera) and int(cam.read()[0, 0, 0]) == 7
    with pytest.raises(ValueError, match="'usb'"):
        open_camera({"type": "usb"})
    with pytest.raises(ValueError, match="bad options"):
        open_camera({"type": "sim", "frames": [solid(7)], "fps": 30})
