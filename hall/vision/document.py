"""Material capture (材料拍摄) for self-service submission (自助申报).

A citizen holds a page (ID card copy, application form, certificate) under the
kiosk camera. :func:`capture` finds the page in the frame
(:func:`find_document`), warps it to an upright rectangle (:func:`rectify`),
measures whether it is readable (:func:`assess`) and returns a verdict with a
stable reason code; the UI turns the code into zh/en text and offers retake or
accept. :func:`encode_jpeg` gives the bytes to store with the submission.

Detection works on a half-size copy of the frame. Candidate outlines come
from a Canny edge map and from "bright, colourless" paper masks at three
levels; each outline is reduced to a convex quadrilateral and kept only if its
area, side ratio and corner angles fit a page and each side separates two
regions with one consistent grey step (wood grain and plaid do not). The
largest such quadrilateral wins, so an inner table, a certificate's printed
frame or the ID card outlines on a copy never beat the page itself; its sides
are then moved onto the strongest step nearby.

Thresholds are in :class:`CaptureSettings`; the defaults come from
measurements on the generated scenes of ``tests/vision/doc_scenes.py``
(figures in the comments).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

A4_ASPECT = 297 / 210  # height / width of an ISO 216 page
#: Reasons in the order they are reported; the first that applies is the verdict.
REASONS = ("no_document", "too_dark", "glare", "blurry")
#: Width at which quality is measured, so figures do not depend on out_width.
ASSESS_WIDTH = 320
_WORK_WIDTH = 640  # detection resolution: 1280x720 frames are halved


@dataclass(frozen=True)
class CaptureSettings:
    """Thresholds for :func:`capture`; the defaults are measured (see comments)."""

    #: Smallest page, as a fraction of the frame area: a page held at arm's
    #: length under a kiosk camera covers 10-35 % of the frame (scenes: 12-32 %).
    min_area: float = 0.05
    #: Largest page fraction: a quad covering the whole frame is the frame border.
    max_area: float = 0.95
    #: Long side / short side, allowed range: A4 is 1.41, an ID card 1.59, a
    #: square form 1.0; perspective tilt adds up to about 15 %.
    max_side_ratio: float = 2.2
    #: Corner angles outside 90 +- this many degrees are not a page seen from above.
    max_corner_skew: float = 40.0
    #: Side contrast score (see _side_contrast) a page outline must reach.
    #: Found pages score 0.97-1.0 (seeds 200-239). A plain count of edge pixels
    #: under the outline, tried first, let quads laid through wood grain and
    #: plaid win; requiring a one-signed step across every side stops them.
    min_edge_support: float = 0.75
    #: Sharpness (see assess) below this is blurry. Measured on seeds 0-39 and
    #: 100-159: in focus (clean, glare, dim) 600-9479, p10 about 1200; Gaussian
    #: sigma 2-3.5 or motion blur of 11-20 px 8-322, p90 about 200. 450 sits
    #: in the gap, about 1.4x from either edge.
    min_sharpness: float = 450.0
    #: Median page grey level below this is too dark. Measured: lit pages
    #: 186-242, a dim room (light at 15-25 %) 35-59.
    min_brightness: float = 100.0
    #: Largest blown-out blob as a fraction of the page above this is glare.
    #: Measured: clean pages 0 (noise on bright paper never survives the
    #: smoothing), specular spots 0.038-0.27; 1 % of a page covers several
    #: characters of body text.
    max_glare: float = 0.01


@dataclass(frozen=True)
class Detection:
    """A page found in a frame: corners (tl, tr, br, bl) in frame pixels."""

    corners: np.ndarray  # float32, 4x2
    area_fraction: float
    edge_support: float


@dataclass(frozen=True)
class Quality:
    """Measured quality of a rectified page."""

    sharpness: float
    brightness: float
    glare: float  # largest blown-out blob / page area
    saturated: float  # all blown-out pixels / page area


@dataclass(frozen=True)
class CaptureResult:
    """Outcome of :func:`capture`: a verdict, its reasons and the page, if any."""

    verdict: str  # "ok" or one of REASONS
    reasons: tuple[str, ...]
    detection: Detection | None = None
    page: np.ndarray | None = None
    quality: Quality | None = None

    @property
    def ok(self) -> bool:
        """True when the page can be accepted as it is."""
        return self.verdict == "ok"

    @property
    def message_key(self) -> str:
        """The UI text key, e.g. ``capture.glare`` (zh/en text is the UI's job)."""
        return f"capture.{self.verdict}"


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Order 4 points tl, tr, br, bl: the top edge is the side whose middle is highest.

    Right for pages turned by less than 45 degrees; beyond that "top" is a guess.
    """
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    c = pts.mean(axis=0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]  # clockwise on screen
    mids = (pts + np.roll(pts, -1, axis=0)) / 2
    top = int(np.argmin(mids[:, 1]))
    return np.roll(pts, -top, axis=0)


def _side_contrast(
    gray: np.ndarray, quad: np.ndarray, offset: float = 4.0, k: float = 25.0
) -> float:
    """How well the quad's sides separate two regions: 0..1, the weakest side counts most.

    Along each side, the grey level ``offset`` px inside minus ``offset`` px
    outside must keep one sign and be at least ``k``. A page edge does so over
    its whole length; a quad laid through wood grain or a plaid cloth does not,
    although it lies on plenty of edge pixels.
    """
    h, w = gray.shape
    centre = quad.mean(axis=0)
    fractions = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        d = b - a
        n = max(int(np.linalg.norm(d) / 2), 8)
        normal = np.float32([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal
        # Skip the ends: corners are often rounded, dog-eared or under a thumb.
        p = a + d * np.linspace(0.08, 0.92, n)[:, None]
        ins = np.rint(p + offset * normal).astype(int)
        out = np.rint(p - offset * normal).astype(int)
        for q in (ins, out):
            q[:, 0] = q[:, 0].clip(0, w - 1)
            q[:, 1] = q[:, 1].clip(0, h - 1)
        diff = gray[ins[:, 1], ins[:, 0]].astype(np.float32) - gray[out[:, 1], out[:, 0]]
        sign = 1.0 if np.median(diff) >= 0 else -1.0
        fractions.append(float(np.mean(diff * sign >= k)))
    return 0.5 * min(fractions) + 0.5 * float(np.mean(fractions))


def _sample(gray: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    q = np.rint(pts).astype(int)
    return gray[q[..., 1].clip(0, h - 1), q[..., 0].clip(0, w - 1)].astype(np.float32)


def _refine(gray: np.ndarray, quad: np.ndarray, reach: int = 5) -> np.ndarray:
    """Move each half of each side to the strongest step within ``reach`` px.

    Contours of the dilated edge map lie a pixel or two inside the page, and a
    hull can take in a strip of a same-coloured cloth stripe; the page's
    boundary is where the grey step across the side is largest. Each side
    becomes the line through its two refined half-side centres.
    """
    centre = quad.mean(axis=0)
    shifts = np.arange(-reach, reach + 1, dtype=np.float32)
    lines = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        d = b - a
        normal = np.float32([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # points into the page
        anchors = []
        for t0, t1 in ((0.1, 0.5), (0.5, 0.9)):
            p = a + d * np.linspace(t0, t1, 12)[:, None]  # 12 points on this half side
            at = p[None] + shifts[:, None, None] * normal  # (shift, point, xy)
            step = _sample(gray, at + 2 * normal) - _sample(gray, at - 2 * normal)
            score = np.abs(step.mean(axis=1))
            anchors.append(p.mean(axis=0) + shifts[int(np.argmax(score))] * normal)
        lines.append((anchors[0], anchors[1] - anchors[0]))
    corners = []
    for (p1, d1), (p2, d2) in zip(np.roll(lines, 1, axis=0), lines, strict=True):
        det = d1[0] * -d2[1] + d2[0] * d1[1]
        if abs(det) < 1e-6:
            return quad  # parallel neighbours: keep the contour's corners
        u = ((p2[0] - p1[0]) * -d2[1] + d2[0] * (p2[1] - p1[1])) / det
        corners.append(p1 + u * d1)
    out = np.float32(corners)
    return out if np.abs(out - quad).max() <= 3 * reach else quad


def _plausible(quad: np.ndarray, settings: CaptureSettings) -> bool:
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    if sides.min() < 20:
        return False
    long_, short = (
        max(sides[0] + sides[2], sides[1] + sides[3]),
        min(sides[0] + sides[2], sides[1] + sides[3]),
    )
    if long_ / short > settings.max_side_ratio:
        return False
    for i in range(4):
        u, v = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
        if abs(np.degrees(np.arccos(np.clip(cos, -1, 1))) - 90) > settings.max_corner_skew:
            return False
    return True


def _quads(mask: np.ndarray, min_px: float, max_px: float):
    """Convex quadrilaterals approximating the contours of ``mask``."""
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for cnt in contours:
        if not min_px <= cv2.contourArea(cnt) <= max_px:
            continue
        hull = cv2.convexHull(cnt)
        peri = cv2.arcLength(hull, True)
        # 2 % of the perimeter absorbs jagged edges; up to 5 % cuts a corner
        # that a finger or a dog-ear has rounded off.
        for eps in (0.02, 0.035, 0.05):
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4:
                yield approx.reshape(4, 2).astype(np.float32)
                break


def find_document(frame: np.ndarray, settings: CaptureSettings | None = None) -> Detection | None:
    """Find the largest plausible page quadrilateral in a BGR frame, or None."""
    s = settings or CaptureSettings()
    scale = min(1.0, _WORK_WIDTH / frame.shape[1])
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    # Stretch to the frame's own range, so a dim room behaves like a lit one.
    lo, hi = np.percentile(gray, (1, 99))
    gray = cv2.convertScaleAbs(gray, alpha=255 / max(hi - lo, 8), beta=-lo * 255 / max(hi - lo, 8))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    masks = [cv2.dilate(cv2.Canny(gray, 30, 90), kernel)]
    # Paper is bright and colourless: threshold V - S at Otsu's level and two
    # levels nearer the paper's own, which cut the page free of light stripes
    # of a cloth or a pale desk that touch it at Otsu's level.
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    paper = cv2.GaussianBlur(cv2.subtract(hsv[..., 2], hsv[..., 1]), (5, 5), 0)
    otsu, _ = cv2.threshold(paper, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    top = float(np.percentile(paper, 99))
    for level in (otsu, otsu + (top - otsu) / 3, otsu + (top - otsu) * 2 / 3):
        mask = cv2.threshold(paper, level, 255, cv2.THRESH_BINARY)[1]
        masks.append(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel))
    frame_px = gray.shape[0] * gray.shape[1]
    min_px, max_px = s.min_area * frame_px, s.max_area * frame_px
    best: tuple[float, np.ndarray, float] | None = None
    for mask in masks:
        for quad in _quads(mask, min_px, max_px):
            quad = order_corners(quad)
            area = cv2.contourArea(quad)
            if best is not None and area <= best[0]:
                continue
            if not _plausible(quad, s):
                continue
            support = _side_contrast(gray, quad)
            if support >= s.min_edge_support:
                best = (area, quad, support)
    if best is not None:
        quad = _refine(gray, best[1])
        support = _side_contrast(gray, quad)
        if support >= s.min_edge_support:  # else the step search went astray: keep the contour
            best = (cv2.contourArea(quad), quad, support)
    if best is None:
        return None
    area, quad, support = best
    return Detection(quad / scale, area / frame_px, support)


def estimate_aspect(corners: np.ndarray) -> float:
    """Height / width of the page from its corners (mean of opposite sides)."""
    tl, tr, br, bl = np.asarray(corners, np.float32)
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(h / w)


def rectify(
    frame: np.ndarray, corners: np.ndarray, out_width: int = 1240, aspect: float | None = None
) -> np.ndarray:
    """Warp the page at ``corners`` (tl, tr, br, bl) to an upright image ``out_width`` wide.

    ``aspect`` is height / width; None takes it from the corners, snapped to A4
    when within 10 % (perspective makes the measured ratio only approximate).
    """
    if aspect is None:
        aspect = estimate_aspect(corners)
        if abs(aspect / A4_ASPECT - 1) < 0.10:
            aspect = A4_ASPECT
    out_h = round(out_width * aspect)
    dst = np.float32([[0, 0], [out_width, 0], [out_width, out_h], [0, out_h]])
    m = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), dst)
    # Bilinear: a page spans 300-650 px of a 720p frame, so the warp enlarges
    # it and bicubic adds no detail, at 4x the cost (120 vs 32 ms at 1240 px).
    return cv2.warpPerspective(
        frame, m, (out_width, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def assess(page: np.ndarray) -> Quality:
    """Measure sharpness, brightness and glare of a rectified page."""
    gray = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    # Leave out a 4 % border: a corner a pixel or two off puts a strip of desk
    # (or the page's own edge, a hard step even when blurred) into the page.
    m = round(0.04 * min(h, w))
    gray = gray[m : h - m, m : w - m]
    size = (ASSESS_WIDTH, max(1, round(gray.shape[0] * ASSESS_WIDTH / gray.shape[1])))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    brightness = float(np.median(small))
    # Blown-out pixels, on a lightly smoothed copy so that sensor noise on
    # bright paper does not count: only a real specular spot stays >= 250.
    blown = (cv2.GaussianBlur(small, (5, 5), 0) >= 250).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(blown, connectivity=8)
    largest = int(stats[1:, cv2.CC_STAT_AREA].max()) if n > 1 else 0
    # Sharpness: variance of the second derivative per tile, 90th percentile.
    # A page is mostly blank paper, so a whole-page figure would call a sparse
    # page blurry; the best tenth of the tiles (where the text is) says whether
    # it is in focus. The derivative is taken along 0, 45, 90 and 135 degrees and
    # the weakest direction counts: motion blur smears one direction only and
    # leaves lines along it (table rules, text baselines) sharp, which fools
    # the plain Laplacian. Grey levels are scaled to paper = 200 first, so dim
    # light alone does not read as blur (too_dark has its own check).
    norm = small.astype(np.float32) * (200.0 / max(brightness, 1.0))
    dxx = cv2.Sobel(norm, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(norm, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(norm, cv2.CV_32F, 1, 1, ksize=3)
    t = ASSESS_WIDTH // 12
    th, tw = small.shape[0] // t, small.shape[1] // t
    scores = []
    for d in (dxx, dyy, 0.5 * (dxx + dyy) + dxy, 0.5 * (dxx + dyy) - dxy):
        tiles = d[: th * t, : tw * t].reshape(th, t, tw, t).var(axis=(1, 3))
        scores.append(float(np.percentile(tiles, 90)))
    sharpness = min(scores)
    return Quality(sharpness, brightness, largest / small.size, float(blown.mean()))


def capture(
    frame: np.ndarray, settings: CaptureSettings | None = None, out_width: int = 1240
) -> CaptureResult:
    """Find, rectify and assess the page in ``frame``; verdict "ok" or a reason code."""
    s = settings or CaptureSettings()
    det = find_document(frame, s)
    if det is None:
        return CaptureResult("no_document", ("no_document",))
    page = rectify(frame, det.corners, out_width)
    q = assess(page)
    reasons = []
    if q.brightness < s.min_brightness:
        reasons.append("too_dark")
    if q.glare > s.max_glare:
        reasons.append("glare")
    if q.sharpness < s.min_sharpness:
        reasons.append("blurry")
    verdict = reasons[0] if reasons else "ok"
    log.debug("capture %s: %s", verdict, q)
    return CaptureResult(verdict, tuple(reasons), det, page, q)


def encode_jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR (or grey) image, for storing with the submission."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, got {quality}")
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("image cannot be encoded as JPEG")
    return buf.tobytes()
