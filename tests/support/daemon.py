"""The queue daemon under test, in two forms with one interface.

- :class:`LocalDaemon`: the daemon's app (``hall.queue.web.app.create_app``) served by
  uvicorn on a thread of the test process, on a loopback port: real HTTP, the real
  store in its own data dir, no interpreter start. Policy tests use it.
- :class:`ProcessDaemon`: a real ``python -m hall.queue`` subprocess. Tests of the
  process boundary use it: SIGKILL and durability, restarts, what the process logs.

Both read the tests' clock (:func:`tests.support.config.clock`, which starts at
``CLOCK_START``; ``hall/queue/core/clock.py``), so no test depends on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from hall.processes import daemon_argv, stop
from hall.queue.core import clock
from tests.support.api import Api
from tests.support.config import PIN, ROOT, hall_config, now, write_config
from tests.support.config import clock as tests_clock
from tests.support.polling import wait_until


class Daemon:
    """What a test sees of a daemon: its address, API clients, staff logins, its clock."""

    def __init__(self, config_path: Path, data_dir: Path) -> None:
        self.config_path = config_path
        self.data_dir = data_dir
        with socket.socket() as s:  # the address is known before the start
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # api.tls in the config: the daemon serves HTTPS (tests/support/tls.py makes a CA).
        api = yaml.safe_load(config_path.read_text(encoding="utf-8"))["api"]
        self.base = f"{'https' if api.get('tls') else 'http'}://127.0.0.1:{self.port}"
        #: What clients verify the daemon's certificate against (requests' ``verify``):
        #: a test of an HTTPS daemon sets its CA file here before ``start()``.
        self.verify: bool | str = True
        self._clients: list[Api] = []
        # Added to the tests' clock at the next start: a restart "days later" (retention).
        self.shift_s = 0.0

    def start(self) -> Daemon:  # pragma: no cover - both kinds define it
        """Start serving; return self once /health answers."""
        raise NotImplementedError

    def stop(self) -> None:  # pragma: no cover - both kinds define it
        """Stop gracefully."""
        raise NotImplementedError

    def restart(self) -> Daemon:
        """Stop, then start again on the same port and data dir."""
        self.stop()
        return self.start()

    def now(self) -> dt.datetime:
        """The daemon's clock now, as an aware UTC datetime."""
        return now() + dt.timedelta(seconds=self.shift_s)

    def api(self, token: str | None) -> Api:
        """A client of ``/api/v1`` with ``token`` (None: no token)."""
        client = Api(self.base + "/api/v1", token, self.verify)
        self._clients.append(client)
        return client

    def staff(self, staff_id: str, window: int) -> Api:
        """Log a staff member in at a window; a client with the staff token."""
        r = self.api(None).post(
            "/staff/login", {"staff_id": staff_id, "pin": PIN, "window": window}
        )
        assert r.status_code == 200, r.text
        return self.api(r.json()["token"])

    def close_clients(self) -> None:
        """Close every client made by :meth:`api`."""
        for c in self._clients:
            c.close()

    def _answers(self) -> bool:
        try:
            return requests.get(self.base + "/api/v1/health", timeout=1, verify=self.verify).ok
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a busy machine
            return False


class ProcessDaemon(Daemon):
    """A real ``python -m hall.queue`` subprocess on loopback with its own data dir."""

    def __init__(self, config_path: Path, data_dir: Path) -> None:
        super().__init__(config_path, data_dir)
        self.proc: subprocess.Popen | None = None

    def start(self) -> ProcessDaemon:
        """Start the subprocess (its log is ``data_dir/daemon-<ns>.log``)."""
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        # It reads the tests' clock now when it starts (a second late: the interpreter starts).
        env[clock.ENV] = self.now().isoformat()
        self.log = open(self.data_dir / f"daemon-{time.monotonic_ns()}.log", "wb")
        self.proc = subprocess.Popen(
            daemon_argv(self.config_path, self.data_dir, port=self.port),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        assert wait_until(self._healthy, timeout=60), (
            "daemon did not become healthy"
        )  # a busy CI box
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}")
        return self._answers()

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc:
            stop(self.proc)
        self.log.close()


class LocalDaemon(Daemon):
    """The daemon's app served by uvicorn on a thread of this process (real HTTP)."""

    def __init__(self, config_path: Path, data_dir: Path) -> None:
        super().__init__(config_path, data_dir)
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalDaemon:
        """Load the config as ``python -m hall.queue`` does and serve it on a thread."""
        import uvicorn

        from hall.catalogue import load_catalogue
        from hall.config import load_config
        from hall.queue.web.app import create_app
        from hall.queue.web.limits import server_options
        from hall.queue.web.transport import tls_options

        config = load_config(self.config_path)
        # The subprocess runs in ROOT: a relative catalogue path is relative to it.
        path = ROOT / config.submissions.catalogue
        catalogue = load_catalogue(path) if path.exists() else None
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        shift = self.shift_s  # fixed for this run of the daemon
        app = create_app(
            config, str(self.data_dir), {}, catalogue, clock=lambda: tests_clock() + shift
        )
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                timeout_graceful_shutdown=2,  # as hall.queue.__main__
                lifespan="on",
                **server_options(config),  # as hall.queue.__main__
                **tls_options(config.api.tls),  # as hall.queue.__main__ (api.tls: HTTPS)
            )
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="hall-daemon", daemon=True
        )
        self._thread.start()
        started = wait_until(lambda: server.started or not self._thread.is_alive(), 20)
        assert started and server.started, "daemon did not start"
        assert wait_until(self._answers, 20), "daemon did not become healthy"
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit (it stops the service) and wait for its thread."""
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(15)
        if self._thread.is_alive():  # a connection that never closes (seen once under load, TLS)
            self._server.force_exit = True
            self._thread.join(15)
        if self._thread.is_alive():
            frame = sys._current_frames().get(self._thread.ident)
            where = "".join(traceback.format_stack(frame)) if frame else "(no frame)"
            raise AssertionError(f"daemon thread did not stop; it is at:\n{where}")
        self._thread = None


def new_daemon(folder: Path, cfg: dict | None = None, *, process: bool = False) -> Daemon:
    """A daemon (not started) with ``folder/config.yaml`` and ``folder/data``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_config(folder / "config.yaml", cfg or hall_config())
    data = folder / "data"
    data.mkdir(exist_ok=True)
    kind = ProcessDaemon if process else LocalDaemon
    return kind(path, data)


def module_daemon(
    factory: pytest.TempPathFactory, name: str, *, process: bool = False
) -> Iterator[Daemon]:
    """One daemon on the test hall for a whole module (use inside a module-scoped fixture)."""
    d = new_daemon(factory.mktemp(name), process=process)
    yield d.start()
    d.close_clients()
    d.stop()
