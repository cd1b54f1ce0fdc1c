"""A small Server-Sent Events reader for tests: a thread parses frames into a queue."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class SseEvent:
    id: int | None
    type: str
    data: Any


class SseReader:
    """Follows ``GET /api/v1/events``; ``next()`` returns the next event or raises."""

    def __init__(self, base: str, token: str, last_id: int | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self._session = requests.Session()
        self.response = self._session.get(
            base + "/api/v1/events", headers=headers, stream=True, timeout=(5, 60)
        )
        self.response.raise_for_status()
        # Kept so close() can cut the socket under a blocked read at once.
        self._sock = self.response.raw.connection.sock
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                if raw == "":
                    if "data" in fields:
                        self.events.put(
                            SseEvent(
                                int(fields["id"]) if "id" in fields else None,
                                fields.get("event", "message"),
                                json.loads(fields["data"]),
                            )
                        )
                    fields = {}
                elif not raw.startswith(":"):
                    name, _, value = raw.partition(":")
                    fields[name] = value.removeprefix(" ")
        except (requests.RequestException, AttributeError, ValueError, OSError):
            return  # closed by the test, or the daemon went away

    def next(self, timeout: float = 10.0) -> SseEvent:
        return self.events.get(timeout=timeout)

    def next_of(self, type_: str, timeout: float = 10.0) -> SseEvent:
        """The next event of a type, skipping others."""
        while True:
            ev = self.next(timeout)
            if ev.type == type_:
                return ev

    def drain(self) -> list[SseEvent]:
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self._session.close()
        self._thread.join(5)
