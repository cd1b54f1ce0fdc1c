"""Serial-port helpers: a socat pty pair, and starting a link until its port is open."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hall.drivers.port import SerialLink
from hall.drivers.status import DeviceStatus
from tests.support.polling import wait_until


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
        """Start socat and wait for both links."""
        assert self.proc is None, "socat already running"
        self.proc = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.a}", f"pty,raw,echo=0,link={self.b}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ok = wait_until(lambda: Path(self.a).exists() and Path(self.b).exists(), 5.0)
        assert ok, "socat did not create its pty links"

    def stop(self) -> None:
        """Stop socat; its links disappear."""
        if self.proc is None:
            return
        self.proc.terminate()
        self.proc.wait(5)
        self.proc = None
        assert wait_until(lambda: not Path(self.a).exists(), 5.0), "socat left its links"
