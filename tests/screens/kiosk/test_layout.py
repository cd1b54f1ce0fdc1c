"""The kiosk's main screens fit in Chinese and English, normal and large text (大字版), at 1080x1920.

The demo hall's real names (config.yaml) are shown, some services closed with
their reasons and some with people waiting: every label fits its widget
(texture against size), nothing is cut or shortened, no line breaks inside a
word, a number or brackets, service names and the hall name take one line,
touch targets do not overlap and stay in the window, and in large text every
touch target is at least as large as in normal text and at least 60 dp.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from kivy.metrics import dp

import tests.kivy_harness as h
from hall.idnumber import check_char
from hall.screens.kiosk.ui import ui
from tests.support import ROOT, Daemon, ProcessDaemon, hall_config, write_config

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk

DEMO = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
#: Open at any hour in the test (the test hall is closed today): waiting lines show.
ALWAYS = {"general", "lost_certs", "business"}
MODES = [("zh", False), ("zh", True), ("en", False), ("en", True)]
SCREENS = ("home", "take", "take-code", "appointment", "ticket", "guide")


@pytest.fixture(scope="module")
def demo_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """The demo hall's services and windows (areas), the test hall's tokens and staff."""
    services = [{**s, "hours": "always"} if s["code"] in ALWAYS else s for s in DEMO["services"]]
    windows = [
        {"number": w["number"], "area": w["area"], "services": w["services"]}
        for w in DEMO["windows"]
    ]
    folder = tmp_path_factory.mktemp("kiosk-layout")
    cfg = hall_config(services=services, windows=windows)
    d = ProcessDaemon(write_config(folder / "config.yaml", cfg), folder / "data")
    d.data_dir.mkdir()
    d.start()
    api = d.api("kiosk-token-1")
    for service in ("general", "general", "lost_certs"):
        assert api.post("/tickets", {"service": service}).status_code == 201
    yield d
    d.close_clients()
    d.stop()


def one_line(widget: object) -> bool:
    """In Chinese, names and buttons fit one line (English ones may wrap at spaces)."""
    if ui.lang != "zh":
        return False
    hall_id = getattr(widget, "hall_id", "")
    if hall_id in ("hall-name", "ticket-service", "take-service", "ticket-kind", "guide-title"):
        return True
    return type(widget).__name__ == "FlatButton" or getattr(widget, "card_title", False)


def show(kiosk: Kiosk, screen: str) -> None:
    """Go to one of SCREENS, with its longest content."""
    root = kiosk.root
    if root.current != "home":
        root.go_home()
        kiosk.on("home")
    if screen in ("take", "take-code"):
        kiosk.tap("service-general")
        kiosk.on("take")
        if screen == "take":
            first17 = "11010519800101123"
            kiosk.type(first17 + ("1" if check_char(first17) != "1" else "2"))  # with an error
        else:
            kiosk.tap("mode-code")
    elif screen == "appointment":  # 预约签到 from home, by ID number, with an error
        kiosk.tap("home-checkin")
        kiosk.tap("service-general")
        kiosk.on("take")
        kiosk.tap("appt-by-id")
        kiosk.on("appointment")
        first17 = "11010519800101123"
        for key in first17 + ("1" if check_char(first17) != "1" else "2"):
            kiosk.tap(f"appt-key-{key}")
    elif screen == "ticket":
        kiosk.tap("service-general")
        kiosk.on("take")
        kiosk.tap("priority")
        kiosk.tap("take")
        kiosk.on("ticket")
        kiosk.wait(lambda: root.ticket.print_state == "printed")
    elif screen == "guide":
        kiosk.tap("guide")
        kiosk.on("guide")
    h.idle(3)


def walk_modes(kiosk: Kiosk) -> dict[tuple[str, bool, str], list[str]]:
    """Layout problems of every screen in every mode."""
    from tests.screens.kiosk_support import layout_problems  # loaded by pytest_plugins first

    found = {}
    for lang, large in MODES:
        ui.set_language(lang)
        ui.set_large(large)
        for screen in SCREENS:
            show(kiosk, screen)
            current = kiosk.root.current_screen
            found[lang, large, screen] = layout_problems(current, one_line)
            h.screenshot(f"layout-{screen}-{lang}-{'large' if large else 'normal'}")
        # The idle countdown over the take screen.
        show(kiosk, "take")
        kiosk.clock.now = kiosk.root.last_touch + kiosk.settings.idle_timeout_s - 1
        kiosk.root.tick()
        h.idle(3)
        assert kiosk.root.idle_warning.shown
        found[lang, large, "idle"] = layout_problems(kiosk.root.idle_warning, one_line)
        kiosk.root.still_here()
    return found


@pytest.fixture
def demo_kiosk(demo_daemon: Daemon, make_kiosk) -> Kiosk:
    kiosk = make_kiosk(
        demo_daemon.base,
        name=DEMO["kiosk"]["name"],
        hall_name=DEMO["hall"]["name"],
        ctx_extra={
            "hall_name_en": DEMO["hall"]["name_en"],
            "service_areas": {"general": "综合受理区、不动产登记区"},
        },
    )
    yield kiosk
    ui.set_language("zh")
    ui.set_large(False)


def test_every_main_screen_fits_in_every_mode(demo_kiosk: Kiosk) -> None:
    found = walk_modes(demo_kiosk)
    Path(h.SCREENSHOT_DIR / "layout-problems.txt").write_text(
        "\n".join(f"{k}: {p}" for k, ps in found.items() for p in ps), encoding="utf-8"
    )
    assert {key: problems for key, problems in found.items() if problems} == {}


def test_touch_targets_do_not_shrink_in_large_text(demo_kiosk: Kiosk) -> None:
    from tests.screens.kiosk_support import target_sizes  # loaded by pytest_plugins first

    for lang in ("zh", "en"):
        ui.set_language(lang)
        for screen in SCREENS:
            sizes = {}
            for large in (False, True):
                ui.set_large(large)
                show(demo_kiosk, screen)
                sizes[large] = target_sizes(demo_kiosk.root.current_screen)
            for hall_id, (w, h_) in sizes[True].items():
                assert min(w, h_) >= dp(60), (lang, screen, hall_id, w, h_)
                nw, nh = sizes[False].get(hall_id, (0, 0))
                assert w >= nw - 1 and h_ >= nh - 1, (lang, screen, hall_id, (nw, nh), (w, h_))
