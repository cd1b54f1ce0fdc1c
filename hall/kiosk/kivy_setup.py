"""Kivy set-up that must happen before ``kivy.core.window`` is imported.

Registers a font with Chinese glyphs as Kivy's default ("Roboto" is the name
every Kivy widget asks for), so no label ever shows empty boxes, and sizes
the window. Call :func:`prepare` once, first thing, in every process that
shows a Kivy window (the kiosk program and the UI tests).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Fonts with CJK glyphs, in order of preference. WenQuanYi Micro Hei's .ttc
#: opens its Chinese face first (Noto CJK's .ttc opens the Japanese one).
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


class FontMissing(RuntimeError):
    """No font with Chinese glyphs is installed."""


def cjk_font() -> Path:
    """The first installed CJK font, or FontMissing saying what to install."""
    for path in CJK_FONTS:
        if path.exists():
            return path
    raise FontMissing(
        "no font with Chinese glyphs: install fonts-wqy-microhei (make run does this)"
    )


def prepare(
    width: int = 1080,
    height: int = 1920,
    fullscreen: bool = False,
    kivy_home: str | None = None,
    *,
    scale: float = 1.0,
    always_on_top: bool = False,
    position: tuple[int, int] | None = None,
) -> Path:
    """Configure Kivy (window, no argv parsing, quiet logs) and register the CJK font.

    ``scale`` is Kivy's ``Metrics.density``: every ``dp`` and ``sp`` of the
    screens is drawn that many pixels (a 480x800 caller panel at 0.42 shows the
    panel laid out for 1920 pixels). ``always_on_top`` keeps the window above
    the others (SDL2's flag, Kivy 2.2+); ``position`` places its top-left
    corner, else the window manager does.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if kivy_home:
        os.environ["KIVY_HOME"] = kivy_home
    font = cjk_font()
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "always_on_top", "1" if always_on_top else "0")
    if position is not None:
        Config.set("graphics", "position", "custom")
        Config.set("graphics", "left", str(position[0]))
        Config.set("graphics", "top", str(position[1]))
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    set_scale(scale)
    from kivy.core.text import LabelBase

    LabelBase.register("Roboto", str(font))
    return font


def set_scale(scale: float) -> None:
    """Draw every ``dp`` and ``sp`` at ``scale`` pixels (widgets made from now on)."""
    from kivy.metrics import Metrics

    if Metrics.density != scale:
        Metrics.density = scale
