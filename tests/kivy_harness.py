"""Kivy under the real renderer for tests: one window per process, taps, polling, screenshots.

Import this module before anything imports Kivy's window. With no X display
the window renders offscreen through Kivy's bundled SDL2 (set DISPLAY, e.g.
under Xvfb, to see a real window). Never KIVY_GL_BACKEND=mock: it turns
graphic tests into no-tests.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))

from hall.kiosk.kivy_setup import prepare

ROOT = Path(__file__).resolve().parent.parent
#: Screenshots the tests write, for a person to look at (not compared by the tests).
SCREENSHOT_DIR = Path(os.environ.get("HALL_SCREENSHOTS", ROOT / "screenshots"))
WIDTH, HEIGHT = 1080, 1920

prepare(WIDTH, HEIGHT)

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

EventLoop.ensure_window()


def idle(frames: int = 2) -> None:
    """Let Kivy run a few frames (clock callbacks, layout, drawing)."""
    for _ in range(frames):
        EventLoop.idle()


def idle_until(cond: Callable[[], object], timeout: float = 5.0) -> bool:
    """Run the Kivy loop until ``cond()`` is truthy; False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        EventLoop.idle()
        if cond():
            return True
        if time.monotonic() > deadline:
            return False


def mount(root: Widget) -> Widget:
    """Make ``root`` the only widget of the window and lay it out."""
    for child in list(Window.children):
        Window.remove_widget(child)
    Window.add_widget(root)
    idle(3)
    return root


def tap(widget: Widget) -> None:
    """Touch the centre of a widget, as a finger would."""
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    idle(2)


def find(root: Widget, predicate: Callable[[Widget], bool]) -> Widget | None:
    """The first widget under ``root`` (depth first) for which ``predicate`` is true."""
    for w in root.walk(restrict=True):
        if predicate(w):
            return w
    return None


def by_id(root: Widget, name: str) -> Widget:
    """A widget by its ``hall_id`` property or kv id, searched through the tree."""
    found = find(root, lambda w: getattr(w, "hall_id", None) == name)
    if found is None:
        for w in root.walk(restrict=True):
            if name in getattr(w, "ids", {}):
                return w.ids[name]
        raise LookupError(f"no widget {name!r} on screen")
    return found


def texts(root: Widget) -> list[str]:
    """Every label text on screen (buttons included), in tree order."""
    return [w.text for w in root.walk(restrict=True) if isinstance(getattr(w, "text", None), str)]


def screenshot(name: str) -> Path:
    """Write the window to screenshots/<name>.png and return the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    idle(2)
    written = Window.screenshot(str(SCREENSHOT_DIR / f"{name}.png"))
    # Kivy appends a counter (name0001.png); keep one stable file per name.
    path = SCREENSHOT_DIR / f"{name}.png"
    Path(written).replace(path)
    return path
