"""A headless Chromium driven over the Chrome DevTools Protocol (websockets, no extra package).

Used by the page tests (tests/queue/) and the screen atlas (``make screens``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from websockets.sync.client import connect

from hall.processes import stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def wait_until(cond: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll ``cond()`` until it is truthy; False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not cond():
        if time.monotonic() >= deadline:
            return False
        pause.wait(0.005)
    return True


class Browser:
    """One headless Chromium with one page; ``evaluate`` runs JavaScript in it."""

    def __init__(self, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "--window-size=1400,1000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port: int | None = None
        self._lines: list[str] = []
        threading.Thread(target=self._read_stderr, daemon=True).start()
        assert wait_until(lambda: self.port is not None, 30), "".join(self._lines[-20:])
        pages = requests.get(f"http://127.0.0.1:{self.port}/json/list", timeout=5).json()
        page = next(p for p in pages if p["type"] == "page")
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        )
        self._id = 0

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self._lines.append(line)
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                self.port = int(found.group(1))

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One CDP command and its result (events on the way are skipped)."""
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self._id:
                assert "error" not in msg, msg
                return msg["result"]

    def goto(self, url: str) -> None:
        """Navigate to ``url`` and wait (up to 15 s) until the document is complete."""
        self.send("Page.navigate", url=url)
        assert wait_until(lambda: self.evaluate("document.readyState") == "complete", 15)

    def evaluate(self, expression: str) -> Any:
        """The value of the JavaScript ``expression`` in the page, returned by value."""
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return res["result"].get("value")

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        """Lay pages out at ``width`` x ``height`` CSS pixels (a phone with ``mobile``)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """A PNG of the page (the whole page with ``full_page``, else the viewport)."""
        options = {"captureBeyondViewport": True} if full_page else {}
        data = self.send("Page.captureScreenshot", format="png", **options)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close the DevTools socket and end Chromium (killed if it takes over 10 s)."""
        try:
            self._stack.close()
        finally:
            stop(self.proc)
            self.proc.stderr.close()
