"""The Kivy window each role's process opens: size, scale, place, always on top (kiosk.screens)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

#: A fresh process (one Kivy window per process): prepare() as run_kiosk.py calls it.
CHILD = """
import json, sys
from hall.config import KioskSection
from hall.kiosk.kivy_setup import prepare

g = KioskSection().screens.caller
prepare(g.width, g.height, g.fullscreen, scale=g.density(), always_on_top=True,
        position=(3000, 0))
from kivy.base import EventLoop
from kivy.config import Config
from kivy.core.window import Window
from kivy.metrics import Metrics, dp, sp
from kivy.uix.label import Label

EventLoop.ensure_window()
print(json.dumps({
    "size": list(Window.size),
    "always_on_top": Window.always_on_top,
    "position": [Config.get("graphics", "position"), Window.left, Window.top],
    "density": Metrics.density,
    "dp100": dp(100),
    "label_sp": Label(font_size="48sp").font_size,
}))
"""


def test_the_caller_process_opens_a_small_window_drawn_at_its_scale(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_HOME=str(tmp_path / "kivy"))
    if not env.get("DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    run = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["size"] == [480, 800]
    assert got["always_on_top"] is True  # SDL2's flag, asked of the window manager
    assert got["position"] == ["custom", 3000, 0]
    # Everything the screens size in dp / sp is drawn at 0.4167 of it.
    assert got["density"] == 0.4167
    assert round(got["dp100"], 2) == 41.67
    assert round(got["label_sp"], 2) == 20.0
