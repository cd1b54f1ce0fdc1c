"""A small local HTTP server that plays an upstream platform (it is the edge of our world).

It can be down, slow, answer errors, refuse some items for good, or accept the
same item twice; it records every delivery with its Idempotency-Key.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler

from tests.support.http import LocalServer, answer


class FakeUpstream(LocalServer):
    """Start with ``start()``; set ``fail_next``, ``slow_next``, ``refuse`` to misbehave."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.url = f"http://127.0.0.1:{port}/api/submissions"
        self.deliveries: list[tuple[str, dict]] = []  # (idempotency key, body) per POST
        self.fail_next = 0  # answer 500 this many times
        self.slow_next = 0  # hold this many requests past the client's timeout
        self.slow_s = 2.0
        self.refuse: set[str] = set()  # receipts answered 422 for good
        self.lock = threading.Lock()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        """Record a POST and answer it as the platform is set to; a GET is not served."""
        if h.command != "POST":
            return answer(h, 501, {}, b"")
        body = json.loads(h.rfile.read(int(h.headers["Content-Length"])))
        key = h.headers.get("Idempotency-Key", "")
        with self.lock:
            self.deliveries.append((key, body))
            slow = self.slow_next > 0
            self.slow_next -= slow
            fail = not slow and self.fail_next > 0
            self.fail_next -= fail
        if slow:
            time.sleep(self.slow_s)  # the platform is slow: the client gives up first
        status = 500 if fail else 422 if body.get("receipt") in self.refuse else 201
        payload = json.dumps({"ok": status == 201}).encode()
        answer(h, status, {"Content-Type": "application/json"}, payload)

    def keys(self) -> set[str]:
        with self.lock:
            return {k for k, _ in self.deliveries}

    def accepted_receipts(self) -> set[str]:
        """Receipts the platform has (deduplicated by key, as a platform would)."""
        with self.lock:
            return {b["receipt"] for _k, b in self.deliveries if b["receipt"] not in self.refuse}
