"""A quiet HTTP server on loopback, on a thread, for the parties the tests play.

:class:`LocalServer` starts and stops ``http.server``'s threading server and hands every
GET and POST to :meth:`LocalServer.handle`; a subclass says what it answers there
(:func:`answer` writes one answer).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


def answer(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    """Write one whole answer: status, headers, Content-Length and body."""
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class LocalServer:
    """An HTTP server on ``127.0.0.1:port``; subclasses implement :meth:`handle`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        """Serve on a daemon thread; return self."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # http.server's name
                server.handle(self)

            def do_POST(self) -> None:  # http.server's name
                server.handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (again: nothing)."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        """Answer one request (GET or POST)."""
        raise NotImplementedError
