"""Fixtures for the keypad bus and serial link tests: socat pty pairs, links, fakes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.drivers.errors import DeviceOffline
from hall.drivers.port import SerialLink
from hall.drivers.status import DeviceStatus
from tests.support import wait_until
from tests.support.serial import SocatPair


@pytest.fixture
def socat(tmp_path: Path) -> Iterator[SocatPair]:
    """A running socat pty pair, stopped at teardown."""
    if shutil.which("socat") is None and not wait_until(lambda: shutil.which("socat"), 60):
        pytest.skip("socat is not installed (apt-get install socat)")
    pair = SocatPair(tmp_path)
    pair.start()
    yield pair
    pair.stop()


@pytest.fixture
def make_link() -> Iterator:
    """Factory for SerialLinks with fast retries; every link is stopped at teardown."""
    links: list[SerialLink] = []

    def make(url: str, **kwargs) -> SerialLink:
        kwargs.setdefault("retry_initial", 0.02)
        kwargs.setdefault("retry_max", 0.1)
        link = SerialLink(url, **kwargs)
        links.append(link)
        return link

    yield make
    for link in links:
        link.stop()


class FakeLink:
    """Stands in for SerialLink in unit tests: records what is sent."""

    def __init__(self) -> None:
        self.on_bytes = None
        self.on_status = None
        self.status = DeviceStatus.OK
        self.sent: list[bytes] = []

    def send(self, data: bytes) -> None:
        if self.status is not DeviceStatus.OK:
            raise DeviceOffline("fake link is offline")
        self.sent.append(bytes(data))


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_link() -> FakeLink:
    return FakeLink()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
