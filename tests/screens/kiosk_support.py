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
from kivy.uix.scrollview import ScrollView

import tests.kivy_harness as h
from hall.config import KioskSection
from hall.drivers.printer import TicketPrinter
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.guide import load_guide
from hall.kiosk.i18n import Strings
from hall.screens.kiosk.root import KioskRoot
from tests import support
from tests.support import ROOT, Daemon, module_daemon

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

    def widget(self, hall_id: str):  # a Kivy widget
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
    """One daemon on the test hall for a whole test module.

    A subprocess: one start per module, and Kivy's frames do not share the GIL with it.
    """
    yield from module_daemon(tmp_path_factory, "kiosk-ui", process=True)


@pytest.fixture
def make_kiosk() -> Iterator[Callable[..., Kiosk]]:
    """Factory: a kiosk root on the window, talking to ``base_url``; shut down at teardown."""
    made: list[tuple[KioskRoot, DaemonClient]] = []

    def make(
        base_url: str,
        *,
        name: str = "kiosk-ui",
        wait_home: bool = True,
        hall_name: str = HALL_NAME,
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
            hall_name=hall_name,
            clock=support.clock,  # the daemon's clock: one day for both
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


# -- layout checks (大字版, English): a small local checker for the kiosk screens ---------

#: Closing marks a line must not start with, opening marks it must not end with (禁则).
_NO_LINE_START = "）)，,。.、：:；;？?！!…%"
_NO_LINE_END = "（("
#: Labels up to this many characters are names or buttons, not sentences.
SHORT_LABEL = 24


def _shown(widget, screen) -> bool:
    """The widget and its parents up to ``screen`` are visible and have an area."""
    w = widget
    while w is not None and w is not screen:
        if w.opacity <= 0 or w.width <= 0 or w.height <= 0:
            return False
        w = w.parent
    return True


def _window_rect(widget) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a widget in window coordinates, clipped by its ScrollViews."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    p = widget.parent
    while p is not None and p is not p.parent:
        if isinstance(p, ScrollView):
            sx0, sy0 = p.to_window(p.x, p.y)
            sx1, sy1 = p.to_window(p.right, p.top)
            x0, y0, x1, y1 = max(x0, sx0), max(y0, sy0), min(x1, sx1), min(y1, sy1)
        p = p.parent
    return x0, y0, x1, y1


def label_lines(label) -> list[str]:
    """The lines Kivy laid a label's text out in (after ``texture_update``)."""
    label.texture_update()
    lines = getattr(label._label, "_cached_lines", None) or []
    return ["".join(word.text for word in line.words) for line in lines]


def _bracket_inner(done: str) -> int | None:
    """Length so far of the bracket group a break falls in (None: not in brackets)."""
    depth_at = max(done.rfind("（"), done.rfind("("))
    if depth_at < 0 or max(done.rfind("）"), done.rfind(")")) > depth_at:
        return None
    return len(done) - depth_at - 1


def _bad_break(before: str, after: str, at_space: bool, done: str, text: str) -> str | None:
    """Why a line break between ``before`` and ``after`` splits what belongs together.

    English breaks at spaces only; a number stays with the word after it; a line
    does not start with a closing mark or end with an opening one (禁则); a short
    label (a name, a button) is not broken inside a bracketed term such as （一窗通办）
    (a sentence may be: Chinese text breaks between any two characters).
    """
    a, b = before.rstrip()[-1:], after.lstrip()[:1]
    if not a or not b:
        return None
    if not at_space and a.isascii() and b.isascii() and a.isalnum() and b.isalnum():
        return "splits a word"
    if a.isdigit() or (b.isdigit() and not at_space):
        return "separates a number from its word"
    if b in _NO_LINE_START or a in _NO_LINE_END:
        return "breaks at a bracket or punctuation"
    if not at_space and len(text) <= SHORT_LABEL and _bracket_inner(done) is not None:
        return "breaks inside brackets"
    return None


def _breaks(text: str, lines: list[str]) -> list[tuple[str, str, bool, str]]:
    """(line before, line after, at whitespace, text so far) of each line break."""
    found, pos = [], 0
    for before, after in zip(lines, lines[1:], strict=False):
        start = text.find(before.strip(), pos) if before.strip() else pos
        pos = (start if start >= 0 else pos) + len(before.strip())
        at_space = pos < len(text) and text[pos] in " \n"
        found.append((before, after, at_space, text[:pos]))
    return found


def layout_problems(screen, one_line: Callable[[object], bool] = lambda _w: False) -> list[str]:
    """What is wrong with the layout of ``screen`` as drawn now (empty: nothing).

    Every visible label: its texture fits its widget, its text is all there (not
    shortened or cut), no line breaks inside a word, a number or brackets, and
    labels for which ``one_line(label)`` is true take one line. Every visible
    touch target lies inside the window and overlaps no other one.
    """
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    problems: list[str] = []
    targets = []
    for w in screen.walk(restrict=True):
        if not _shown(w, screen):
            continue
        name = getattr(w, "hall_id", "") or type(w).__name__
        if isinstance(w, Label) and w.text.strip():
            w.texture_update()
            tw, th = w.texture_size
            if tw > w.width + 1 or th > w.height + 1:
                problems.append(
                    f"{name} {w.text!r}: text {tw}x{th} > widget {w.width:.0f}x{w.height:.0f}"
                )
            lines = label_lines(w)
            laid = "".join(lines).replace(" ", "")
            if laid != w.text.replace(" ", "").replace("\n", ""):
                problems.append(f"{name} {w.text!r}: shown as {lines!r} (cut or shortened)")
            for before, after, at_space, done in _breaks(w.text, lines):
                why = _bad_break(before, after, at_space, done, w.text)
                if why:
                    problems.append(f"{name} {w.text!r}: {why}: {before!r} / {after!r}")
            if one_line(w) and len(lines) > 1:
                problems.append(f"{name} {w.text!r}: wraps ({lines!r}), should fit one line")
        if isinstance(w, ButtonBehavior) and not w.disabled:
            x0, y0, x1, y1 = _window_rect(w)
            if x1 - x0 > 0 and y1 - y0 > 0:
                targets.append((name, (x0, y0, x1, y1)))
                if x0 < -1 or y0 < -1 or x1 > Window.width + 1 or y1 > Window.height + 1:
                    problems.append(f"{name}: outside the window {(x0, y0, x1, y1)}")
    for i, (name, (ax0, ay0, ax1, ay1)) in enumerate(targets):
        for other, (bx0, by0, bx1, by1) in targets[i + 1 :]:
            if min(ax1, bx1) - max(ax0, bx0) > 1 and min(ay1, by1) - max(ay0, by0) > 1:
                problems.append(f"{name} overlaps {other}")
    return problems


def target_sizes(screen) -> dict[str, tuple[float, float]]:
    """(width, height) of every visible touch target with a hall_id on ``screen``."""
    from kivy.uix.behaviors import ButtonBehavior

    return {
        w.hall_id: (w.width, w.height)
        for w in screen.walk(restrict=True)
        if isinstance(w, ButtonBehavior) and getattr(w, "hall_id", "") and _shown(w, screen)
    }
