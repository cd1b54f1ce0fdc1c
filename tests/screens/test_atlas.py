"""The screen atlas as a test: every screen in every mode has no layout finding.

One test id per screen and mode (``kiosk-home-zh-large``, ``web-ticket-zh-390px``):
a failure lists each finding with the widget and its sizes. The screens are
reached on a real daemon (demo config.yaml, filled by hall/tools/atlas_hall.py),
exactly as ``make screens`` reaches them. The checker is tested on synthetic
widgets first, so it cannot pass by finding nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from PIL import Image

import tests.kivy_harness as h
from hall.tools.atlas_hall import ROOT, DemoHall
from hall.tools.atlas_kiosk import FACE_SCENES
from hall.tools.atlas_screens import ScreenAtlas, all_scenes, mount, picture
from hall.tools.atlas_web import PAGES, WIDTHS, WebAtlas
from hall.tools.cdp import CHROMIUM
from hall.tools.layout_check import Target, check_tree, compare_targets
from hall.vision import face_sim


# -- the checker itself --------------------------------------------------------------------
def _problems(root) -> list[str]:  # a widget tree
    h.mount(root)
    found, _targets = check_tree(root, "synthetic", "zh-normal")
    return [f.problem for f in found]


def _fixed(widget, x: float, y: float, w: float, hgt: float):
    widget.size_hint = (None, None)
    widget.pos, widget.size = (x, y), (w, hgt)
    return widget


def test_checker_reports_a_label_too_small_for_its_text() -> None:
    root = FloatLayout()
    root.add_widget(_fixed(Label(text="示范区政务服务中心", font_size=60), 10, 10, 120, 40))
    assert _problems(root) == ["text-overflow"]


def test_checker_passes_a_label_that_fits() -> None:
    root = FloatLayout()
    root.add_widget(_fixed(Label(text="取号", font_size=30), 10, 10, 300, 100))
    assert _problems(root) == []


def test_checker_reports_shortened_text_and_split_words() -> None:
    root = FloatLayout()
    cut = Label(text="示范区政务服务中心", font_size=40, shorten=True)
    cut.bind(size=lambda w, s: setattr(w, "text_size", s))
    root.add_widget(_fixed(cut, 10, 10, 150, 60))
    split = Label(text="Lost certificate replacement", font_size=40)
    split.bind(width=lambda w, v: setattr(w, "text_size", (v, None)))
    root.add_widget(_fixed(split, 10, 300, 200, 400))
    assert sorted(_problems(root)) == ["text-cut", "word-split"]


def test_checker_reports_overlapping_buttons_and_small_targets() -> None:
    root = FloatLayout()
    root.add_widget(_fixed(Button(text="A"), 10, 10, 200, 100))
    root.add_widget(_fixed(Button(text="B"), 150, 50, 200, 100))
    root.add_widget(_fixed(Button(text="C"), 500, 500, 30, 30))
    assert sorted(_problems(root)) == ["overlap", "small-target"]


def test_checker_ignores_buttons_under_an_overlay_and_side_by_side_buttons() -> None:
    root = FloatLayout()
    row = _fixed(BoxLayout(spacing=10), 0, 0, 600, 120)
    row.add_widget(Button(text="左"))
    row.add_widget(Button(text="右"))
    root.add_widget(row)
    assert _problems(root) == []
    from kivy.graphics import Color, Rectangle

    sheet = FloatLayout()
    with sheet.canvas.before:
        Color(0, 0, 0, 0.8)
        Rectangle(pos=(0, 0), size=Window.size)
    sheet.add_widget(_fixed(Button(text="选项"), 0, 0, 300, 150))
    root.add_widget(sheet)
    assert _problems(root) == []  # the row is hidden under the sheet: no overlap with 选项


def _scrolling(viewport: float, rows: list[float]) -> FloatLayout:
    """A ScrollView ``viewport`` px tall over a column of labels ``rows`` px tall, at its top."""
    root = FloatLayout()
    view = _fixed(ScrollView(do_scroll_x=False), 0, 200, 600, viewport)
    column = BoxLayout(orientation="vertical", size_hint_y=None, height=sum(rows))
    for i, height in enumerate(rows):
        column.add_widget(Label(text=f"第{i + 1}行", size_hint_y=None, height=height))
    view.add_widget(column)
    root.add_widget(view)
    h.mount(root)
    view.scroll_y = 1
    h.idle()
    return root


def test_checker_reports_text_cut_by_a_scroll_edge_that_nearly_fits() -> None:
    root = _scrolling(500, [200, 200, 150])  # 50 px too tall: the third row half shows
    found, _targets = check_tree(root, "synthetic", "zh-normal")
    assert [(f.widget, f.problem) for f in found] == [('Label "第3行"', "scroll-cut")]


def test_checker_passes_long_lists_and_rows_that_end_at_the_edge() -> None:
    for rows in ([200, 300, 150], [250] * 10, [900]):  # whole rows shown; a long list; a long text
        found, _targets = check_tree(_scrolling(500, rows), "synthetic", "zh-normal")
        assert found == [], rows


def test_checker_reports_a_target_smaller_in_large_text() -> None:
    normal = [Target("Button#key-1", 200, 200), Target("Button#ok", 300, 100)]
    large = [Target("Button#key-1", 157, 200), Target("Button#ok", 320, 120)]
    found = compare_targets(normal, large, "kiosk-take", "zh-large")
    assert [(f.widget, f.problem) for f in found] == [("Button#key-1", "smaller-in-large")]


# -- every screen of the atlas --------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHall]:
    hall = DemoHall(tmp_path_factory.mktemp("atlas")).start()
    try:
        yield hall.fill()
    finally:
        hall.stop()


@pytest.fixture(scope="module")
def atlas(demo_hall: DemoHall) -> Iterator[ScreenAtlas]:
    made = ScreenAtlas(demo_hall)
    yield made
    made.close()
    h.mount(h.Widget())


@pytest.mark.parametrize(
    ("role", "scene", "mode"), all_scenes(), ids=[f"{r}-{s}-{m}" for r, s, m in all_scenes()]
)
def test_screen_has_no_layout_findings(
    atlas: ScreenAtlas, role: str, scene: str, mode: str
) -> None:
    if scene in FACE_SCENES and not face_sim.orl_available():
        pytest.skip("the simulated face camera needs the ORL faces")
    found = atlas.shot(role, scene, mode).findings
    assert not found, f"{len(found)} layout findings:\n" + "\n".join(map(str, found))


@pytest.fixture(scope="module")
def web(demo_hall: DemoHall, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebAtlas]:
    made = WebAtlas(demo_hall, tmp_path_factory.mktemp("chromium"))
    yield made
    made.close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_layout_findings(web: WebAtlas, page: str, width: int) -> None:
    found = web.check(page, width)
    assert not found, f"{len(found)} layout findings:\n" + "\n".join(map(str, found))


# -- the pictures ---------------------------------------------------------------------------
def test_each_role_is_drawn_at_its_configured_size(demo_hall: DemoHall, tmp_path: Path) -> None:
    """kiosk.screens: the caller panel 480x800 (kept whole), the lobby TV 1920x1080 and turned."""
    screens = demo_hall.config.kiosk.screens
    assert (screens.caller.size, screens.lobby.size) == ((480, 800), (1920, 1080))
    made = ScreenAtlas(demo_hall, tmp_path)
    try:
        drawn = {}
        for role, scene in (("caller", "panel"), ("lobby", "board"), ("lobby", "board-portrait")):
            shot = made.shot(role, scene, "zh-normal")
            assert not shot.findings, shot.findings
            with Image.open(shot.png) as img:
                drawn[scene] = img.size
    finally:
        made.close()
    # Pictures of large screens are halved for the atlas page; the small caller is not.
    assert drawn == {"panel": (480, 800), "board": (960, 540), "board-portrait": (540, 960)}


#: The kiosk's page colour (Palette.PAGE, the window's clear colour), as the PNG keeps it.
PAGE_RGB = (0xEE, 0xF2, 0xF7)


def _background(path: Path) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two pixels of the page: bottom centre (below the footer) and the bottom-left corner."""
    with Image.open(path) as img:
        rgb = img.convert("RGB")
    return rgb.getpixel((rgb.width // 2, rgb.height - 2)), rgb.getpixel((2, rgb.height - 2))


def test_a_kiosk_picture_drawn_off_the_window_has_the_page_colour(
    atlas: ScreenAtlas, tmp_path: Path
) -> None:
    """A window of another size (the atlas draws the screen through an Fbo) keeps the page."""
    root = atlas.kiosk_root("zh")  # the atlas's kiosk, laid out smaller than the window
    mount(root, (Window.width - 80, Window.height - 120))
    try:
        root.go_home()
        assert h.idle_until(lambda: root.home.loaded, 10)
        path = picture(root, tmp_path / "kiosk-home.png")
        assert _background(path) == (PAGE_RGB, PAGE_RGB)
    finally:
        mount(root, tuple(Window.size))


def test_the_atlas_run_draws_the_kiosk_on_its_page_colour(tmp_path: Path) -> None:
    """``make screens`` as it runs (the web half imported first), one scene: no black page."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_HOME=str(tmp_path / "kivy"))
    run = subprocess.run(
        [sys.executable, "-m", "hall.tools.atlas", "--out", str(tmp_path / "out")]
        + ["--only", "web,kiosk", "--scenes", "home"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for mode in ("zh-normal", "en-large"):
        assert _background(tmp_path / "out" / f"kiosk-home-{mode}.png") == (PAGE_RGB, PAGE_RGB)
