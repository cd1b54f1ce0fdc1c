"""Test helpers shared across test packages: poll for a condition, never sleep-wait."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hall.drivers.port import SerialLink
from hall.drivers.status import DeviceStatus


def wait_until(cond: Callable[[], object], timeout: float = 5.0, interval: float = 0.005) -> bool:
    """Poll ``cond()`` until it is truthy; return False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return False
        pause.wait(interval)


def start_ok(link: SerialLink, timeout: float = 5.0) -> SerialLink:
    """Start ``link`` and wait until its port is open."""
    link.start()
    assert wait_until(lambda: link.status is DeviceStatus.OK, timeout), link.last_error
    return link


class SocatPair:
    """A socat pty pair whose two ends are the fixed paths ``a`` and ``b``.

    ``stop()`` makes the ports disappear (socat removes its links on SIGTERM);
    ``start()`` brings new ptys back under the same paths.
    """

    def __init__(self, directory: Path) -> None:
        self.a = str(directory / "ttyA")
        self.b = str(directory / "ttyB")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None, "socat already running"
        self.proc = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.a}", f"pty,raw,echo=0,link={self.b}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ok = wait_until(lambda: Path(self.a).exists() and Path(self.b).exists(), 5.0)
        assert ok, "socat did not create its pty links"

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        self.proc.wait(5)
        self.proc = None
        assert wait_until(lambda: not Path(self.a).exists(), 5.0), "socat left its links"
