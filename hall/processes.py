"""Child processes of the hall: the daemon's command line and one way to stop a child.

``make run`` (hall.launch), the screen atlas, the benchmarks and the tests all start
``python -m hall.queue`` as a child and stop children the same way: SIGTERM, a grace
period, then SIGKILL. Both live here so that a new daemon option or a longer grace
period is changed once.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: How long a child may take to stop after SIGTERM before it is killed (seconds).
GRACE_S = 10.0


def daemon_argv(
    config_path: str | Path,
    data_dir: str | Path,
    *,
    port: int | None = None,
    device_ports: Mapping[str, str] | None = None,
) -> list[str]:
    """The command line of the queue daemon (``python -m hall.queue``) in this interpreter."""
    argv = [sys.executable, "-m", "hall.queue", "--config", str(config_path)]
    argv += ["--data-dir", str(data_dir)]
    if port is not None:
        argv += ["--port", str(port)]
    for bus, url in (device_ports or {}).items():
        argv += ["--device-port", f"{bus}={url}"]
    return argv


def stop(proc: subprocess.Popen, grace_s: float = GRACE_S) -> bool:
    """Stop ``proc``: SIGTERM, then SIGKILL after ``grace_s``; True if it had to be killed."""
    if proc.poll() is not None:
        return False
    proc.terminate()
    try:
        proc.wait(grace_s)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace_s)
        return True
