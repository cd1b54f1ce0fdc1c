"""Document capture on generated scenes (tests/vision/doc_scenes.py).

The thresholds in CaptureSettings were measured on seeds 0-39 and 100-159;
these tests use seeds 200 and up, which played no part in choosing them.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest

from hall.vision.document import (
    A4_ASPECT,
    REASONS,
    CaptureSettings,
    assess,
    capture,
    encode_jpeg,
    find_document,
    order_corners,
    rectify,
)
from tests.vision.doc_scenes import PAGE_H, PAGE_W, TITLE_BOX, Scene, make_scene, render_page

SEEDS = range(200, 240)


@functools.cache
def scene(seed: int, kind: str) -> Scene:
    return make_scene(seed, kind)


def corner_error(sc: Scene, corners: np.ndarray) -> float:
    """Worst corner error in page coordinates, as a fraction of the page width."""
    back = cv2.perspectiveTransform(corners[None].astype(np.float32), np.linalg.inv(sc.homography))[
        0
    ]
    true = np.float32([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]])
    return float(np.linalg.norm(back - true, axis=1).max() / PAGE_W)


def test_finds_the_page_in_cluttered_scenes() -> None:
    errors = []
    for seed in SEEDS:
        det = find_document(scene(seed, "clean").image)
        errors.append(1.0 if det is None else corner_error(scene(seed, "clean"), det.corners))
    good = sum(e < 0.03 for e in errors)
    # Measured on these seeds: 40/40, median 0.8 %, worst 1.4 % of the page width.
    assert good >= 0.95 * len(errors), sorted(errors)[-5:]
    assert np.median(errors) < 0.015


def test_no_document_on_empty_scenes() -> None:
    for seed in SEEDS:
        result = capture(scene(seed, "empty").image)
        assert result.detection is None, seed
        assert result.verdict == "no_document" and result.page is None
        assert result.message_key == "capture.no_document"


@pytest.mark.parametrize(
    ("kind", "verdict"),
    [("clean", "ok"), ("blur", "blurry"), ("glare", "glare"), ("dark", "too_dark")],
)
def test_verdicts(kind: str, verdict: str) -> None:
    seeds = range(200, 216)
    got = {seed: capture(scene(seed, kind).image).verdict for seed in seeds}
    assert [s for s, v in got.items() if v != verdict] == [], got
    result = capture(scene(seeds[0], kind).image)
    assert result.ok == (verdict == "ok")
    assert result.message_key == f"capture.{verdict}"
    assert set(result.reasons) <= set(REASONS)


def page_ink(gray: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Fraction of dark (ink) pixels in a box given in page coordinates."""
    h, w = gray.shape
    x0, y0, x1, y1 = box
    sx, sy = w / PAGE_W, h / PAGE_H
    part = gray[int(y0 * sy) : int(y1 * sy), int(x0 * sx) : int(x1 * sx)]
    return float(np.mean(part < 0.6 * np.median(gray)))


@pytest.mark.parametrize("seed", range(200, 209))
def test_rectified_page_is_upright_and_matches_the_layout(seed: int) -> None:
    sc = scene(seed, "clean")
    result = capture(sc.image)
    assert result.ok
    page = cv2.cvtColor(result.page, cv2.COLOR_BGR2GRAY)
    assert page.shape[0] / page.shape[1] == pytest.approx(A4_ASPECT, rel=0.01)
    # The title band has ink; the same band turned upside down (bottom margin) almost none.
    x0, y0, x1, y1 = TITLE_BOX
    title = page_ink(page, TITLE_BOX)
    flipped = page_ink(page, (PAGE_W - x1, PAGE_H - y1, PAGE_W - x0, PAGE_H - y0))
    assert title > 0.03 and title > 3 * flipped
    # And the whole page correlates with the template it was rendered from far
    # better than with the template upside down (uneven light keeps the
    # correlation modest: lowest 0.41 on seeds 200-239, always >= 0.24 above upside down).
    ref = cv2.resize(cv2.cvtColor(render_page(sc.template), cv2.COLOR_BGR2GRAY), page.shape[::-1])
    a, b = cv2.GaussianBlur(page, (9, 9), 0), cv2.GaussianBlur(ref, (9, 9), 0)
    ncc = cv2.matchTemplate(a, b, cv2.TM_CCOEFF_NORMED)[0, 0]
    ncc_rot = cv2.matchTemplate(a, cv2.rotate(b, cv2.ROTATE_180), cv2.TM_CCOEFF_NORMED)[0, 0]
    assert ncc > 0.35 and ncc > ncc_rot + 0.15, (ncc, ncc_rot)


@pytest.mark.parametrize("angle", [-40, -15, 0, 20, 40])
def test_order_corners_puts_the_top_edge_first(angle: float) -> None:
    box = cv2.boxPoints(((300, 200), (100, 150), angle))  # 100 wide, 150 tall, turned
    tl, tr, br, bl = order_corners(box[np.random.default_rng(0).permutation(4)])
    assert np.linalg.norm(tr - tl) == pytest.approx(100, abs=0.5)  # the top is a short side
    assert (tl[1] + tr[1]) < (bl[1] + br[1])  # above the bottom edge
    u, v = tr - tl, bl - tl
    assert u[0] * v[1] - u[1] * v[0] > 0  # tl -> tr -> bl turns clockwise on screen (y down)


def test_rectify_aspect_and_width() -> None:
    frame = np.zeros((400, 400, 3), np.uint8)
    corners = np.float32([[50, 20], [250, 20], [250, 300], [50, 300]])  # 200 x 280 (1.40)
    assert rectify(frame, corners, out_width=500).shape == (round(500 * A4_ASPECT), 500, 3)
    assert rectify(frame, corners, out_width=300, aspect=1.0).shape == (300, 300, 3)
    wide = np.float32([[50, 20], [350, 20], [350, 210], [50, 210]])  # an ID card: 1.58 wide
    assert rectify(frame, wide, out_width=316).shape[:2] == (200, 316)


def test_assess_measures_flat_pages() -> None:
    blank = np.full((600, 424), 200, np.uint8)
    q = assess(blank)
    assert q.brightness == 200 and q.glare == 0 and q.sharpness < 1
    blank[200:300, 100:300] = 255
    assert assess(blank).glare == pytest.approx(100 * 200 / (600 * 424), rel=0.2)


def test_settings_change_the_verdict() -> None:
    image = scene(200, "clean").image
    assert capture(image).ok
    strict = capture(image, CaptureSettings(min_sharpness=1e9, min_brightness=255))
    assert strict.verdict == "too_dark" and strict.reasons == ("too_dark", "blurry")
    assert capture(image, CaptureSettings(min_area=0.6)).verdict == "no_document"


def test_encode_jpeg_round_trip() -> None:
    page = capture(scene(201, "clean").image, out_width=800).page
    data = encode_jpeg(page, 80)
    assert data[:2] == b"\xff\xd8" and len(data) < 400_000
    back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert back.shape == page.shape
    assert float(np.abs(back.astype(int) - page).mean()) < 4
    with pytest.raises(ValueError, match="quality"):
        encode_jpeg(page, 0)
