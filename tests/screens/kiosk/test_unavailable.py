"""Daemon unreachable → "service temporarily unavailable", and back home by itself.

The kiosk_ui starts against a free port with nothing listening; then a daemon is
started on that very port (``Daemon.port``/``base`` set before ``start()``),
and the kiosk_ui's own retries (every ``retry_s``, on its fake clock) find it.
"""

from __future__ import annotations

from pathlib import Path

import tests.kivy_harness as h
from hall.idnumber import check_char
from tests.support import ProcessDaemon, free_port, hall_config, write_config

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk


def test_unreachable_daemon_shows_unavailable_then_recovers(tmp_path: Path, make_kiosk) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    kiosk_ui = make_kiosk(base, wait_home=False)
    kiosk_ui.on("unavailable")
    assert kiosk_ui.widget("unavailable-title").text == "服务暂时不可用，正在重新连接……"
    assert kiosk_ui.widget("unavailable-hint").text
    kiosk_ui.clock.advance(0.6)  # one retry, still nobody there
    kiosk_ui.wait(lambda: kiosk_ui.root.unavailable.attempts >= 1)
    assert kiosk_ui.root.current == "unavailable"
    h.screenshot("kiosk-unavailable")

    daemon = ProcessDaemon(write_config(tmp_path / "config.yaml", hall_config()), tmp_path / "data")
    daemon.data_dir.mkdir()
    daemon.port, daemon.base = port, base
    daemon.start()
    try:
        kiosk_ui.clock.advance(0.6)
        kiosk_ui.on("home")
        kiosk_ui.wait(lambda: kiosk_ui.root.home.loaded)
        assert kiosk_ui.widget("service-general").accepting
        # The daemon goes away while a citizen is taking a number: unavailable, ID cleared.
        kiosk_ui.tap("service-general")
        kiosk_ui.on("take")
        kiosk_ui.type("11010519491231002" + check_char("11010519491231002"))
        daemon.stop()
        kiosk_ui.tap("take")
        kiosk_ui.on("unavailable")
        assert kiosk_ui.root.take.id_entry.empty
    finally:
        daemon.stop()


def test_the_notice_fits_in_every_language_and_text_size(make_kiosk) -> None:
    """English and 大字版 take more lines: the boxes grow with the words, nothing cut."""
    from hall.screens.kiosk.ui import ui
    from hall.tools.layout_check import labels_fit

    kiosk_ui = make_kiosk(f"http://127.0.0.1:{free_port()}", wait_home=False)
    kiosk_ui.on("unavailable")
    kiosk_ui.clock.advance(0.6)  # the retry line shows too
    kiosk_ui.wait(lambda: kiosk_ui.root.unavailable.attempts >= 1)
    screen = kiosk_ui.root.unavailable
    try:
        for lang in ("zh", "en"):
            for large in (False, True):
                ui.set_language(lang)
                ui.set_large(large)
                h.idle(3)
                labels_fit(screen)
                panel = kiosk_ui.widget("unavailable-title").parent
                retry = kiosk_ui.widget("unavailable-retry")
                assert retry.text and panel.y <= retry.y and retry.top <= panel.top
    finally:
        ui.set_language("zh")
        ui.set_large(False)
