"""The Kivy half of the screen atlas: every kiosk, caller and lobby screen, reached for real.

Import after :func:`hall.kiosk.kivy_setup.prepare` (one Kivy window per
process). :class:`ScreenAtlas` builds each role's root with the context the
program itself builds (``hall.kiosk.main.make_context`` on the demo hall's
config), drives it to each scene through the screens' own methods (as a tap
would), lays it out at the role's configured size and scale
(``kiosk.screens``: the kiosk 1080x1920, the lobby TV 1920x1080 and once
turned portrait, the caller panel 480x800 at 0.42), checks the layout
(:mod:`hall.tools.layout_check`) and, when asked, writes
``<role>-<scene>-<lang>-<size>.png``.

The demo config has no face camera: the atlas's kiosk gets the simulated one
the kiosk tests use (:class:`hall.drivers.camera.SimCamera` playing a
:mod:`hall.vision.face_sim` scene of ORL faces, the classic engine), so the
人证比对 (``face-id``) and 刷脸签到 (``face-checkin``) screens are reached, asking
and with a result, as a citizen sees them. The idle countdown (``idle``) is
shown by moving the kiosk's stopped clock to the last seconds of
``idle_timeout_s``. A scene that cannot be reached (no ORL faces on this
machine, say) is reported as a finding of its own ("unreachable"), never
skipped silently.
"""

from __future__ import annotations

import logging
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate
from kivy.metrics import Metrics
from kivy.uix.widget import Widget
from PIL import Image

from hall.config import RoleWindow
from hall.kiosk.i18n import Strings
from hall.kiosk.kivy_setup import set_scale
from hall.tools.atlas_hall import DemoHall
from hall.tools.atlas_kiosk import (
    KIOSK_SCENES,
    FrozenClock,
    equip_face,
    kiosk_scenes,
)
from hall.tools.layout_check import (
    MIN_TARGET_DP,
    MIN_TARGET_LARGE_DP,
    Finding,
    Target,
    check_tree,
    compare_targets,
)

log = logging.getLogger(__name__)


def idle(frames: int = 2) -> None:
    """Let Kivy run a few frames."""
    for _ in range(frames):
        EventLoop.idle()


