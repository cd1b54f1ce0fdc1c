"""Generated camera frames of a printed notice's QR code (办件查询 scans it).

The notice's QR code is rendered as the thermal printer prints it (error
correction L, the printer's module size), on a strip of receipt paper with
text lines around it, then seen by the kiosk camera: the paper lies at an
angle and in perspective on a desk (doc_scenes' backgrounds), under uneven
light, slightly out of focus, with sensor noise and MJPEG compression.
Everything is drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

from tests.vision.doc_scenes import FONT, SCENE_H, SCENE_W, _background

#: Dots per QR module as the notice is printed (hall.drivers.printer: ``qr(..., size=6)``).
PRINTER_MODULE = 6
PAPER_W = 576  # 80 mm paper at 203 dpi


def render_notice_qr(payload: str, module: int = PRINTER_MODULE) -> np.ndarray:
    """The bottom of a notice: text lines, the QR code, a caption (grey, paper white)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    code.add_data(payload)
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=bool)
    qr = np.where(modules, 0, 255).astype(np.uint8)
    qr = np.kron(qr, np.ones((module, module), np.uint8))
    paper = Image.new("L", (PAPER_W, qr.shape[0] + 260), 250)
    draw = ImageDraw.Draw(paper)
    font = ImageFont.truetype(FONT, 24)
    draw.text((20, 20), "咨询电话：0571-8800 0101", fill=20, font=font)
    draw.text((20, 60), "投诉电话：12345", fill=20, font=font)
    paper.paste(Image.fromarray(qr), ((PAPER_W - qr.shape[1]) // 2, 110))
    draw.text((40, qr.shape[0] + 150), "扫码或凭回执编号和身份证号查询办理进度", fill=20, font=font)
    return np.asarray(paper)


def qr_scene(
    payload: str, seed: int, width: float = 0.45, module: int = PRINTER_MODULE
) -> np.ndarray:
    """A 1280x720 BGR camera frame of the notice; ``width``: the paper's share of the frame width."""
    rng = np.random.default_rng(seed)
    img = _background(rng, ("wood", "counter", "cloth")[seed % 3])
    paper = render_notice_qr(payload, module).astype(np.float32)
    h, w = paper.shape
    # Where the paper's corners land: scaled, turned, shifted, with some perspective.
    scale = width * SCENE_W / w
    angle = rng.uniform(-0.5, 0.5)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]) - [w / 2, h / 2]
    placed = (corners * scale) @ rot.T + [SCENE_W / 2, SCENE_H / 2]
    placed += rng.uniform(-0.06, 0.06, (4, 2)) * [w * scale, h * scale]  # the tilt
    homography = cv2.getPerspectiveTransform(
        np.float32(corners + [w / 2, h / 2]), np.float32(placed)
    )
    size = (SCENE_W, SCENE_H)
    warped = cv2.warpPerspective(paper, homography, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(paper.shape, np.float32), homography, size)
    img = img * (1 - mask[..., None]) + warped[..., None] * mask[..., None]
    yy, xx = np.mgrid[0:SCENE_H, 0:SCENE_W].astype(np.float32)
    ramp = (
        1
        + rng.uniform(-0.2, 0.2) * (xx / SCENE_W - 0.5)
        + rng.uniform(-0.1, 0.1) * (yy / SCENE_H - 0.5)
    )
    img *= (rng.uniform(0.75, 0.95) * ramp)[..., None]
    img = cv2.GaussianBlur(img.clip(0, 255), (0, 0), rng.uniform(0.6, 1.0))
    img += rng.normal(0, rng.uniform(2, 4), img.shape).astype(np.float32)
    ok, buf = cv2.imencode(
        ".jpg", img.clip(0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 85]
    )
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)
