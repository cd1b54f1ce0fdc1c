"""Chinese text of the kiosk uses full-width punctuation（）, never "(" or "," beside a Han character.

Half-width brackets let Kivy break "综合受理(一窗通办)" inside the brackets; the
same names go on the printed ticket and the lobby screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

#: A half-width ( ) , : ; ? ! touching a Han character on either side.
HALF_WIDTH_BESIDE_HAN = re.compile(r"[\u3400-\u9fff][(),:;?!]|[(),:;?!][\u3400-\u9fff]")
#: The kiosk's own zh strings (the caller, lobby and self-service files have their owners).
KIOSK_LOCALE = ("kiosk.yaml", "common.yaml")


def half_width_in(text: str) -> list[str]:
    """Every half-width mark beside a Han character in ``text``, with its neighbours."""
    return [m.group(0) for m in HALF_WIDTH_BESIDE_HAN.finditer(text)]


def strings(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) in a YAML tree."""
    if isinstance(node, dict):
        return [item for k, v in node.items() for item in strings(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [item for i, v in enumerate(node) for item in strings(v, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) else []


def test_the_check_finds_half_width_brackets() -> None:
    assert half_width_in("综合受理(一窗通办)") == ["理(", "办)"]
    assert half_width_in("综合受理（一窗通办）") == []
    assert half_width_in("General (one window), A: B") == []


def test_demo_config_chinese_names_use_full_width_punctuation() -> None:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    found = [
        (path, text)
        for path, text in strings(config)
        if ("name" in path.rsplit(".", 1)[-1] or path.endswith(".area")) and half_width_in(text)
    ]
    assert found == []


@pytest.mark.parametrize("name", KIOSK_LOCALE)
def test_zh_kiosk_strings_use_full_width_punctuation(name: str) -> None:
    table = yaml.safe_load((ROOT / "hall/kiosk/locale/zh" / name).read_text(encoding="utf-8"))
    assert [(k, v) for k, v in table.items() if half_width_in(v)] == []


def test_guide_chinese_text_uses_full_width_punctuation() -> None:
    guide = yaml.safe_load(Path(ROOT / "hall/kiosk/data/guide.yaml").read_text(encoding="utf-8"))
    found = [(p, t) for p, t in strings(guide) if ".zh" in p and half_width_in(t)]
    assert found == []
