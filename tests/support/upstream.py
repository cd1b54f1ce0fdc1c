"""A small local HTTP server that plays an upstream platform (it is the edge of our world).

It can be down, slow, answer errors, refuse some items for good, or accept the
same item twice; it records every delivery with its Idempotency-Key.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeUpstream:
    """Start with ``start()``; set ``fail_next``, ``slow_next``, ``refuse`` to misbehave."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/api/submissions"
        self.deliveries: list[tuple[str, dict]] = []  # (idempotency key, body) per POST
        self.fail_next = 0  # answer 500 this many times
        self.slow_next = 0  # hold this many requests past the client's timeout
        self.slow_s = 2.0
        self.refuse: set[str] = set()  # receipts answered 422 for good
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeUpstream:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                with fake.lock:
                    fake.deliveries.append((key, body))
                    slow = fake.slow_next > 0
                    fake.slow_next -= slow
                    fail = not slow and fake.fail_next > 0
                    fake.fail_next -= fail
                if slow:
                    time.sleep(fake.slow_s)  # the platform is slow: the client gives up first
                status = 500 if fail else 422 if body.get("receipt") in fake.refuse else 201
                payload = json.dumps({"ok": status == 201}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> set[str]:
        with self.lock:
            return {k for k, _ in self.deliveries}

    def accepted_receipts(self) -> set[str]:
        """Receipts the platform has (deduplicated by key, as a platform would)."""
        with self.lock:
            return {b["receipt"] for _k, b in self.deliveries if b["receipt"] not in self.refuse}
