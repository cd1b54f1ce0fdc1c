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
) -> Path:
    """Configure Kivy (window size, no argv parsing, quiet logs) and register the CJK font."""
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
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from kivy.core.text import LabelBase

    LabelBase.register("Roboto", str(font))
    return font
