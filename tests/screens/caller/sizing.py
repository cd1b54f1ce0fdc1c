"""A caller panel at each size its layout must fit: the test window's, 480×800, large text.

``sized_caller(mode, make)`` runs ``make()`` (a generator such as test_panel's
``caller_of``: it yields the root, then closes it) with the scale ``mode`` asks for and
puts the scale back afterwards, so every screen test checks the same three sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kivy.metrics import Metrics

from hall.config import KioskSection
from hall.kiosk.kivy_setup import set_scale
from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import idle

#: The modes: the test window's size, the panel's configured 480×800 (its scale), large text.
MODES = ["normal", "small", "large"]
#: Large text on the caller: the font scale the tests use (the caller has no mode of its own).
LARGE_FONT = 1.3


@contextmanager
def sized_caller(mode: str, make: Callable[[], Iterator[CallerRoot]]) -> Iterator[CallerRoot]:
    """The root ``make`` yields, at the size of ``mode``; closed and the scale restored after."""
    density, fontscale = Metrics.density, Metrics.fontscale
    if mode == "small":
        set_scale(KioskSection().screens.caller.density())  # before the root: kv reads dp()
    if mode == "large":
        Metrics.fontscale = LARGE_FONT
    made = make()
    root = next(made)
    try:
        if mode == "small":
            root.size_hint = (None, None)
            root.size = KioskSection().screens.caller.size
            idle(3)
        yield root
    finally:
        next(made, None)
        set_scale(density)
        Metrics.fontscale = fontscale
