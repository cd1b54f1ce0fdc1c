"""The LED bus as the device tests hold it: a running socat pty pair (daemon end ``a``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serial import SocatPair


@pytest.fixture
def led_pair(tmp_path: Path) -> Iterator[SocatPair]:
    """A socat pty pair for the LED bus: the daemon opens ``a``, the test's far end ``b``."""
    if shutil.which("socat") is None:
        pytest.skip("socat not installed")
    pair = SocatPair(tmp_path / "led")
    Path(pair.a).parent.mkdir()
    pair.start()
    yield pair
    pair.stop()
