"""``run_kiosk.py``: start one role of the Kivy program against the daemon.

    python run_kiosk.py [--role kiosk|caller|lobby] [--window N] [--config config.yaml]
                        [--position X,Y] [--screenshot-dir DIR]

Each role opens its own window as ``kiosk.screens.<role>`` says (size,
orientation, fullscreen, always on top, place, scale).

With no display, it starts Xvfb (a virtual display) and says so; with
``--screenshot-dir`` it writes a picture of its window every few seconds so a
person can look at a headless kiosk.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hall.config import HallConfig, setup_and_load

log = logging.getLogger("hall.kiosk")


def start_virtual_display(width: int, height: int) -> subprocess.Popen | None:
    """Start Xvfb on a free display number and point DISPLAY at it."""
    if shutil.which("Xvfb") is None:
        log.warning("no display and no Xvfb: rendering offscreen (make run installs Xvfb)")
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        return None
    for number in range(99, 140):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            proc = subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            os.environ["DISPLAY"] = f":{number}"
            log.warning("no display: running under a virtual display (Xvfb :%d)", number)
            return proc
    raise SystemExit("no free X display number for Xvfb")


def wait_for_display(display_proc: subprocess.Popen | None) -> None:
    """Wait until the Xvfb started by :func:`start_virtual_display` accepts clients."""
    if display_proc is None:
        return
    number = os.environ["DISPLAY"].lstrip(":")
    import time

    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if display_proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("Xvfb did not start")
        time.sleep(0.05)  # waiting for another process to create its socket


def make_context(config: HallConfig, role: str):  # returns a KioskContext (kivy-free import)
    """Build the screens' context: daemon client, strings, printer, guide (per role)."""
    from hall.drivers.printer import open_printer
    from hall.kiosk.client import DaemonClient
    from hall.kiosk.context import KioskContext
    from hall.kiosk.guide import load_guide
    from hall.kiosk.i18n import Strings
    from hall.kiosk.ticketing import service_areas

    settings = config.kiosk
    token = {"kiosk": settings.token, "lobby": settings.display_token}.get(role)
    if settings.ca_file and not settings.daemon_url.startswith("https://"):
        log.warning(
            "kiosk.ca_file is set but kiosk.daemon_url %s is plain http: nothing is verified"
            " and tokens, PINs and ID numbers cross the network in clear",
            settings.daemon_url,
        )
    printer = None
    # The kiosk's ticket printer; a caller's window printer (notices of cases) if it has one.
    printer_config = {"kiosk": settings.printer, "caller": settings.window_printer}.get(role)
    if printer_config:
        try:
            printer = open_printer(printer_config)
        except ValueError as exc:
            prefix = "window_" if role == "caller" else ""
            raise SystemExit(f"kiosk.{prefix}{exc}") from None
    ctx = KioskContext(
        settings=settings,
        client=DaemonClient(settings.daemon_url, token, ca_file=settings.ca_file),
        strings=Strings(settings.language),
        printer=printer,
        guide=load_guide(settings.guide) if role == "kiosk" else {},
        hall_name=config.hall.name,
        hall_name_en=config.hall.name_en or "",
        service_areas=service_areas(config.windows),
        timezone=config.hall.timezone,
    )
    if role == "kiosk":  # 领导签到 from the kiosk's staff corner: who may sign in there
        ctx.leaders = [{"id": m.id, "name": m.name, "title": m.title} for m in config.leaders]
    if role == "kiosk" and settings.submission:
        add_submission(ctx, config)
    if role == "caller":
        add_case_register(ctx, config)
    if role in ("kiosk", "caller"):
        add_id_reader(ctx, settings)
    from hall.kiosk.face_setup import add_face

    add_face(ctx, config, role)
    return ctx


def add_id_reader(ctx, settings) -> None:  # ctx: KioskContext, settings: KioskSection
    """A serial ID card reader, when configured; it reconnects by itself if unplugged."""
    if settings.id_reader is None:
        return
    from hall.drivers.idreader import IdCardReader
    from hall.drivers.port import SerialLink

    ctx.id_reader = IdCardReader(on_card=lambda _card: None)  # the role's root takes the cards
    ctx.id_link = SerialLink(settings.id_reader.port, baudrate=settings.id_reader.baudrate)
    ctx.id_link.on_bytes = ctx.id_reader.feed
    ctx.id_link.start()


def add_case_register(ctx, config: HallConfig) -> None:  # ctx: KioskContext
    """办件 at a caller: the catalogue (matter names, materials) and the hall's calendar.

    A catalogue that cannot be read does not stop the panel (calling goes on): the
    case form then shows matter codes without materials, and the log says why.
    """
    from hall.catalogue import CatalogueError, load_catalogue
    from hall.workdays import CalendarError, WorkCalendar

    try:
        ctx.catalogue = load_catalogue(config.submissions.catalogue)
    except CatalogueError as exc:
        log.error("catalogue not read, cases are opened without materials: %s", exc)
    try:  # the days left of a listed case, on the calendar the daemon counts with
        ctx.calendar = WorkCalendar.load(
            config.submissions.holidays,
            closed_dates=config.hall.hours.closed_dates,
            open_dates=config.hall.hours.open_dates,
        )
    except CalendarError as exc:
        log.error("holiday tables not read, case lists show promised dates only: %s", exc)


