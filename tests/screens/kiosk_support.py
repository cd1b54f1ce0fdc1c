"""Fixtures for the citizen kiosk's UI tests: a daemon per module, a kiosk per test.

A test module loads the fixtures (``hall_daemon``, ``kiosk_ui``, ``make_kiosk``)
with ``pytest_plugins = ["tests.screens.kiosk_support"]`` and imports nothing else
from here at run time (pytest must import it first, to rewrite its asserts). The kiosk runs on a :class:`FakeClock`,
so no time-out fires by itself: a test moves the clock (``kiosk.clock.advance``)
or calls ``root.tick(now)``, and never sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from kivy.tests.common import UnitTestTouch

import tests.kivy_harness as h
from hall.config import KioskSection
from hall.drivers.printer import TicketPrinter
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.guide import load_guide
from hall.kiosk.i18n import Strings
from hall.screens.kiosk import KioskRoot
from tests.conftest import ROOT, Daemon, module_daemon

GUIDE = load_guide(ROOT / "hall/kiosk/data/guide.yaml")
HALL_NAME = "测试大厅"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Kiosk:
    """A mounted kiosk root with its clock, simulated printer and settings."""

    root: KioskRoot
    clock: FakeClock
    sim: SimPrinter
    settings: KioskSection

    def widget(self, hall_id: str):  # noqa: ANN201 - a Kivy widget
        """A widget on the current screen by its hall_id."""
        return h.by_id(self.root, hall_id)

    def tap(self, hall_id: str) -> None:
        """Touch the centre of a widget of the current screen, as a finger would.

        Like ``kivy_harness.tap`` with one frame instead of two: the touch is
        handled in the next frame, and a frame costs ~50 ms under software GL.
        """
        widget = self.widget(hall_id)
        touch = UnitTestTouch(*widget.to_window(*widget.center))
        touch.touch_down()
        touch.touch_up()
        h.idle(1)

    def type(self, keys: str) -> None:
        """Type on the take screen's keypad ("<" = delete)."""
        for key in keys:
            self.tap("key-del" if key == "<" else f"key-{key}")

    def wait(self, cond: Callable[[], object], timeout: float = 10.0) -> None:
        """Run Kivy until ``cond()``; fail the test after ``timeout`` seconds."""
        assert h.idle_until(cond, timeout), "condition not reached on screen"
        h.idle(2)

    def on(self, screen: str, timeout: float = 10.0) -> None:
        """Wait until ``screen`` is shown."""
        self.wait(lambda: self.root.current == screen, timeout)


@pytest.fixture(scope="module")
def hall_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon on the test hall for a whole test module."""
    yield from module_daemon(tmp_path_factory, "kiosk-ui")


@pytest.fixture
def make_kiosk() -> Iterator[Callable[..., Kiosk]]:
    """Factory: a kiosk root on the window, talking to ``base_url``; shut down at teardown."""
    made: list[tuple[KioskRoot, DaemonClient]] = []

    def make(
        base_url: str,
        *,
        name: str = "kiosk-ui",
        wait_home: bool = True,
        ctx_extra: dict | None = None,
        **kw,
    ) -> Kiosk:
        settings = KioskSection(
            daemon_url=base_url,
            token="kiosk-token-1",
            id=name if name.isascii() else "kiosk-ui",
            name=name,
            idle_timeout_s=5,
            ticket_screen_s=10,
            ticket_screen_no_print_s=30,
            follow_url=base_url + "/t/{id}",
            **kw,
        )
        sim = SimPrinter(SimState.OK)
        client = DaemonClient(base_url, settings.token, timeout=2.0)
        ctx = KioskContext(
            settings=settings,
            client=client,
            strings=Strings(settings.language),
            printer=TicketPrinter(sim),
            guide=GUIDE,
            hall_name=HALL_NAME,
            **(ctx_extra or {}),  # catalogue, calendar, outbox, camera (自助申报)
        )
        clock = FakeClock()
        root = KioskRoot(ctx, clock=clock, retry_s=0.5)
        made.append((root, client))
        h.mount(root)
        kiosk = Kiosk(root, clock, sim, settings)
        if wait_home:
            kiosk.wait(lambda: root.home.loaded)
        return kiosk

    yield make
    for root, client in made:
        root.shutdown()
        client.close()
    h.mount(h.Widget())


@pytest.fixture
def kiosk_ui(hall_daemon: Daemon, make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    """A kiosk on the module's daemon, showing home with the services loaded.

    (Not ``kiosk``: tests/conftest.py has a fixture of that name, the kiosk's API client.)
    """
    return make_kiosk(hall_daemon.base)
