"""Following the daemon's event stream (``/api/v1/events``, SSE) on a thread.

The lobby, caller panels and kiosk screens learn of calls, tickets and notices from
it (hall/screens/common/bridge.py). The stream is verified like every call of
hall/kiosk/client.py (:func:`hall.kiosk.tls.tls_verify`, ``kiosk.ca_file``); a
certificate that does not verify is logged once, not at every retry.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable

import requests

from hall.kiosk.tls import tls_verify, transport_problem

# The name it had inside hall/kiosk/client.py: log filters and readers keep working.
log = logging.getLogger("hall.kiosk.client")


class EventFollower:
    """Follows ``/api/v1/events`` on a thread and hands each event to ``on_event``.

    Reconnects by itself with ``Last-Event-ID``, so after a daemon restart it
    misses nothing. ``on_event(type, data, id)`` and ``on_state(connected)``
    run on the follower thread: a Kivy screen must move them to the UI thread.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        on_event: Callable[[str, dict, int], None],
        on_state: Callable[[bool], None] | None = None,
        last_id: int | None = None,
        retry_s: float = 1.0,
        ca_file: str | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/events"
        self.ca_file = ca_file  # kiosk.ca_file, as DaemonClient
        self._session = requests.Session()
        self._problem: str | None = None
        self.token = token
        self.on_event = on_event
        self.on_state = on_state
        self.last_id = last_id
        self.retry_s = retry_s
        self.connected = False
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._thread = threading.Thread(target=self._run, name="event-follower", daemon=True)

    def start(self) -> EventFollower:
        """Start following."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following and close the stream."""
        self._stop.set()
        self._cut()
        self._thread.join(5)
        self._session.close()

    def _cut(self) -> None:
        resp = self._response
        if resp is not None:
            with contextlib.suppress(Exception):
                resp.raw.connection.sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(Exception):
                resp.close()

    def _set_connected(self, value: bool) -> None:
        if value != self.connected:
            self.connected = value
            if self.on_state:
                try:
                    self.on_state(value)
                except Exception:  # a screen bug must not stop following
                    log.exception("event state callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
                problem = transport_problem(exc, self.ca_file)
                if problem is None:
                    log.info("event stream interrupted: %s", type(exc).__name__)
                elif problem != self._problem:  # once, not at every retry
                    log.error("event stream: %s", problem)
                self._problem = problem
            self._set_connected(False)
            self._stop.wait(self.retry_s)

    def _follow(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        verify = tls_verify(self.ca_file)
        with self._session.get(
            self.url, headers=headers, stream=True, timeout=(3, 60), verify=verify
        ) as resp:
            self._response = resp
            if resp.status_code != 200:
                raise ValueError(f"HTTP {resp.status_code}")
            self._set_connected(True)
            fields: dict[str, str] = {}
            for line in resp.iter_lines(decode_unicode=True):
                if self._stop.is_set():
                    return
                if line:
                    if not line.startswith(":"):
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
                    continue
                if "data" in fields:
                    self._deliver(fields)
                fields = {}

    def _deliver(self, fields: dict[str, str]) -> None:
        event_id = int(fields["id"]) if fields.get("id", "").isdigit() else None
        try:
            self.on_event(fields.get("event", "message"), json.loads(fields["data"]), event_id)
        except Exception:  # a screen bug must not stop following
            log.exception("event handler failed for %s", fields.get("event"))
        if event_id is not None:
            self.last_id = event_id
