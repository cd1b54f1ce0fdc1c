"""Chinese text renders as Chinese, not as empty boxes, in every string the kiosk shows."""

from __future__ import annotations

import yaml
from kivy.uix.label import Label
from PIL import ImageFont

from hall.kiosk.guide import load_guide
from hall.kiosk.i18n import LOCALE_DIR
from hall.kiosk.kivy_setup import cjk_font
from tests.support import ROOT

MISSING = "\U000f0000\U000f0001"  # plane-15 private use: in no font, drawn as .notdef


def pixels(text: str) -> bytes:
    label = Label(text=text, font_size=48)
    label.texture_update()
    assert label.texture is not None, text
    return label.texture.pixels


def test_chinese_label_differs_from_missing_glyph_boxes() -> None:
    qu_hao = pixels("取号")
    assert any(qu_hao[3::4]), "取号 rendered nothing"
    assert qu_hao != pixels(MISSING)
    assert pixels("取") != pixels("号")


def zh_texts() -> list[str]:
    texts = []
    for path in sorted((LOCALE_DIR / "zh").glob("*.yaml")):
        texts += yaml.safe_load(path.read_text(encoding="utf-8")).values()
    for entry in load_guide(ROOT / "hall/kiosk/data/guide.yaml").values():
        for value in entry.values():
            items = value if isinstance(value, list) else [value]
            texts += [item["zh"] for item in items if isinstance(item, dict)]
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    texts += [config["hall"]["name"], config["kiosk"]["name"]]
    texts += [s["name_zh"] for s in config["services"]]
    return texts


def test_every_zh_string_has_its_glyphs_in_the_font() -> None:
    font = ImageFont.truetype(str(cjk_font()), 32, index=0)
    notdef = bytes(font.getmask(MISSING[0]))
    assert any(notdef) and bytes(font.getmask("\U0001f600")) == notdef  # the check can fail
    chars = {c for text in zh_texts() for c in text if not c.isspace()}
    assert len(chars) > 200  # the check covers real text
    missing = sorted(c for c in chars if bytes(font.getmask(c)) == notdef)
    assert not missing, f"no glyph for {missing} in {cjk_font()}"
