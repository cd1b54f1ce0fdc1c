"""Fixtures for the web pages: one headless Chromium for the session, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.tools.cdp import CHROMIUM, Browser


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One Chromium for every page test (starting one costs seconds on a loaded machine)."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    b = Browser(tmp_path_factory.mktemp("chromium") / "profile")
    yield b
    b.close()


def _reset(b: Browser) -> None:
    """What a test leaves behind goes: storage, the page, cookies, cache, viewport, downloads."""
    b.evaluate("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")
    b.goto("about:blank")
    b.send("Network.clearBrowserCookies")
    b.send("Network.clearBrowserCache")
    b.send("Emulation.clearDeviceMetricsOverride")
    b.send("Browser.setDownloadBehavior", behavior="default")


@pytest.fixture
def browser(chromium: Browser) -> Iterator[Browser]:
    """The session's Chromium on a blank page, as if just started."""
    _reset(chromium)
    yield chromium
    _reset(chromium)
