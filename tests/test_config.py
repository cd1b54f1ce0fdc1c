"""config.yaml loading: the shipped demo hall, and errors that say file, field and problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hall.config import AttendanceSection, ConfigError, hash_pin, load_config, verify_pin
from tests.support import ROOT, hall_config, write_config


def test_demo_config_is_a_real_hall() -> None:
    cfg = load_config(ROOT / "config.yaml")
    assert cfg.services[0].hours == "always" and cfg.services[0].daily_cap is None
    assert len(cfg.windows) >= 8
    assert len({w.area for w in cfg.windows}) >= 3
    # The first service is the unified one: every window calls it.
    assert cfg.windows_serving(cfg.services[0].code) == [w.number for w in cfg.windows]
    assert any(s.daily_cap for s in cfg.services[1:])
    assert cfg.hall.hours.lunch_break is not None
    assert {t.token for t in cfg.api.tokens} >= {"demo-kiosk", "demo-manager"}
    assert cfg.staff[0].id == "S001" and verify_pin("1234", cfg.staff[0].pin_hash)
    # 亮证上岗: every demo clerk has a title and a public number that is not the sign-in id.
    assert all(s.title and s.title_en and s.badge for s in cfg.staff)
    assert not {s.badge for s in cfg.staff} & {s.id for s in cfg.staff}
    assert len({s.badge for s in cfg.staff}) == len(cfg.staff)
    assert "token kiosk-1" in cfg.demo_secrets()
    terminal = {"name": "win1", "token": "demo-terminal-1", "windows": [1]}
    with_terminal = cfg.model_copy(update={"attendance": AttendanceSection(terminals=[terminal])})
    assert "face terminal win1 token" in with_terminal.demo_secrets()


def _load(tmp_path: Path, cfg: dict) -> None:
    load_config(write_config(tmp_path / "hall.yaml", cfg))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["hall"].update(nmae="x"), "hall.nmae: unknown key"),
        (lambda c: c["hall"].pop("name"), "hall.name: required key is missing"),
        (lambda c: c["services"][1].update(prefix="bb"), "services.1.prefix: String should match"),
        (
            lambda c: c["services"][3].update(daily_cap=0),
            "services.3.daily_cap: Input should be greater",
        ),
        (lambda c: c["services"][1].update(prefix="A"), "services.1.prefix: 'A' is used twice"),
        (
            lambda c: c["windows"][2].update(services=["nope"]),
            "windows.2.services: unknown service 'nope'",
        ),
        (lambda c: c["staff"][0].update(windows=[42]), "staff.0.windows: no window 42"),
        (
            lambda c: c.update(
                attendance={"terminals": [{"name": "t1", "token": "terminal-1", "windows": [9]}]}
            ),
            "attendance.terminals.0.windows: no window 9",
        ),
        (
            lambda c: c.update(
                attendance={
                    "terminals": [
                        {"name": "t1", "token": c["api"]["tokens"][0]["token"], "windows": [1]}
                    ]
                }
            ),
            "attendance.terminals.0.token: also an api.tokens token",
        ),
        (
            lambda c: c["hall"].update(timezone="Mars/Base"),
            "hall.timezone: unknown time zone 'Mars/Base'",
        ),
        (lambda c: c["hall"]["hours"].update(open="9am"), "hall.hours.open: String should match"),
        (lambda c: c["api"]["tokens"][0].update(role="root"), "api.tokens.0.role: Input should be"),
        (lambda c: c["staff"][0].update(pin_hash="1234"), "staff.0.pin_hash: String should match"),
        (lambda c: c["staff"][0].update(badge="02 31"), "staff.0.badge: String should match"),
        (lambda c: c["staff"][1].update(photo="me.gif"), "staff.1.photo: String should match"),
        (
            lambda c: [c["staff"][i].update(badge="0231") for i in (0, 2)],
            "staff.2.badge: '0231' is used twice",
        ),
        (lambda c: c["staff"][1].update(title="科" * 25), "staff.1.title: String should have"),
        (
            lambda c: c.update(devices={"led_bus": {"bx5": {"area": {"x": 4}}}}),
            "bx5.area: BX-5K areas start and end on 8-pixel columns (x 4, width 64)",
        ),
        (
            lambda c: c.update(devices={"led_bus": {"bx5": {"area": {"stay_s": 0.3}}}}),
            "stay_s must be a multiple of 0.5 s",
        ),
    ],
)
def test_config_errors_name_file_field_and_problem(tmp_path: Path, mutate, expected: str) -> None:
    cfg = hall_config()
    mutate(cfg)
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, cfg)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "hall.yaml"))
    assert expected in message, message


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("hall: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_daemon_refuses_to_start_on_bad_config(tmp_path: Path) -> None:
    cfg = hall_config()
    cfg["windows"][0]["sevrices"] = cfg["windows"][0].pop("services")
    path = write_config(tmp_path / "c.yaml", cfg)
    proc = subprocess.run(
        [sys.executable, "-m", "hall.queue", "--config", str(path), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "refusing to start" in proc.stderr
    assert "windows.0.sevrices: unknown key" in proc.stderr
    assert "windows.0.services: required key is missing" in proc.stderr


def test_pin_hash_round_trip() -> None:
    h = hash_pin("8642")
    assert verify_pin("8642", h) and not verify_pin("8643", h)
    assert not verify_pin("8642", "scrypt$zz$zz")
    assert yaml.safe_load(f"h: '{h}'")["h"] == h
