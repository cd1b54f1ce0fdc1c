"""Citizen kiosk benchmarks: cold start, tap → ticket on screen, tap → last byte at the printer.

Runs a real daemon subprocess on loopback and the kiosk's Kivy root under the
real renderer (offscreen SDL2 without a display: on a machine without a GPU
that is Mesa's software rasteriser, so frames cost more than on a kiosk):

* cold start: a fresh ``python`` process that sets Kivy up, builds the kiosk
  root against the daemon and draws; time from spawning it to its first frame,
  and to the first frame that shows the services;
* tap → ticket: a touch on "take number" (UnitTestTouch, as the tests tap) until
  the frame that shows the issued number has been drawn and rasterised
  (issue over HTTP on the kiosk's worker thread, result back through the Kivy
  clock, layout, draw, then ``glFinish``: Mesa's software GL rasterises a frame
  after the buffer swap returns, so without it the figure would leave out most
  of the drawing);
* tap → printer: the same taps, until the last byte of the ticket reached a
  simulated network printer (TCP on loopback, the driver's real network path
  with its DLE EOT status queries).

Usage: ``python bench/bench_kiosk.py [--taps 30] [--starts 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import start_daemon  # noqa: E402 - the shared daemon starter

TOKEN = "bench-kiosk-token"


def bench_config() -> dict:
    """A small always-open hall with 4-digit numbers (a long run never runs out)."""
    return {
        "hall": {"name": "基准测试大厅", "number_digits": 4},
        "services": [
            {
                "code": "general",
                "name_zh": "综合受理",
                "name_en": "General",
                "prefix": "A",
                "hours": "always",
                "per_person_daily_limit": 5,
            },
            {
                "code": "social",
                "name_zh": "社保医保",
                "name_en": "Social",
                "prefix": "E",
                "hours": "always",
            },
        ],
        "windows": [{"number": 1, "services": ["general", "social"]}],
        "api": {"tokens": [{"name": "kiosk", "token": TOKEN, "role": "kiosk"}]},
    }


def make_root(base: str, printer):  # printer and the root returned are Kivy objects
    """The kiosk root on ``base`` with ``printer``; Kivy must be prepared first."""
    from hall.config import KioskSection
    from hall.kiosk.client import DaemonClient
    from hall.kiosk.context import KioskContext
    from hall.kiosk.guide import load_guide
    from hall.kiosk.i18n import Strings
    from hall.screens.kiosk.root import KioskRoot

    settings = KioskSection(
        daemon_url=base, token=TOKEN, name="bench-kiosk", follow_url=base + "/t/{id}"
    )
    ctx = KioskContext(
        settings=settings,
        client=DaemonClient(base, TOKEN),
        strings=Strings(),
        printer=printer,
        guide=load_guide(settings.guide),
        hall_name="基准测试大厅",
    )
    return KioskRoot(ctx)


def prepare_kivy() -> None:
    """Offscreen SDL2 without a display, a throwaway KIVY_HOME, the CJK font."""
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))
    from hall.kiosk.kivy_setup import prepare

    prepare(1080, 1920)


def child_start(base: str) -> int:
    """The cold-start child: report "frame" and "services" as they are drawn."""
    prepare_kivy()
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    from hall.drivers.printer import TicketPrinter
    from hall.drivers.sim.printer import SimPrinter

    EventLoop.ensure_window()
    root = make_root(base, TicketPrinter(SimPrinter()))
    Window.add_widget(root)
    EventLoop.idle()
    glFinish()  # rasterised, not only handed to the (software) GL
    print("frame", flush=True)
    while not root.home.loaded:
        EventLoop.idle()
    EventLoop.idle()  # the frame that draws the services
    glFinish()
    print("services", flush=True)
    root.shutdown()
    return 0


def bench_cold_start(base: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from spawning a kiosk process to its first frame / first frame with services."""
    frames, services = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child-start", base],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        marks = {}
        for line in proc.stdout:
            marks[line.strip()] = time.perf_counter() - t0
        proc.wait(30)
        frames.append(marks["frame"])
        services.append(marks["services"])
    return frames, services


def bench_taps(base: str, taps: int) -> tuple[list[float], list[float]]:
    """Milliseconds from a tap on "take number" to the ticket drawn / last byte printed."""
    prepare_kivy()
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish
    from kivy.tests.common import UnitTestTouch

    from hall.drivers.printer import open_printer
    from hall.drivers.sim.printer import SimNetworkPrinter

    EventLoop.ensure_window()
    screen_ms, printer_ms = [], []
    with SimNetworkPrinter() as sim:
        host, port = sim.address
        root = make_root(base, open_printer({"type": "network", "host": host, "port": port}))
        Window.add_widget(root)
        try:
            for i in range(taps + 3):  # the first 3 warm up (connections, glyphs, QR code)
                root.go_home()
                while root._refreshing or not root.home.loaded or root.current != "home":
                    EventLoop.idle()
                root.open_service("general")
                EventLoop.idle()
                glFinish()  # the take screen is on the glass before the citizen taps
                button = next(w for w in root.take.walk() if getattr(w, "hall_id", "") == "take")
                cuts = sim.model.cuts
                touch = UnitTestTouch(*button.to_window(*button.center))
                t0 = time.perf_counter()
                touch.touch_down()
                touch.touch_up()
                while root.current != "ticket" or not root.ticket.number:
                    EventLoop.idle()
                EventLoop.idle()  # the frame that draws it ...
                glFinish()  # ... rasterised: software GL finishes frames after the swap
                shown = time.perf_counter()
                if not sim.model.wait_for(lambda m, c=cuts: m.cuts > c, 10):
                    raise SystemExit("the ticket was not printed")
                if i >= 3:
                    screen_ms.append((shown - t0) * 1000)
                    printer_ms.append((sim.model.last_rx - t0) * 1000)
        finally:
            root.shutdown()
            root.desk.printer.close()
    return screen_ms, printer_ms


def summary(samples: list[float], unit: str) -> str:
    """Median and p99 of samples."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.0f} {unit}, p99 {p99:.0f} {unit}"


def main() -> int:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--taps", type=int, default=30)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--child-start", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        return child_start(args.child_start)
    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        daemon, base = start_daemon(Path(tmp), bench_config())
        try:
            frames, services = bench_cold_start(base, args.starts)
            print(
                f"cold start → first frame ({args.starts} runs): "
                f"{summary([s * 1000 for s in frames], 'ms')}; target ≤ 3000 ms"
            )
            print(f"cold start → services on screen: {summary([s * 1000 for s in services], 'ms')}")
            screen, printer = bench_taps(base, args.taps)
            print(
                f"tap → ticket drawn ({args.taps} taps): {summary(screen, 'ms')}; target ≤ 300 ms"
            )
            print(f"tap → last ticket byte at the printer: {summary(printer, 'ms')}")
        finally:
            daemon.terminate()
            daemon.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
