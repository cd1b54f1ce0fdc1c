"""``make screens``: the screen atlas, every screen of the hall as PNG, with its layout findings.

    python -m hall.tools.atlas [--out docs/screens] [--only kiosk,caller,lobby,web]
                               [--scenes home,face-id,...] [--findings FILE]

Starts a daemon on the demo config.yaml (temporary data dir, free port) and
fills it (:mod:`hall.tools.atlas_hall`), renders every kiosk, caller and lobby
screen in Chinese and English, normal and large text, at the role's size
(:mod:`hall.tools.atlas_screens`), and the web pages at phone and desktop
widths in headless Chromium (:mod:`hall.tools.atlas_web`). Without a display
Kivy renders offscreen (SDL2); Kivy is configured (window at the kiosk's size)
before anything imports it: the web half imports the layout checker, which
imports Kivy's widgets, and a window made then would be Kivy's default 800x600,
so every kiosk picture would be drawn off the window. ``--scenes`` keeps only
the named scenes and web pages. Prints every layout finding; writes them to
``--findings`` as a Markdown list. Exit 0 even with findings: the atlas test
(tests/screens/test_atlas.py) is what fails on them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROLES = ("kiosk", "caller", "lobby", "web")


def findings_markdown(findings: list) -> str:
    """Findings as a Markdown list grouped by screen."""
    lines = ["# Screen atlas findings", ""]
    by_screen: dict[str, list] = {}
    for f in findings:
        by_screen.setdefault(f.screen, []).append(f)
    for screen in sorted(by_screen):
        lines.append(f"## {screen}")
        lines += [
            f"- [{f.mode}] {f.widget}: **{f.problem}**: {f.detail}" for f in by_screen[screen]
        ]
        lines.append("")
    if not findings:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Make the atlas; print the findings."""
    parser = argparse.ArgumentParser(prog="python -m hall.tools.atlas", description=__doc__)
    parser.add_argument("--out", default="docs/screens", help="folder for the PNG files")
    parser.add_argument("--only", default=",".join(ROLES), help="roles: kiosk,caller,lobby,web")
    parser.add_argument("--scenes", help="only these scenes and web pages (comma-separated)")
    parser.add_argument("--findings", help="write the findings here (Markdown)")
    args = parser.parse_args(argv)
    roles = [r for r in args.only.split(",") if r]
    scenes = {s for s in (args.scenes or "").split(",") if s} or None
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out).resolve()
    started = time.monotonic()
    for name in ("KIVY_NO_ARGS", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG"):
        os.environ.setdefault(name, "1")  # set before anything imports Kivy
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    from hall.tools.atlas_hall import DemoHall

    kivy_roles = [r for r in roles if r != "web"]
    findings = []
    with tempfile.TemporaryDirectory(prefix="atlas-") as tmp:
        hall = DemoHall(Path(tmp)).start()
        try:
            _prepare_kivy(hall)  # first: the web half imports Kivy too
            hall.fill()
            if "web" in roles:
                from hall.tools.atlas_web import PAGES, WIDTHS, WebAtlas

                pages = [(p, w) for p in PAGES for w in WIDTHS if not scenes or p in scenes]
                web = WebAtlas(hall, Path(tmp) / "chromium", out) if pages else None
                try:
                    for page, width in pages:
                        findings += web.check(page, width)
                finally:
                    if web is not None:
                        web.close()
            if kivy_roles:
                findings += _kivy(hall, out, kivy_roles, scenes)
        finally:
            hall.stop()
    for f in findings:
        print(f)
    print(f"{len(findings)} findings; PNG files in {out}; {time.monotonic() - started:.0f} s")
    if args.findings:
        Path(args.findings).write_text(findings_markdown(findings), encoding="utf-8")
    return 0


def _prepare_kivy(hall) -> None:  # DemoHall
    """Kivy's window at the kiosk's size (config.yaml), made before any screen is imported.

    The other roles are laid out at their own sizes and drawn through an Fbo.
    """
    from hall.kiosk.kivy_setup import prepare

    k = hall.config.kiosk.screens.kiosk
    prepare(k.width, k.height, scale=k.density())
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    logging.getLogger().setLevel(logging.WARNING)  # Kivy's logger is the root one, at DEBUG


def _kivy(hall, out: Path, roles: list[str], scenes: set[str] | None) -> list:
    from hall.tools.atlas_screens import ScreenAtlas, all_scenes

    atlas = ScreenAtlas(hall, out)
    findings = []
    try:
        for role, scene, mode in all_scenes():
            if role in roles and (not scenes or scene in scenes):
                findings += atlas.shot(role, scene, mode).findings
    finally:
        atlas.close()
    return findings


if __name__ == "__main__":
    sys.exit(main())
