"""The page tests' Chromium: moved to :mod:`hall.tools.cdp` (the screen atlas uses it too)."""

from hall.tools.cdp import CHROMIUM, Browser

__all__ = ["CHROMIUM", "Browser"]
