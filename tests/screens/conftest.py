"""UI tests: Kivy's real renderer (offscreen without a display) in this process."""

from __future__ import annotations

import tests.kivy_harness  # noqa: F401 - must configure Kivy before any screen imports it
