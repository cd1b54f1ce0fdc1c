"""Generated camera scenes for the document capture tests and benchmark.

A scene is a 1280x720 BGR frame as a kiosk camera would see it: a rendered
Chinese page (application form, ID card copy or certificate) warped by a known
homography onto a desk background (wood, dark counter, patterned cloth) with a
few objects lying around, under uneven light, with defocus, sensor noise and
JPEG compression. Faults are added on request: blur (Gaussian or motion),
a specular glare spot on the page, a dim room, or no page at all.

Everything is drawn from ``numpy.random.default_rng(seed)``, so a seed always
gives the same pixels and the tests need no binary fixtures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
PAGE_W, PAGE_H = 840, 1188  # A4 at about 100 dpi
SCENE_W, SCENE_H = 1280, 720
#: The title band of every page template (x0, y0, x1, y1), in page pixels.
TITLE_BOX = (60, 50, 780, 130)
TEMPLATES = ("form", "id_copy", "certificate")
BACKGROUNDS = ("wood", "counter", "cloth")
KINDS = ("clean", "blur", "glare", "dark", "empty")


@dataclass(frozen=True)
class Scene:
    """One generated frame and what is known about it."""

    image: np.ndarray  # BGR uint8, SCENE_H x SCENE_W
    kind: str
    background: str
    template: str | None
    homography: np.ndarray | None  # page pixels -> scene pixels; None when no page

    def page_corners(self) -> np.ndarray:
        """The true page corners in the scene (tl, tr, br, bl), float32 4x2."""
        pts = np.float32([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]])
        return cv2.perspectiveTransform(pts[None], self.homography)[0]


@functools.cache
def render_page(template: str = "form") -> np.ndarray:
    """Render one A4 page template as a BGR image (PAGE_H x PAGE_W), cached."""
    img = Image.new("RGB", (PAGE_W, PAGE_H), (246, 245, 240))
    d = ImageDraw.Draw(img)
    title_font = ImageFont.truetype(FONT, 46)
    font = ImageFont.truetype(FONT, 24)
    small = ImageFont.truetype(FONT, 20)
    ink = (25, 25, 30)
    title = {
        "form": "营业执照设立登记申请书",
        "id_copy": "居民身份证复印件",
        "certificate": "不动产权证书",
    }[template]
    x0, y0, x1, y1 = TITLE_BOX
    tw = d.textlength(title, font=title_font)
    d.text(((x0 + x1 - tw) / 2, y0 + 10), title, font=title_font, fill=ink)
    y = 170
    if template == "form":
        d.text(
            (70, y), "申请编号：SL-2026-000731      受理机关：市场监督管理局", font=small, fill=ink
        )
        y += 50
        rows = ["名    称", "住    所", "法定代表人", "注册资本", "经营范围", "联系电话"]
        values = ["示范市智联科技有限公司", "示范市高新区创业路88号", "张三", "伍拾万元整", "", ""]
        d.rectangle((70, y, 770, y + 60 * len(rows)), outline=ink, width=3)
        for i, (k, v) in enumerate(zip(rows, values, strict=True)):
            ry = y + 60 * i
            if i:
                d.line((70, ry, 770, ry), fill=ink, width=2)
            d.text((85, ry + 16), k, font=font, fill=ink)
            d.text((280, ry + 16), v, font=font, fill=(20, 30, 90))
        d.line((260, y, 260, y + 60 * len(rows)), fill=ink, width=2)
        y += 60 * len(rows) + 40
        for line in [
            "本人承诺所提交的申请材料真实、合法、有效，复印件与原件一致，",
            "如有虚假，愿承担相应的法律责任。本申请书所填内容须与营业执照",
            "核准内容一致，材料不全或不符合法定形式的，一次性告知需补正内容。",
            "申请人应当对提交材料的真实性负责，并按规定接受监督检查。",
        ]:
            d.text((70, y), line, font=small, fill=ink)
            y += 38
        y += 60
        d.text((70, y), "申请人签字：____________    日期：____年___月___日", font=font, fill=ink)
    elif template == "id_copy":
        for top, label in ((220, "正面"), (640, "反面")):
            d.rounded_rectangle((190, top, 650, top + 290), radius=18, outline=ink, width=3)
            d.text((210, top + 20), f"身份证{label}", font=font, fill=ink)
            for k in range(5):
                d.line((210, top + 80 + 38 * k, 460, top + 80 + 38 * k), fill=(90, 90, 95), width=6)
            d.rectangle((490, top + 70, 630, top + 240), fill=(170, 170, 175))
        d.text((190, 1000), "此复印件仅供办理营业执照使用，再复印无效", font=font, fill=ink)
        d.text((190, 1060), "签字：____________", font=font, fill=ink)
    else:
        d.rectangle((40, 30, 800, 1158), outline=(40, 90, 40), width=6)
        d.rectangle((52, 42, 788, 1146), outline=(40, 90, 40), width=2)
        for i, line in enumerate(
            ["权 利 人", "共有情况", "坐    落", "不动产单元号", "权利类型", "面    积"]
        ):
            d.text((90, 200 + 90 * i), line, font=font, fill=ink)
            d.line((260, 232 + 90 * i, 760, 232 + 90 * i), fill=ink, width=2)
        d.ellipse((520, 850, 720, 1050), outline=(40, 40, 200), width=8)
        d.text((560, 935), "登记机构", font=font, fill=(40, 40, 200))
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: int) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a small random grid scaled up smoothly."""
    h, w = shape
    small = rng.random((h // cell + 2, w // cell + 2)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _background(rng: np.random.Generator, name: str) -> np.ndarray:
    """A float32 BGR desk background in [0, 255]."""
    h, w = SCENE_H, SCENE_W
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if name == "wood":
        warp = _smooth_noise(rng, (h, w), 160) * 60
        grain = np.sin((yy + warp) / rng.uniform(4, 9) + _smooth_noise(rng, (h, w), 40) * 3)
        v = 0.65 + 0.15 * grain + 0.2 * _smooth_noise(rng, (h, w), 90)
        base = np.float32([40, 95, 160]) * rng.uniform(0.8, 1.2)
        img = v[..., None] * base
    elif name == "counter":
        v = 38 + 14 * _smooth_noise(rng, (h, w), 120) + rng.normal(0, 6, (h, w))
        img = np.repeat(v[..., None], 3, axis=2).astype(np.float32)
        img[..., 0] += 6  # a slightly blue-grey stone
    else:  # a plaid cloth with light and dark stripes, at a random angle
        a = rng.uniform(0, np.pi)
        u = xx * np.cos(a) + yy * np.sin(a)
        v = -xx * np.sin(a) + yy * np.cos(a)
        p = rng.uniform(40, 80)
        s1 = (np.mod(u, p) < p * 0.35).astype(np.float32)
        s2 = (np.mod(v, p) < p * 0.35).astype(np.float32)
        c0, c1, c2 = (rng.uniform(40, 200, 3).astype(np.float32) for _ in range(3))
        img = c0 * (1 - s1[..., None]) * (1 - s2[..., None])
        img += c1 * (s1 * (1 - s2))[..., None] + c2 * s2[..., None]
        img *= (0.85 + 0.3 * _smooth_noise(rng, (h, w), 8))[..., None]  # weave texture
    # Clutter: a pen, a phone, a coin lying on the desk.
    for _ in range(int(rng.integers(1, 4))):
        c = (float(rng.uniform(0, w)), float(rng.uniform(0, h)))
        size = (float(rng.uniform(20, 160)), float(rng.uniform(8, 90)))
        box = cv2.boxPoints((c, size, float(rng.uniform(0, 180)))).astype(np.int32)
        cv2.fillConvexPoly(img, box, tuple(float(x) for x in rng.uniform(10, 120, 3)), cv2.LINE_AA)
    return img


def _homography(rng: np.random.Generator) -> np.ndarray:
    """A random page->scene homography: scale, rotation, tilt, inside the frame."""
    src = np.float32([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]])
    for _ in range(200):
        height = rng.uniform(0.55, 0.9) * SCENE_H
        width = height * PAGE_W / PAGE_H
        a = np.deg2rad(rng.uniform(-25, 25))
        rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        box = (src / [PAGE_W, PAGE_H] - 0.5) * [width, height]
        box += rng.uniform(-0.06, 0.06, (4, 2)) * [width, height]  # perspective tilt
        centre = [rng.uniform(0.3, 0.7) * SCENE_W, rng.uniform(0.45, 0.55) * SCENE_H]
        dst = (box @ rot.T + centre).astype(np.float32)
        if dst[:, 0].min() > 10 and dst[:, 1].min() > 10:
            if dst[:, 0].max() < SCENE_W - 10 and dst[:, 1].max() < SCENE_H - 10:
                return cv2.getPerspectiveTransform(src, dst)
    raise RuntimeError("no homography fits the frame")


def make_scene(seed: int, kind: str = "clean", background: str | None = None) -> Scene:
    """Generate scene ``seed`` of ``kind`` (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown scene kind {kind!r}")
    rng = np.random.default_rng(seed)
    background = background or BACKGROUNDS[seed % len(BACKGROUNDS)]
    img = _background(rng, background)
    template = homography = None
    if kind != "empty":
        template = TEMPLATES[(seed // len(BACKGROUNDS)) % len(TEMPLATES)]
        homography = _homography(rng)
        page = render_page(template).astype(np.float32)
        size = (SCENE_W, SCENE_H)
        warped = cv2.warpPerspective(page, homography, size, flags=cv2.INTER_AREA)
        mask = cv2.warpPerspective(np.ones(page.shape[:2], np.float32), homography, size)
        # A soft shadow below and to the right of the page.
        shadow = cv2.GaussianBlur(np.roll(mask, (6, 8), axis=(0, 1)), (0, 0), 6)
        img *= (1 - 0.35 * shadow)[..., None]
        img = img * (1 - mask[..., None]) + warped * mask[..., None]
    # Uneven light: a linear ramp times a vignette; a dim room for "dark".
    yy, xx = np.mgrid[0:SCENE_H, 0:SCENE_W].astype(np.float32)
    ramp = (
        1
        + rng.uniform(-0.15, 0.15) * (xx / SCENE_W - 0.5)
        + rng.uniform(-0.1, 0.1) * (yy / SCENE_H - 0.5)
    )
    r2 = ((xx - SCENE_W / 2) / SCENE_W) ** 2 + ((yy - SCENE_H / 2) / SCENE_H) ** 2
    # Auto exposure puts paper at about 180-230 grey; a dim room leaves it near 40.
    gain = rng.uniform(0.15, 0.25) if kind == "dark" else rng.uniform(0.8, 1.0)
    img *= (gain * ramp * (1 - 0.5 * r2))[..., None]
    if kind == "glare":
        # A specular reflection of the ceiling light: saturates a spot on the page.
        cx, cy = rng.uniform(0.25, 0.75) * PAGE_W, rng.uniform(0.2, 0.8) * PAGE_H
        (gx, gy) = cv2.perspectiveTransform(np.float32([[[cx, cy]]]), homography)[0, 0]
        ax, ay = rng.uniform(45, 90), rng.uniform(30, 60)
        a = rng.uniform(0, np.pi)
        u = ((xx - gx) * np.cos(a) + (yy - gy) * np.sin(a)) / ax
        v = (-(xx - gx) * np.sin(a) + (yy - gy) * np.cos(a)) / ay
        img += (rng.uniform(400, 600) * np.exp(-((u**2 + v**2) ** 1.5)))[..., None]
    img = img.clip(0, 255)
    if kind == "blur":
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(2.0, 3.5))
        else:
            n = int(rng.integers(11, 21))
            k = np.zeros((n, n), np.float32)
            k[n // 2, :] = 1 / n
            rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1)
            k = cv2.warpAffine(k, rot, (n, n))
            img = cv2.filter2D(img, -1, k / k.sum())
    else:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 0.9))  # a real lens is never perfect
    img += rng.normal(0, rng.uniform(2, 4), img.shape).astype(np.float32)
    frame = img.clip(0, 255).astype(np.uint8)
    # USB cameras stream MJPEG: keep its block artefacts in the test frames.
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return Scene(frame, kind, background, template, homography)


def scenes(kind: str, count: int, start: int = 0) -> list[Scene]:
    """``count`` scenes of ``kind`` with seeds ``start`` .. ``start + count - 1``."""
    return [make_scene(seed, kind) for seed in range(start, start + count)]
