"""The daemon's event stream (SSE) as a test holds it: opened, and watched for its end."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from tests.support.daemon import Daemon


def open_stream(d: Daemon, token: str) -> requests.Response:
    """``GET /api/v1/events`` with ``token``, streaming (the caller closes it)."""
    return requests.get(
        d.base + "/api/v1/events",
        headers={"Authorization": f"Bearer {token}"},
        stream=True,
        timeout=(5, 30),
    )


def watch(r: requests.Response) -> threading.Event:
    """Read the stream on a thread; the event is set when the daemon ends it."""
    done = threading.Event()

    def read() -> None:
        try:
            for _ in r.iter_lines():
                pass
            done.set()
        except (requests.RequestException, OSError, AttributeError, ValueError):
            pass  # closed by the test: not ended by the daemon

    threading.Thread(target=read, daemon=True).start()
    return done
