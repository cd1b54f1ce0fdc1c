"""kiosk.screens: each role's window (size, orientation, place, always on top, scale)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from hall.config import ConfigError, KioskSection, load_config
from tests.support import ROOT, hall_config, write_config


def _load(tmp_path: Path, kiosk: dict):
    cfg = hall_config()
    cfg["kiosk"] = kiosk
    return load_config(write_config(tmp_path / "hall.yaml", cfg)).kiosk.screens


def test_each_role_has_its_own_window_by_default() -> None:
    screens = KioskSection().screens
    assert screens.kiosk.size == (1080, 1920) and screens.kiosk.orientation == "portrait"
    assert screens.lobby.size == (1920, 1080) and screens.lobby.orientation == "landscape"
    assert screens.caller.size == (480, 800) and screens.caller.orientation == "portrait"
    assert not any(screens.window(r).always_on_top for r in ("kiosk", "lobby", "caller"))
    assert screens.caller.position is None
    # Drawn at the largest scale at which the 1920x1080 layout fits the window.
    assert [screens.window(r).density() for r in ("kiosk", "lobby", "caller")] == [1, 1, 0.4167]


def test_the_demo_config_says_the_same() -> None:
    screens = load_config(ROOT / "config.yaml").kiosk.screens
    assert screens == KioskSection().screens
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    assert set(raw["kiosk"]["screens"]) == {"kiosk", "lobby", "caller"}


def test_a_role_given_in_part_keeps_its_own_size(tmp_path: Path) -> None:
    screens = _load(
        tmp_path,
        {
            "screens": {
                "caller": {"always_on_top": True, "left": 1440, "top": 0},
                "lobby": {"width": 3840, "height": 2160},
            }
        },
    )
    assert screens.caller.size == (480, 800) and screens.caller.always_on_top
    assert screens.caller.position == (1440, 0)
    assert screens.lobby.density() == 2  # a 4K TV: everything twice as large
    assert screens.kiosk.size == (1080, 1920)


def test_a_portrait_lobby_and_a_fixed_scale(tmp_path: Path) -> None:
    screens = _load(tmp_path, {"screens": {"lobby": {"width": 1080, "height": 1920, "scale": 1.5}}})
    assert screens.lobby.orientation == "portrait" and screens.lobby.density() == 1.5


@pytest.mark.parametrize(
    ("screens", "expected"),
    [
        ({"caller": {"width": 800, "height": 480}}, "kiosk.screens.caller: the caller"),
        ({"kiosk": {"width": 1920, "height": 1080}}, "kiosk.screens.kiosk: the kiosk"),
        ({"caller": {"left": 10}}, "kiosk.screens.caller: left and top: give both"),
        ({"lobby": {"width": 100}}, "kiosk.screens.lobby.width: Input should be greater"),
        ({"lobby": {"scale": 0}}, "kiosk.screens.lobby.scale: Input should be greater"),
        ({"caller": {"top": -1, "left": 0}}, "kiosk.screens.caller.top: Input should be greater"),
        ({"caller": {"on_top": True}}, "kiosk.screens.caller.on_top: unknown key"),
        ({"tv": {}}, "kiosk.screens.tv: unknown key"),
    ],
)
def test_a_bad_window_names_the_role_and_the_key(
    tmp_path: Path, screens: dict, expected: str
) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, {"screens": screens})
    assert expected in str(err.value)


def test_the_old_single_size_becomes_the_kiosks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before issue 14 kiosk.width/height sized every role: now they are the kiosk's."""
    with caplog.at_level(logging.WARNING, logger="hall.config"):
        screens = _load(tmp_path, {"width": 768, "height": 1366, "fullscreen": True})
    assert screens.kiosk.size == (768, 1366) and screens.kiosk.fullscreen
    assert screens.lobby.size == (1920, 1080)
    assert "kiosk.width/height/fullscreen moved to kiosk.screens.kiosk" in caplog.text
    with pytest.raises(ConfigError, match=r"kiosk\.width: also given as kiosk\.screens\.kiosk"):
        _load(tmp_path, {"width": 768, "screens": {"kiosk": {"width": 800}}})
