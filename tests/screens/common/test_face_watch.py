"""FaceWatch: a face decision on its own thread, its result and picture on the Kivy thread.

Real simulated camera frames, the real Kivy clock; the deciding functions here
only count and look at frames (the face decisions have tests of their own).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from kivy.clock import Clock

from hall.drivers.camera import SimCamera
from hall.screens.common.face_watch import FaceWatch
from tests.kivy_harness import idle, idle_until


def post(fn, *args) -> None:  # as UiBridge.post: run on the Kivy thread
    Clock.schedule_once(lambda _dt: fn(*args), 0)


def frames(n: int = 6) -> list[np.ndarray]:
    """Frames that differ (grey level = index), 640 x 480 like the face camera's."""
    return [np.full((480, 640, 3), 10 * i, np.uint8) for i in range(n)]


class Outcome:
    """What reached the Kivy thread, and on which thread."""

    def __init__(self) -> None:
        self.done: list = []
        self.failed: list[str] = []
        self.threads: set[str] = set()

    def on_done(self, value: object) -> None:
        self.threads.add(threading.current_thread().name)
        self.done.append(value)

    def on_failed(self, why: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.failed.append(why)


@pytest.fixture
def camera() -> Iterator[SimCamera]:
    cam = SimCamera(frames(), loop=True)
    yield cam
    cam.close()


def test_the_result_and_the_picture_arrive_on_the_kivy_thread(camera: SimCamera) -> None:
    out, shown = Outcome(), []
    seen_on: list[str] = []

    def decide(stream: Iterator[np.ndarray]) -> list[int]:
        seen_on.append(threading.current_thread().name)
        return [int(next(stream)[0, 0, 0]) for _ in range(5)]

    def show(texture) -> None:  # a Kivy texture
        shown.append((texture.size, threading.current_thread().name))

    watch = FaceWatch(camera, post, show, name="t")
    assert watch.start(decide, out.on_done, out.on_failed)
    assert idle_until(lambda: out.done, 5)
    assert out.done == [[0, 10, 20, 30, 40]] and out.failed == []
    assert out.threads == {threading.main_thread().name}
    assert seen_on == ["t-face"]  # decided off the Kivy thread
    # Every second frame is shown, at half size: frames 0, 2 and 4.
    assert shown == [((320, 240), threading.main_thread().name)] * 3
    assert watch.join() and not watch.running


def test_cancel_drops_the_result_and_ends_the_stream(camera: SimCamera) -> None:
    out, shown = Outcome(), []
    counted: list[int] = []

    def decide(stream: Iterator[np.ndarray]) -> int:
        n = 0
        for _frame in stream:  # until the stream ends
            n += 1
        counted.append(n)
        return n

    watch = FaceWatch(camera, post, shown.append)
    assert watch.start(decide, out.on_done, out.on_failed)
    assert idle_until(lambda: camera.frames_read > 20, 5)
    assert not watch.start(decide, out.on_done, out.on_failed)  # one decision at a time
    watch.cancel()
    assert watch.join()
    assert counted and counted[0] >= 20  # the decision itself returned
    pictures = len(shown)
    idle(5)
    assert out.done == [] and out.failed == []
    assert len(shown) == pictures  # no picture of a cancelled decision either
    # The next decision runs normally.
    assert watch.start(lambda s: int(next(s)[0, 0, 0]) >= 0, out.on_done, out.on_failed)
    assert idle_until(lambda: out.done, 5) and out.done == [True]


def test_a_camera_gone_offline_is_reported_with_the_drivers_words(camera: SimCamera) -> None:
    out = Outcome()
    camera.set_offline()
    watch = FaceWatch(camera, post)
    assert watch.start(lambda s: next(s), out.on_done, out.on_failed)
    assert idle_until(lambda: out.failed, 5)
    assert out.failed == ["camera sim: offline"] and out.done == []
    assert out.threads == {threading.main_thread().name}


def test_a_bug_in_the_decision_reaches_the_screen_by_name(camera: SimCamera) -> None:
    out = Outcome()
    watch = FaceWatch(camera, post)
    assert watch.start(lambda s: 1 / 0, out.on_done, out.on_failed)
    assert idle_until(lambda: out.failed, 5)
    assert out.failed == ["ZeroDivisionError"]


def test_a_new_decision_starts_while_a_cancelled_one_is_still_ending(camera: SimCamera) -> None:
    out = Outcome()
    release = threading.Event()
    old_results: list[str] = []

    def slow(stream: Iterator[np.ndarray]) -> str:
        next(stream)
        release.wait(5)  # still busy with its frame when cancelled
        for _frame in stream:  # the stream has ended: the loop does not run
            old_results.append("frame after cancel")
        old_results.append("ended")
        return "old"

    watch = FaceWatch(camera, post)
    assert watch.start(slow, out.on_done, out.on_failed)
    assert idle_until(lambda: camera.frames_read >= 1, 5)
    watch.cancel()
    assert watch.running  # the cancelled decision has not ended yet ...
    assert watch.start(lambda s: int(next(s)[0, 0, 0]) >= 0, out.on_done, out.on_failed)
    assert idle_until(lambda: out.done, 5)  # ... and the new one ran at once
    release.set()
    assert idle_until(lambda: old_results, 5)
    idle(5)  # its result, posted as it returned, reaches the Kivy thread ...
    assert out.done == [True]  # ... and is dropped
    assert old_results == ["ended"]
