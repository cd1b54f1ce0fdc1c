"""Shared fixtures: a real daemon on a free loopback port, API clients, a fake upstream.

Helpers (the test hall's config, the daemon classes, the client) live in tests/support/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.support")

from tests.support import Api, Daemon, free_port, new_daemon  # noqa: E402 - after the rewrite hook
from tests.support.upstream import FakeUpstream  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``process`` marker."""
    config.addinivalue_line(
        "markers",
        "process: the test's daemons are `python -m hall.queue` subprocesses "
        "(the process boundary is under test: kill -9, restarts, what the process logs)",
    )


@pytest.fixture
def make_daemon(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Daemon]]:
    """Factory: start a daemon with a config dict; all are stopped at teardown.

    In-process (tests/support/daemon.py) unless the test is marked ``process``.
    """
    started: list[Daemon] = []
    marked = request.node.get_closest_marker("process") is not None

    def make(cfg: dict[str, Any] | None = None, name: str = "d") -> Daemon:
        d = new_daemon(tmp_path / name, cfg, process=marked)
        started.append(d)
        return d.start()

    yield make
    for d in started:
        d.close_clients()
        d.stop()


@pytest.fixture
def daemon(make_daemon: Callable[..., Daemon]) -> Daemon:
    """A daemon on the test hall (a subprocess if the test is marked ``process``)."""
    return make_daemon()


@pytest.fixture
def kiosk(daemon: Daemon) -> Api:
    """The kiosk's client of ``daemon``."""
    return daemon.api("kiosk-token-1")


@pytest.fixture
def manager(daemon: Daemon) -> Api:
    """The manager's client of ``daemon``."""
    return daemon.api("manager-token-1")


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    """A fake upstream platform on a free loopback port, down until the test starts it."""
    fake = FakeUpstream(free_port())
    yield fake
    fake.stop()