def add_submission(ctx, config: HallConfig) -> None:  # ctx: KioskContext
    """自助申报: catalogue, work calendar, the terminal's outbox (forwarding) and camera.

    A bad catalogue or holiday table stops the kiosk (CatalogueError /
    CalendarError name the file); a camera that cannot be opened only
    disables photographing (materials are then handed in at a window).
    """
    from hall.catalogue import load_catalogue
    from hall.drivers.camera import open_camera
    from hall.drivers.errors import DeviceOffline
    from hall.kiosk.client import DaemonClient
    from hall.kiosk.outbox import TerminalOutbox
    from hall.workdays import WorkCalendar

    settings = config.kiosk
    ctx.catalogue = load_catalogue(config.submissions.catalogue)
    ctx.calendar = WorkCalendar.load(config.submissions.holidays)
    ctx.outbox = TerminalOutbox(
        Path(settings.data_dir) / "outbox",
        settings.name,
        settings.terminal_code,
        # Its own client: it runs on its own thread.
        DaemonClient(settings.daemon_url, settings.token, ca_file=settings.ca_file),
        timezone=config.hall.timezone,
        settings=settings.outbox,
        device_id=f"outbox@{settings.id}",  # staff see it in the device list
        # Seals the waiting cases (hall/kiosk/outbox_seal.py); made at the first start.
        key_file=Path(settings.data_dir) / "keys" / "terminal.keys",
    ).start()
    if settings.camera:
        try:
            ctx.camera = open_camera(settings.camera)
        except ValueError as exc:
            raise SystemExit(f"kiosk.camera: {exc}") from None
        except DeviceOffline as exc:
            log.error("kiosk.camera: %s: materials cannot be photographed", exc)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the Kivy app until its window closes."""
    # kiosk.data_dir holds the outbox (sealed) and the key file that opens it: ours only.
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="run_kiosk.py", description=__doc__)
    parser.add_argument("--role", choices=("kiosk", "caller", "lobby"), default="kiosk")
    parser.add_argument("--window", type=int, help="window number (caller role)")
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--screenshot-dir", help="write <role>.png here every few seconds")
    parser.add_argument(
        "--position",
        type=_position,
        help="X,Y: the window's top-left corner, instead of kiosk.screens.<role>.left/top"
        " (make run places the roles side by side)",
    )
    args = parser.parse_args(argv)
    config = setup_and_load("run_kiosk", args.config)
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # no request log lines per poll
    if args.role == "caller" and args.window is None:
        parser.error("--role caller needs --window N")
    geometry = config.kiosk.screens.window(args.role)
    position = args.position or geometry.position
    log.info(
        "%s window: %dx%d %s, drawn at %.2f%s",
        args.role,
        geometry.width,
        geometry.height,
        geometry.orientation,
        geometry.density(),
        ", always on top" if geometry.always_on_top else "",
    )
    display = None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        x, y = position or (0, 0)
        display = start_virtual_display(geometry.width + x, geometry.height + y)
        wait_for_display(display)
    from hall.kiosk.kivy_setup import prepare

    prepare(
        geometry.width,
        geometry.height,
        geometry.fullscreen,
        scale=geometry.density(),
        always_on_top=geometry.always_on_top,
        position=position,
    )
    from hall.catalogue import CatalogueError
    from hall.kiosk.guide import GuideError
    from hall.workdays import CalendarError

    try:
        ctx = make_context(config, args.role)
    except (GuideError, CatalogueError, CalendarError) as exc:
        sys.stderr.write(f"run_kiosk: refusing to start: {exc}\n")
        return 2
    from hall.kiosk.app import HallApp

    app = HallApp(ctx, args.role, args.window)
    if args.screenshot_dir:
        _schedule_screenshots(Path(args.screenshot_dir), args.role, args.window)
    try:
        app.run()
    finally:
        if display is not None:
            display.terminate()
    return 0


def _position(text: str) -> tuple[int, int]:
    """``X,Y`` (pixels, not negative) as a pair."""
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected X,Y in pixels") from None
    if x < 0 or y < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: X and Y must not be negative")
    return (x, y)


def _schedule_screenshots(folder: Path, role: str, window: int | None) -> None:
    from kivy.clock import Clock
    from kivy.core.window import Window

    folder.mkdir(parents=True, exist_ok=True)
    name = f"{role}-{window}" if window else role
    log.info("screenshots of the %s window: %s", name, folder / f"{name}.png")

    def shoot(_dt: float) -> None:
        written = Window.screenshot(str(folder / f"{name}.png"))
        if written:
            Path(written).replace(folder / f"{name}.png")

    Clock.schedule_interval(shoot, 3.0)
