"""Poll for a condition, never sleep-wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
