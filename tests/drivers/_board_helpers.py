"""Helpers for the LED board and voice tests: polling, a socat pty pair, links."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import serial

from hall.drivers.errors import DeviceOffline
from hall.drivers.status import DeviceStatus
from tests.support import wait_until  # noqa: F401 - re-exported for the tests
from tests.support.serial import SocatPair  # re-exported for the tests


@contextmanager
def socat_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Yield the two device paths of a socat pty pair; stop socat afterwards."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    pair = SocatPair(tmp_path)
    pair.start()
    try:
        yield pair.a, pair.b
    finally:
        pair.stop()


class PortLink:
    """The smallest link LedBus needs: ``send`` writes to a pyserial port."""

    def __init__(self, url: str, baudrate: int = 9600) -> None:
        self.port = serial.serial_for_url(url, baudrate, timeout=0.1, write_timeout=2)
        self.status = DeviceStatus.OK

    def send(self, data: bytes) -> None:
        try:
            self.port.write(data)
        except serial.SerialException as exc:
            raise DeviceOffline(str(exc)) from exc

    def close(self) -> None:
        self.port.close()


class RecordingLink:
    """A link that keeps every frame with the monotonic time it was sent."""

    def __init__(self) -> None:
        self.status = DeviceStatus.OK
        self.sent: list[tuple[float, bytes]] = []
        self.fail_next = 0
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise DeviceOffline("simulated write failure")
            self.sent.append((time.monotonic(), data))

    def frames(self) -> list[bytes]:
        with self._lock:
            return [d for _, d in self.sent]
