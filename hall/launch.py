"""Start the whole hall on one box (``make run``): simulators, daemon, and their links.

For every device bus in config.yaml without a real port, a socat pty pair is
made under ``<data_dir>/dev`` and a simulator plays the devices on its far end
(LED boards drawn as PNG files under ``<data_dir>/boards``); the daemon gets
the near end. A bus with a real port is used as it is. Then one Kivy window per
role, each at its size (``kiosk.screens``); with no display, on a virtual one
(Xvfb) sized to hold them side by side. Ctrl-C stops everything.
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
from dataclasses import dataclass
from pathlib import Path

from hall.config import HallConfig, setup_and_load
from hall.processes import daemon_argv, stop

log = logging.getLogger("hall.launch")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class KivyWindow:
    """One Kivy window of ``make run``: its role, size and place."""

    name: str  # "kiosk", "lobby", "caller-1": its log and screenshot file names
    role: str
    window: str | None  # the caller's window number
    size: tuple[int, int]
    position: tuple[int, int] | None  # top-left corner; None: the window manager's
    tiled: bool = False  # placed by the launcher (--position), not by kiosk.screens


def screen_size(windows: list[KivyWindow]) -> tuple[int, int]:
    """A screen the windows fit on, each at its place (1x1 for none)."""
    right = [(w.position or (0, 0))[0] + w.size[0] for w in windows]
    bottom = [(w.position or (0, 0))[1] + w.size[1] for w in windows]
    return (max(right, default=1), max(bottom, default=1))


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

    def plan(self, roles: list[str], tiled: bool) -> list[KivyWindow]:
        """The Kivy windows for ``roles`` ("kiosk", "lobby", "caller:3"), each at its size.

        ``tiled`` (a virtual display made for them): side by side from the left,
        tops aligned, none over another (a window under another would be
        photographed with the other's pixels). Otherwise each takes the place
        its ``kiosk.screens.<role>`` says, or the window manager's.
        """
        out, x = [], 0
        for spec in roles:
            role, _, window = spec.partition(":")
            if role not in ("kiosk", "lobby", "caller"):
                raise SystemExit(f"--roles: unknown role {role!r} (kiosk, lobby, caller:N)")
            if role == "caller" and not window:
                raise SystemExit("--roles: caller needs a window number (caller:1)")
            geometry = self.config.kiosk.screens.window(role)
            position = (x, 0) if tiled else geometry.position
            name = f"{role}-{window}" if window else role
            out.append(KivyWindow(name, role, window or None, geometry.size, position, tiled))
            x += geometry.width
        return out

    def display(self, windows: list[KivyWindow]) -> bool:
        """Give the Kivy windows a display: the real one, or a virtual one (Xvfb) they fit on.

        True when a virtual display was made for them (they are then tiled).
        """
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            return False
        from hall.kiosk.main import start_virtual_display, wait_for_display

        width, height = screen_size(windows)
        proc = start_virtual_display(width, height)
        if proc is None:
            return False  # offscreen: each window has its own framebuffer
        self.children.append(("Xvfb", proc))
        wait_for_display(proc)
        log.info("virtual display %dx%d: the windows side by side", width, height)
        return True

    def kivy_argv(self, window: KivyWindow) -> list[str]:
        """run_kiosk.py's command line for one window."""
        argv = [
            sys.executable,
            str(ROOT / "run_kiosk.py"),
            "--role",
            window.role,
            "--config",
            str(self.config_path),
            "--screenshot-dir",
            str(self.data_dir / "screenshots"),
        ]
        if window.window:
            argv += ["--window", window.window]
        if window.position is not None and window.tiled:
            argv += ["--position", f"{window.position[0]},{window.position[1]}"]
        return argv

    def kiosks(self, windows: list[KivyWindow]) -> None:
        """Start the Kivy program once per window."""
        shots = self.data_dir / "screenshots"
        for w in windows:
            self._spawn(f"{w.name} window", self.kivy_argv(w), f"{w.name}.log")
            log.info(
                "%s window (%dx%d) started; a picture of it every 3 s: %s",
                w.name,
                *w.size,
                shots / f"{w.name}.png",
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
    roles = [r for r in args.roles.split(",") if r]
    tiled = launcher.plan(roles, tiled=True)  # a wrong role stops here, before any child
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ports = launcher.simulators()
        daemon = launcher.daemon(ports)
        if tiled:
            on_virtual = launcher.display(tiled)
            launcher.kiosks(tiled if on_virtual else launcher.plan(roles, tiled=False))
        daemon.wait()
        return daemon.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        launcher.stop()


if __name__ == "__main__":
    sys.exit(main())