def idle_until(cond: Callable[[], object], timeout: float = 10.0) -> bool:
    """Run Kivy until ``cond()``; False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        EventLoop.idle()
    idle(2)
    return True


def mount(root: Widget, size: tuple[int, int]) -> Widget:
    """Make ``root`` the window's only widget, at the role's size.

    A size other than the window's is laid out off the window's edge and drawn
    through an Fbo (:meth:`ScreenAtlas._write`): one Kivy window per process, and
    resizing an offscreen SDL2 window leaves its framebuffer at the old size.
    """
    for child in list(Window.children):
        Window.remove_widget(child)
    if tuple(Window.size) == tuple(size):
        root.size_hint = (1, 1)
    else:
        root.size_hint = (None, None)
        root.size = size
    Window.add_widget(root)
    idle(3)
    return root


CALLER_SCENES = ("login", "panel", "finish-choice", "pause-choice", "my-score")
LOBBY_SCENES = ("board", "board-portrait")
#: (role, scene) → the modes it is shown in. Caller and lobby have no large-text mode.
KIOSK_MODES = ("zh-normal", "zh-large", "en-normal", "en-large")
OTHER_MODES = ("zh-normal", "en-normal")


def all_scenes() -> list[tuple[str, str, str]]:
    """Every (role, scene, mode) of the atlas, in the order it is made."""
    out = [("kiosk", s, m) for m in KIOSK_MODES for s in KIOSK_SCENES]
    out += [("caller", s, m) for m in OTHER_MODES for s in CALLER_SCENES]
    out += [("lobby", s, m) for m in OTHER_MODES for s in LOBBY_SCENES]
    return out


@dataclass
class Shot:
    """What the atlas found on one screen in one mode."""

    findings: list[Finding]
    targets: list[Target] = field(default_factory=list)
    png: Path | None = None


class ScreenAtlas:
    """Drives every role to every scene on a :class:`DemoHall`; results are cached."""

    def __init__(self, hall: DemoHall, out_dir: Path | None = None) -> None:
        self.hall = hall
        self.out_dir = out_dir
        self.results: dict[tuple[str, str, str], Shot] = {}
        self._scenes = kiosk_scenes(hall)
        self._kiosk: tuple[str, Any] | None = None
        self._faces = tempfile.TemporaryDirectory(prefix="atlas-faces-")
        self._scale = Metrics.density  # given back by close()

    # -- roots -----------------------------------------------------------------------
    def _context(self, role: str, lang: str) -> Any:
        from hall.kiosk.main import make_context

        ctx = make_context(self.hall.config, role)
        ctx.strings = Strings(lang)
        return ctx

    def kiosk_root(self, lang: str) -> Any:
        """One kiosk root per language (the worker, outbox and printer are kept)."""
        if self._kiosk and self._kiosk[0] == lang:
            return self._kiosk[1]
        self._close_kiosk()
        from hall.screens.kiosk.root import KioskRoot

        set_scale(self.geometry("kiosk", "home").density())
        ctx = self._context("kiosk", lang)
        try:
            equip_face(ctx, Path(self._faces.name) / lang)
        except RuntimeError as exc:  # the face scenes say "unreachable"; the others go on
            log.warning("%s", exc)
        root = KioskRoot(ctx, clock=FrozenClock())
        self._kiosk = (lang, root)
        return root

    def geometry(self, role: str, scene: str) -> RoleWindow:
        """The role's window as config.yaml's ``kiosk.screens.<role>`` says.

        The lobby's second picture (``board-portrait``) turns its TV on its side:
        the same board, portrait, as a hall that hangs it so configures it.
        """
        window = self.hall.config.kiosk.screens.window(role)
        if scene == "board-portrait" and window.orientation == "landscape":
            return window.model_copy(update={"width": window.height, "height": window.width})
        return window

    def size(self, role: str, scene: str) -> tuple[int, int]:
        """The role's window size (config.yaml's ``kiosk.screens``)."""
        return self.geometry(role, scene).size

    def close(self) -> None:
        """Shut the kiosk root down, remove the face template store, give the scale back."""
        self._close_kiosk()
        self._faces.cleanup()
        set_scale(self._scale)

    def _close_kiosk(self) -> None:
        """Shut the kiosk root down (its worker thread, outbox and face camera)."""
        if self._kiosk:
            root = self._kiosk[1]
            root.shutdown()
            if root.ctx.face_camera is not None:
                root.ctx.face_camera.close()
            if root.ctx.outbox is not None:
                root.ctx.outbox.stop()
            root.ctx.close()
            self._kiosk = None

    # -- scenes ----------------------------------------------------------------------
    def shot(self, role: str, scene: str, mode: str) -> Shot:
        """The findings of one scene in one mode (large text compared with normal)."""
        key = (role, scene, mode)
        if key not in self.results:
            lang, size = mode.split("-")
            if size == "large":
                self.shot(role, scene, f"{lang}-normal")
            self.results[key] = self._take(role, scene, lang, size == "large")
            if size == "large":
                normal = self.results[(role, scene, f"{lang}-normal")].targets
                large = self.results[key]
                large.findings += compare_targets(normal, large.targets, f"{role}-{scene}", mode)
        return self.results[key]

    def _take(self, role: str, scene: str, lang: str, large: bool) -> Shot:
        name, mode = f"{role}-{scene}", f"{lang}-{'large' if large else 'normal'}"
        try:
            root, ready = self._drive(role, scene, lang, large)
        except Exception as exc:  # a scene that breaks is a finding, not a crash
            log.warning("%s [%s] cannot be reached", name, mode, exc_info=exc)
            where = traceback.extract_tb(exc.__traceback__)[-1]
            why = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            return Shot([Finding(name, mode, role, "unreachable", why)])
        if not idle_until(ready, 15):
            return Shot([Finding(name, mode, role, "unreachable", "screen never got ready")])
        least = MIN_TARGET_LARGE_DP if large else MIN_TARGET_DP
        findings, targets = check_tree(root, name, mode, min_target_dp=least)
        for over in overlays(root):  # the idle countdown is laid over the screen
            more, more_targets = check_tree(over, name, mode, min_target_dp=least)
            findings += more
            targets += more_targets
        shot = Shot(findings, targets)
        if self.out_dir is not None:
            shot.png = self._write(root, f"{name}-{mode}.png")
        if role != "kiosk":
            root.shutdown()
            root.ctx.close()
        return shot

    def _drive(self, role: str, scene: str, lang: str, large: bool) -> tuple[Widget, Any]:
        from hall.screens.kiosk.ui import ui

        geometry = self.geometry(role, scene)
        size = geometry.size
        # The role's scale before its root is built: the kv rules' dp() are read then.
        set_scale(geometry.density())
        if role == "kiosk":
            root = self.kiosk_root(lang)
            if root.parent is None:
                mount(root, size)
            root.clock.t = FrozenClock.START
            root.still_here()  # no countdown left from the scene before
            root.go_home()
            ui.set_language(lang)
            ui.set_large(large)
            if not idle_until(lambda: root.home.loaded, 15):
                raise RuntimeError("the kiosk's home never loaded the services")
            ready = self._scenes[scene](root)
            ui.set_language(lang)  # a scene may reset the session's choices
            ui.set_large(large)
            return root, ready
        self._close_kiosk()  # a kiosk root left running would keep relabelling the shared ui
        if role == "caller":
            return self._caller(scene, lang, size)
        return self._lobby(scene, lang, size)

    def _caller(self, scene: str, lang: str, size: tuple[int, int]) -> tuple[Widget, Any]:
        from hall.screens.caller.root import CallerRoot

        root = mount(CallerRoot(self._context("caller", lang), 3), size)
        if scene == "login":
            return root, lambda: root.current == "login"
        root.login("S003", "1234")
        if not idle_until(lambda: root.current == "panel", 10):
            raise RuntimeError("the clerk could not sign in")
        if scene == "my-score":  # 我的考核: the clerk's own score and lines this month
            root.my_score.screen.open()
            return root, lambda: not root.my_score.screen.busy
        if scene == "pause-choice":  # 暂停服务 asks the reason (离岗原因) of an idle window
            root.panel.toggle_pause()
            return root, lambda: not root.panel.busy
        root.panel.operate("call")
        if not idle_until(lambda: not root.panel.busy, 10):
            raise RuntimeError("the call did not come back")
        if scene == "finish-choice":
            root.panel.choose_finish()
        return root, lambda: not root.panel.busy

    def _lobby(self, scene: str, lang: str, size: tuple[int, int]) -> tuple[Widget, Any]:
        from hall.screens.lobby.root import LobbyRoot

        root = mount(LobbyRoot(self._context("lobby", lang)), size)
        return root, lambda: bool(root.walk and _lobby_filled(root))

    def _write(self, root: Widget, filename: str) -> Path:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = picture(root, self.out_dir / filename)
        _shrink(path)
        return path


def picture(root: Widget, path: Path) -> Path:
    """``root`` drawn to ``path`` (PNG, full size) as the window shows it.

    At the window's size, the window's own picture. At another size, an Fbo
    cleared with the window's clear colour (the kiosk's page colour is the clear
    colour, not a rectangle: Kivy's ``export_to_png`` clears to transparent, which
    the PNG turns black), with ``root`` and what the window shows over it (the
    idle countdown is a window child).
    """
    idle(2)
    if tuple(root.size) == tuple(Window.size):
        written = Window.screenshot(str(path))
        Path(written).replace(path)
        return path
    w, h = int(root.width), int(root.height)
    fbo = Fbo(size=(w, h), with_stencilbuffer=True)
    with fbo:
        ClearColor(*Window.clearcolor)
        ClearBuffers()
        Scale(1, -1, 1)  # the texture's rows run bottom-up; a PNG's top-down
        Translate(-root.x, -root.y - h, 0)
    drawn = [root, *(c for c in reversed(Window.children) if c is not root)]
    for widget in drawn:  # out of the window's canvas while in the Fbo's
        Window.canvas.remove(widget.canvas)
        fbo.add(widget.canvas)
    try:
        fbo.draw()
        fbo.texture.save(str(path), flipped=False)
    finally:
        for widget in drawn:
            fbo.remove(widget.canvas)
            Window.canvas.add(widget.canvas)
    return path


def overlays(root: Widget) -> list[Widget]:
    """What the window shows over ``root`` (window children added after it)."""
    return [c for c in reversed(Window.children) if c is not root]


def _lobby_filled(root: Widget) -> bool:
    """The lobby shows a called number (the demo hall called four)."""
    return any(getattr(w, "hall_id", "") == "call-0" for w in root.walk(restrict=True))


#: Pictures with a side longer than this are halved (a 480x800 caller panel is not).
SHRINK_ABOVE = 1000


def _shrink(path: Path) -> None:
    """Half size (a large screen), 256-colour PNG: an atlas page, not a pixel reference.

    Keeps the repository small; a small window keeps its size to stay legible.
    """
    with Image.open(path) as img:
        small = img.convert("RGB")
    if max(small.size) > SHRINK_ABOVE:
        small = small.resize((small.width // 2, small.height // 2), Image.LANCZOS)
    small.quantize(256).save(path, optimize=True)
