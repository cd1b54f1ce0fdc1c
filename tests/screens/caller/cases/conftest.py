"""Fixtures of the caller's 办件 tests: a hall whose windows 3 and 4 are 不动产登记中心's.

S003 (window 3) is the department's chief (首席代表, 把关权), S004 (window 4) a member
(即办权 only); window 1 is 市场监督管理局's. Each caller has the catalogue and the
hall's calendar, as ``run_kiosk.py --role caller`` reads them, and an ID card reader
fed by the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hall.drivers.idreader import IdCardReader
from hall.screens.caller.root import CallerRoot
from tests.screens.caller.cases.support import DEPARTMENTS, case_context
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon, hall_config


@pytest.fixture
def dept_daemon(make_daemon: Callable[..., Daemon]) -> Daemon:
    """The test hall with DEPARTMENTS."""
    return make_daemon(hall_config(departments=DEPARTMENTS))


@pytest.fixture
def reader() -> IdCardReader:
    """The window's ID card reader; a test feeds it a card line as the serial port would."""
    return IdCardReader(on_card=lambda _card: None)


@pytest.fixture
def chief(dept_daemon: Daemon, reader: IdCardReader) -> Iterator[CallerRoot]:
    """Window 3's caller (the chief signs in there), with the catalogue and a reader."""
    yield from caller_of(dept_daemon, 3, id_reader=reader, **case_context(dept_daemon))
