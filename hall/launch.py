"""Start the whole hall on one box (``make run``): simulators, daemon, and their links.

For every device bus in config.yaml without a real port, a socat pty pair is
made under ``<data_dir>/dev`` and a simulator plays the devices on its far end
(LED boards drawn as PNG files under ``<data_dir>/boards``); the daemon gets
the near end. A bus with a real port is used as it is. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from hall.config import HallConfig, setup_and_load
from hall.processes import daemon_argv, stop

log = logging.getLogger("hall.launch")
ROOT = Path(__file__).resolve().parent.parent


class Launcher:
    """Starts and stops the child processes of a one-box hall."""

    def __init__(self, config: HallConfig, config_path: Path, data_dir: Path) -> None:
        self.config = config
        self.config_path = config_path
        self.data_dir = data_dir
        self.children: list[tuple[str, subprocess.Popen]] = []

    def _spawn(self, name: str, argv: list[str], log_name: str | None = None) -> subprocess.Popen:
        out = None
        if log_name:
            out = open(self.data_dir / "logs" / log_name, "ab")  # kept by the child
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if out else None)
        self.children.append((name, proc))
        return proc

    def _pty_pair(self, bus: str) -> tuple[str, str]:
        """A socat pty pair: (daemon end, simulator end)."""
        if shutil.which("socat") is None:
            raise SystemExit(
                "socat is missing: run `make run` (it installs it) or apt-get install socat"
            )
        dev = self.data_dir / "dev"
        near, far = dev / f"{bus}-daemon", dev / f"{bus}-devices"
        self._spawn(
            f"socat {bus}", ["socat", f"pty,raw,echo=0,link={near}", f"pty,raw,echo=0,link={far}"]
        )
        deadline = time.monotonic() + 5
        while not (near.exists() and far.exists()):
            if time.monotonic() > deadline:
                raise SystemExit(f"socat made no pty pair for {bus}")
            time.sleep(0.02)  # waiting for another process to create files
        return str(near), str(far)

    def simulators(self) -> dict[str, str]:
        """Start a simulator for each bus without a real port; return the daemon's ports."""
        ports: dict[str, str] = {}
        devices = self.config.devices
        py = sys.executable
        if devices.keypad_bus and not devices.keypad_bus.port:
            near, far = self._pty_pair("keypad_bus")
            ports["keypad_bus"] = near
            # Listens and acknowledges; it never rates on its own (no fake good ratings).
            self._spawn(
                "keypad simulator",
                [py, "-m", "hall.drivers.sim", "keypad", "--port", far, "--forever"],
                "sim-keypad.log",
            )
            log.info("keypads and evaluators: simulated on %s (log: logs/sim-keypad.log)", far)
        if devices.led_bus and not devices.led_bus.port:
            near, far = self._pty_pair("led_bus")
            ports["led_bus"] = near
            boards = [
                f"{w.devices.led_board}:{w.devices.led_format or devices.led_bus.format}"
                for w in self.config.windows
                if w.devices.led_board is not None
            ]
            if devices.led_bus.hall_board:
                hb = devices.led_bus.hall_board
                boards.append(f"{hb.address}:{hb.format}")
            png_dir = self.data_dir / "boards"
            self._spawn(
                "board simulator",
                [
                    py,
                    "-m",
                    "hall.drivers.sim",
                    "board",
                    "--port",
                    far,
                    "--boards",
                    ",".join(boards),
                    "--png-dir",
                    str(png_dir),
                ],
                "sim-boards.log",
            )
            log.info("LED boards: simulated on %s, pictures in %s", far, png_dir)
        return ports

    def daemon(self, ports: dict[str, str]) -> subprocess.Popen:
        """Start the queue daemon with the simulators' ports."""
        argv = daemon_argv(self.config_path, self.data_dir, device_ports=ports)
        return self._spawn("queue daemon", argv)

    def display(self) -> None:
        """Give the Kivy windows a display: the real one, or a virtual one (Xvfb)."""
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            return
        from hall.kiosk.main import start_virtual_display, wait_for_display

        proc = start_virtual_display(1920, 1920)  # room for a portrait kiosk and a landscape lobby
        if proc is not None:
            self.children.append(("Xvfb", proc))
            wait_for_display(proc)

    def kiosks(self, roles: list[str]) -> None:
        """Start the Kivy program once per role ("kiosk", "lobby", "caller:3")."""
        shots = self.data_dir / "screenshots"
        for spec in roles:
            role, _, window = spec.partition(":")
            argv = [
                sys.executable,
                str(ROOT / "run_kiosk.py"),
                "--role",
                role,
                "--config",
                str(self.config_path),
                "--screenshot-dir",
                str(shots),
            ]
            if window:
                argv += ["--window", window]
            name = f"{role}-{window}" if window else role
            self._spawn(f"{name} window", argv, f"{name}.log")
            log.info(
                "%s window started; a picture of it every 3 s: %s", name, shots / f"{name}.png"
            )

    def stop(self) -> None:
        """Terminate the children, newest first."""
        for name, proc in reversed(self.children):
            if stop(proc):
                log.warning("%s did not stop; killed it", name)


def _interrupt(*_args: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the hall like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    """Run the hall until Ctrl-C or until a child exits."""
    # Private files under data_dir, for this process and every child it starts.
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="python -m hall.launch", description=__doc__)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--data-dir", help="default: storage.data_dir of the config")
    parser.add_argument(
        "--roles",
        default="kiosk,lobby,caller:1",
        help="Kivy windows to start: kiosk, lobby, caller:N (comma separated; '' for none)",
    )
    args = parser.parse_args(argv)
    config = setup_and_load("hall", args.config)
    data_dir = Path(args.data_dir or config.storage.data_dir).resolve()
    for sub in ("dev", "logs", "boards", "screenshots"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    launcher = Launcher(config, Path(args.config).resolve(), data_dir)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ports = launcher.simulators()
        daemon = launcher.daemon(ports)
        roles = [r for r in args.roles.split(",") if r]
        if roles:
            launcher.display()
            launcher.kiosks(roles)
        daemon.wait()
        return daemon.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        launcher.stop()


if __name__ == "__main__":
    sys.exit(main())
