"""办事指南 data: the demo guide covers the demo hall; mistakes name file, service and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hall.config import load_config
from hall.kiosk.guide import GuideError, guide_text, load_guide
from tests.support import ROOT

DEMO = ROOT / "hall/kiosk/data/guide.yaml"

ENTRY = {
    "title": {"zh": "社保医保", "en": "Social insurance"},
    "department": {"zh": "人社局", "en": "Social security bureau"},
    "materials": [{"zh": "身份证", "en": "ID card"}],
    "promised_days": 0,
    "fees": {"zh": "不收费", "en": "Free"},
    "consult_phone": "0571-8800 0105",
    "complaint_phone": "12345",
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_demo_guide_covers_every_demo_service() -> None:
    guide = load_guide(DEMO)
    codes = [s.code for s in load_config(ROOT / "config.yaml").services]
    assert sorted(guide) == sorted(codes)
    for code, entry in guide.items():
        assert entry["materials"], code
        assert entry["consult_phone"] and entry["complaint_phone"] == "12345"
        for lang in ("zh", "en"):
            text = guide_text(entry, lang)
            assert text["title"] and text["fees"] and all(m for m, _ in text["materials"])


def test_relative_path_is_found_from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    assert "general" in load_guide("hall/kiosk/data/guide.yaml")


def test_optional_fields_and_defaults(tmp_path: Path) -> None:
    guide = load_guide(write(tmp_path, {"social": ENTRY}))
    entry = guide["social"]
    assert entry["materials"][0]["required"] is True
    assert entry["legal_days"] is None and entry["notes"] is None
    assert guide_text(entry, "en")["materials"] == [("ID card", True)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"materials": [{"zh": "身份证"}]}, "social.materials.0.en: Field required"),
        ({"fees": {"zh": "不收费", "en": "Free", "fr": "Gratuit"}}, "social.fees.fr: Extra"),
        ({"matrials": []}, "social.matrials: Extra inputs"),
        ({"consult_phone": "call us"}, "social.consult_phone: String should match"),
        ({"promised_days": -1}, "social.promised_days: Input should be greater"),
        ({"materials": []}, "social.materials: List should have at least 1 item"),
    ],
)
def test_mistakes_name_file_service_and_field(tmp_path: Path, change: dict, message: str) -> None:
    path = write(tmp_path, {"social": ENTRY | change})
    with pytest.raises(GuideError) as err:
        load_guide(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(GuideError, match="cannot read"):
        load_guide(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("general: [unclosed", encoding="utf-8")
    with pytest.raises(GuideError, match="not valid YAML"):
        load_guide(bad)
    with pytest.raises(GuideError, match="expected a mapping"):
        load_guide(write(tmp_path, ["general"]))


def _zh_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in ([v] if k == "zh" else _zh_texts(v))]
    if isinstance(node, list):
        return [t for v in node for t in _zh_texts(v)]
    return []


def test_demo_guide_chinese_uses_full_width_punctuation() -> None:
    # "综合受理(一窗通办)" broke on the screens as "(一窗通 / 办)"; Chinese text uses （）：，；
    texts = _zh_texts(yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    assert len(texts) > 20
    half = [t for t in texts if any(c in t for c in "()[],;:!?")]
    assert half == []
