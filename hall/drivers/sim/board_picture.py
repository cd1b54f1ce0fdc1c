"""The LED board simulator's pictures: board text drawn as red LEDs on black, one dot per LED.

:class:`LedRenderer` draws with PIL (imported when drawing) in the CJK font
``FONT_PATH``; without the font it raises :class:`FontMissing`, and the
simulator (``board.py``) goes on decoding without pictures.
"""

from __future__ import annotations

from pathlib import Path

from hall.drivers.errors import DriverError

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LIT = (255, 32, 16)
UNLIT = (40, 0, 0)


class FontMissing(DriverError):
    """The CJK font needed to draw board pictures is not installed."""


class LedRenderer:
    """Draw board text as an LED matrix picture: one dot per LED."""

    def __init__(self, font_path: Path = FONT_PATH, dot: int = 6) -> None:
        """Raise FontMissing if ``font_path`` does not exist."""
        if not Path(font_path).is_file():
            raise FontMissing(
                f"Chinese font {font_path} not found: install fonts-wqy-microhei "
                "(board pictures are disabled, decoding goes on)"
            )
        self.font_path = Path(font_path)
        self.dot = dot

    def render(self, text: str, rows: int = 16, min_width: int = 0):
        """Return a PIL image of ``text`` (lines split on newline), ``rows`` LEDs a line."""
        from PIL import Image, ImageDraw, ImageFont

        font = ImageFont.truetype(str(self.font_path), size=rows)
        lines = text.split("\n")
        width = max([min_width, 1] + [int(font.getlength(ln)) + 1 for ln in lines])
        mask = Image.new("L", (width, rows * len(lines)), 0)
        draw = ImageDraw.Draw(mask)
        for i, line in enumerate(lines):
            draw.text((0, i * rows + rows / 2), line, font=font, fill=255, anchor="lm")
        pixels = mask.load()
        d = self.dot
        out = Image.new("RGB", (mask.width * d, mask.height * d), (0, 0, 0))
        dots = ImageDraw.Draw(out)
        for y in range(mask.height):
            for x in range(mask.width):
                colour = LIT if pixels[x, y] >= 128 else UNLIT
                dots.ellipse((x * d, y * d, x * d + d - 2, y * d + d - 2), fill=colour)
        return out
