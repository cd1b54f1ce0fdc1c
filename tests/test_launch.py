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
