"""Shared fixtures: a test hall config and a real daemon on a free loopback port."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml

from hall.config import hash_pin
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent
PIN = "2468"
_PIN_HASH = hash_pin(PIN)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hall_config(**overrides: Any) -> dict[str, Any]:
    """A small test hall: four always-open services, one closed today, five windows."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    cfg: dict[str, Any] = {
        "hall": {
            "name": "测试大厅",
            "timezone": "Asia/Shanghai",
            "hours": {
                "open": "09:00",
                "close": "17:00",
                "lunch_break": {"start": "12:00", "end": "13:30"},
                # Closed today and tomorrow, so "outside hours" is testable at any hour.
                "closed_dates": [today, today + dt.timedelta(days=1)],
            },
        },
        "services": [
            {
                "code": "general",
                "name_zh": "综合受理",
                "name_en": "General",
                "prefix": "A",
                "hours": "always",
                "per_person_daily_limit": 2,
            },
            {
                "code": "vip",
                "name_zh": "企业开办",
                "name_en": "Business",
                "prefix": "B",
                "hours": "always",
            },
            {
                "code": "other",
                "name_zh": "不动产",
                "name_en": "Real estate",
                "prefix": "C",
                "hours": "always",
                "allow_priority": False,
            },
            {
                "code": "capped",
                "name_zh": "出入境",
                "name_en": "Exit-entry",
                "prefix": "D",
                "hours": "always",
                "daily_cap": 3,
            },
            {"code": "daytime", "name_zh": "社保", "name_en": "Social", "prefix": "E"},
        ],
        "windows": [
            {"number": 1, "services": ["general", "vip"]},
            {"number": 2, "services": ["general"]},
            {"number": 3, "services": ["other"]},
            {"number": 4, "services": ["other", "general"]},
            {"number": 5, "services": ["capped", "daytime"]},
        ],
        "staff": [
            {"id": f"S00{n}", "name": f"员工{n}", "pin_hash": _PIN_HASH, "windows": [n]}
            for n in range(1, 6)
        ]
        + [{"id": "SB", "name": "备岗", "pin_hash": _PIN_HASH, "windows": [1, 2], "role": "B"}],
        "api": {
            "tokens": [
                {"name": "kiosk-t", "token": "kiosk-token-1", "role": "kiosk"},
                {"name": "lobby-t", "token": "display-token-1", "role": "display"},
                {"name": "mgr-t", "token": "manager-token-1", "role": "manager"},
            ]
        },
    }
    for key, value in overrides.items():
        cfg[key] = value
    return cfg


def write_config(path: Path, cfg: dict[str, Any]) -> Path:
    """Write a config dict as YAML (dates become YAML dates)."""
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class Api:
    """A tiny requests client bound to a daemon and a token."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=10, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.base + path, json=json, timeout=10, **kw)

    def close(self) -> None:
        self.session.close()


class Daemon:
    """A real ``python -m hall.queue`` subprocess on loopback with its own data dir."""

    def __init__(self, config_path: Path, data_dir: Path) -> None:
        self.config_path = config_path
        self.data_dir = data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._clients: list[Api] = []

    def start(self) -> Daemon:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.log = open(self.data_dir / f"daemon-{time.monotonic_ns()}.log", "wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hall.queue",
                "--config",
                str(self.config_path),
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        assert wait_until(self._healthy, timeout=20), "daemon did not become healthy"
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}")
        try:
            return requests.get(self.base + "/api/v1/health", timeout=1).ok
        except requests.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def restart(self) -> Daemon:
        self.stop()
        return self.start()

    def api(self, token: str | None) -> Api:
        client = Api(self.base + "/api/v1", token)
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
        for c in self._clients:
            c.close()


def module_daemon(factory: pytest.TempPathFactory, name: str) -> Iterator[Daemon]:
    """One daemon on the test hall for a whole module (use inside a module-scoped fixture)."""
    folder = factory.mktemp(name)
    d = Daemon(write_config(folder / "config.yaml", hall_config()), folder / "data")
    d.data_dir.mkdir()
    yield d.start()
    d.close_clients()
    d.stop()


@pytest.fixture
def make_daemon(tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    """Factory: start a daemon with a config dict; all are stopped at teardown."""
    started: list[Daemon] = []

    def make(cfg: dict[str, Any] | None = None, name: str = "d") -> Daemon:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        path = write_config(folder / "config.yaml", cfg or hall_config())
        d = Daemon(path, folder / "data")
        d.data_dir.mkdir(exist_ok=True)
        started.append(d)
        return d.start()

    yield make
    for d in started:
        d.close_clients()
        d.stop()


@pytest.fixture
def daemon(make_daemon: Callable[..., Daemon]) -> Daemon:
    """A daemon on the test hall."""
    return make_daemon()


@pytest.fixture
def kiosk(daemon: Daemon) -> Api:
    return daemon.api("kiosk-token-1")


@pytest.fixture
def manager(daemon: Daemon) -> Api:
    return daemon.api("manager-token-1")
