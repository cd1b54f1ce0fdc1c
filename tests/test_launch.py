"""`make run`'s launcher: simulators on socat ptys, the daemon on the demo config, clean stop."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from tests.support import PIN, ROOT, free_port, wait_until, write_config

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed")


def _healthy(base: str) -> bool:
    try:
        return requests.get(base + "/api/v1/health", timeout=1).ok
    except (requests.ConnectionError, requests.Timeout):  # not up yet, or a busy machine
        return False


def test_launcher_runs_the_demo_hall_with_simulated_devices(tmp_path: Path) -> None:
    from hall.config import hash_pin

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    port = free_port()
    cfg["api"]["port"] = port
    cfg["devices"]["voice"]["enabled"] = False
    cfg["staff"][0]["pin_hash"] = hash_pin(PIN)
    path = write_config(tmp_path / "config.yaml", cfg)
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hall.launch",
            "--config",
            str(path),
            "--data-dir",
            str(data),
            "--roles",
            "",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _healthy(base), 30), "the daemon did not come up"
        kiosk = {"Authorization": "Bearer demo-kiosk"}
        ticket = requests.post(
            base + "/api/v1/tickets", json={"service": "general"}, headers=kiosk, timeout=5
        ).json()
        token = requests.post(
            base + "/api/v1/staff/login",
            timeout=5,
            json={"staff_id": "S001", "pin": PIN, "window": 1},
        ).json()["token"]
        r = requests.post(
            base + "/api/v1/windows/1/call", timeout=5, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.json()["number"] == ticket["number"]
        # The board simulator on the far end of the LED pty draws what board 1 shows.
        assert wait_until(lambda: (data / "boards" / "board-1.png").exists(), 15)
        devices = requests.get(base + "/api/v1/devices", headers=kiosk, timeout=5).json()
        buses = {d["id"]: d["status"] for d in devices if d["kind"] == "bus"}
        assert buses == {"keypad_bus": "ok", "led_bus": "ok"}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    assert not _healthy(base)
    assert not list((data / "dev").iterdir())  # socat removed its pty links: all children ended
    # umask 077 in the launcher and every child: nothing under the data dir is open to others.
    made = [p for p in data.rglob("*") if not p.is_symlink()]
    assert data / "hall.sqlite3" in made and data / "boards" / "board-1.png" in made
    assert [str(p) for p in made if p.stat().st_mode & 0o077] == []


# -- the Kivy windows -----------------------------------------------------------------------
def _launcher(tmp_path: Path, screens: dict | None = None):
    from hall.config import load_config
    from hall.launch import Launcher

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    if screens is not None:
        cfg["kiosk"]["screens"] = screens
    path = write_config(tmp_path / "config.yaml", cfg)
    return Launcher(load_config(path), path, tmp_path / "data")


def _argv_options(argv: list[str]) -> dict[str, str]:
    """run_kiosk.py's options in a command line, as {option: value}."""
    assert argv[1].endswith("run_kiosk.py")
    return dict(zip(argv[2::2], argv[3::2], strict=True))


def test_on_a_virtual_display_the_roles_stand_side_by_side_at_their_sizes(
    tmp_path: Path,
) -> None:
    launcher = _launcher(tmp_path)
    windows = launcher.plan(["kiosk", "lobby", "caller:1"], tiled=True)
    assert [(w.name, w.size, w.position) for w in windows] == [
        ("kiosk", (1080, 1920), (0, 0)),
        ("lobby", (1920, 1080), (1080, 0)),
        ("caller-1", (480, 800), (3000, 0)),
    ]
    from hall.launch import screen_size

    assert screen_size(windows) == (3480, 1920)  # all three, none over another
    opts = [_argv_options(launcher.kivy_argv(w)) for w in windows]
    assert [o["--role"] for o in opts] == ["kiosk", "lobby", "caller"]
    assert [o.get("--position") for o in opts] == ["0,0", "1080,0", "3000,0"]
    assert opts[2]["--window"] == "1" and "--window" not in opts[0]
    assert {o["--config"] for o in opts} == {str(tmp_path / "config.yaml")}
    assert {o["--screenshot-dir"] for o in opts} == {str(tmp_path / "data" / "screenshots")}


def test_on_a_real_display_each_role_takes_its_configured_place(tmp_path: Path) -> None:
    screens = {"caller": {"left": 1440, "top": 100, "always_on_top": True}}
    launcher = _launcher(tmp_path, screens)
    windows = launcher.plan(["lobby", "caller:2", "caller:3"], tiled=False)
    assert [(w.name, w.size, w.position) for w in windows] == [
        ("lobby", (1920, 1080), None),
        ("caller-2", (480, 800), (1440, 100)),
        ("caller-3", (480, 800), (1440, 100)),
    ]
    # No --position: run_kiosk.py reads kiosk.screens itself (size, place, always on top).
    assert all("--position" not in launcher.kivy_argv(w) for w in windows)
    with pytest.raises(SystemExit, match="unknown role 'tv'"):
        launcher.plan(["tv"], tiled=False)
    with pytest.raises(SystemExit, match="caller needs a window number"):
        launcher.plan(["caller"], tiled=False)


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb not installed")
def test_make_run_shows_the_three_roles_at_their_sizes(tmp_path: Path) -> None:
    """No display: one Xvfb holds kiosk, lobby and caller side by side; each picture at its size."""
    import os

    from PIL import Image

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    port = free_port()
    cfg["api"]["port"] = port
    cfg["devices"]["voice"]["enabled"] = False
    cfg["kiosk"]["daemon_url"] = f"http://127.0.0.1:{port}"
    cfg["kiosk"]["data_dir"] = str(tmp_path / "kiosk")
    path = write_config(tmp_path / "config.yaml", cfg)
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy")
    env.pop("SDL_VIDEODRIVER", None)  # a real X window on the launcher's Xvfb
    proc = subprocess.Popen(
        [sys.executable, "-m", "hall.launch", "--config", str(path), "--data-dir", str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    shots = data / "screenshots"
    expected = {"kiosk": (1080, 1920), "lobby": (1920, 1080), "caller-1": (480, 800)}

    def sizes() -> dict[str, tuple[int, int]]:
        found = {}
        for name in expected:
            try:
                with Image.open(shots / f"{name}.png") as img:
                    found[name] = img.size
            except (OSError, SyntaxError):  # not written yet, or half written
                pass
        return found

    try:
        assert wait_until(lambda: len(sizes()) == 3, 120), sizes()
        assert sizes() == expected
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    log = err.decode(errors="replace")
    assert "virtual display 3480x1920" in log, log[-3000:]
    assert proc.returncode == 0, log[-3000:]
