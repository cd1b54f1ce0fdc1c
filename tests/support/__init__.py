"""What the tests share besides fixtures (those are in tests/conftest.py).

- :mod:`tests.support.config`: the test hall's config, its PIN, its clock start, ID numbers.
- :mod:`tests.support.daemon`: the daemon under test, in-process or a subprocess.
- :mod:`tests.support.api`: the HTTP client.
- :mod:`tests.support.upstream`: a fake upstream platform (HTTP server on a thread).
- :mod:`tests.support.polling`: ``wait_until``, never sleep-wait.
- :mod:`tests.support.serial`: socat pty pairs and serial links.
- :mod:`tests.support.fuzz`: schemathesis against a daemon's /openapi.json, as every role.

The common names are importable from ``tests.support`` itself.
"""

from __future__ import annotations

from tests.support.api import Api
from tests.support.config import (
    CLOCK_START,
    PIN,
    ROOT,
    START,
    TODAY,
    TZ,
    clock,
    free_port,
    hall_config,
    make_id,
    now,
    write_config,
)
from tests.support.daemon import Daemon, LocalDaemon, ProcessDaemon, module_daemon, new_daemon
from tests.support.polling import wait_until

__all__ = [
    "CLOCK_START",
    "PIN",
    "ROOT",
    "START",
    "TODAY",
    "TZ",
    "Api",
    "Daemon",
    "LocalDaemon",
    "ProcessDaemon",
    "clock",
    "free_port",
    "hall_config",
    "make_id",
    "module_daemon",
    "new_daemon",
    "now",
    "wait_until",
    "write_config",
]
