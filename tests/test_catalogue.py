"""Matter catalogue: the shipped 事项清单, load errors naming file/matter/field, form checks."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from hall.catalogue import (
    Catalogue,
    CatalogueError,
    FieldType,
    Matter,
    load_catalogue,
    validate_form,
)
from hall.words import CaseType

GOOD_ID = "11010519491231002X"  # the GB 11643 standard's own example


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_shipped_catalogue_publishes_the_six_items(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 12
    assert len({m.code for m in catalogue}) == len(catalogue)
    for m in catalogue:
        # 六公开: basis, conditions, materials, time limits, fees, phones.
        assert m.legal_basis and m.conditions and m.materials and m.fees
        assert m.consult_phone and m.complaint_phone
        assert 0 <= m.promised_days <= m.legal_days
        assert m.mandatory_materials, m.code
        assert {f.name for f in m.form} >= {"applicant_name", "applicant_id", "phone"}, m.code
        assert all(f.label_zh and f.label_en for f in m.form)
    assert {m.case_type for m in catalogue} == {
        CaseType.IMMEDIATE,
        CaseType.PROMISED,
        CaseType.JOINT,
        CaseType.REPORTED,
    }
    assert {f.type for m in catalogue for f in m.form} == set(FieldType)


def test_shipped_catalogue_names_the_seed_matters(catalogue: Catalogue) -> None:
    names = " ".join(m.name for m in catalogue)
    for word in ("结婚证", "户口簿", "驾驶证", "行驶证", "社会保障卡", "三证合一", "食品经营许可"):
        assert word in names
    for word in ("公共场所卫生许可", "代理记账许可", "再生育", "不动产", "港澳"):
        assert word in names


def test_lookups(catalogue: Catalogue) -> None:
    assert catalogue.get("GA-JJ-001").name == "机动车驾驶证补领"
    assert catalogue.get("NOPE") is None
    with pytest.raises(KeyError):
        catalogue["NOPE"]
    assert [m.code for m in catalogue.search("驾驶证")] == ["GA-JJ-001"]
    assert {m.code for m in catalogue.search("不动产")} == {"BDC-BF-001", "BDC-ZY-001"}
    assert [m.code for m in catalogue.search("marriage")] == ["MZ-HY-001"]
    assert [m.code for m in catalogue.search("市场监督 食品")] == ["SJ-SP-001"]
    assert len(catalogue.search("补领")) >= 5
    assert catalogue.search("") == list(catalogue)
    assert {m.code for m in catalogue.by_department("市场监督管理局")} == {"SJ-DJ-001", "SJ-SP-001"}
    assert "不动产登记中心" in catalogue.departments()
    assert catalogue.by_department("没有的部门") == []


def _matter(**changes: Any) -> dict[str, Any]:
    matter: dict[str, Any] = {
        "code": "T-001",
        "name": "测试事项",
        "department": "测试局",
        "case_type": "承诺件",
        "legal_basis": "《中华人民共和国行政许可法》",
        "conditions": ["申请人为本辖区居民"],
        "materials": [
            {"name": "身份证", "mandatory": True, "description": "原件", "camera": True},
        ],
        "legal_days": 20,
        "promised_days": 5,
        "fees": "不收费",
        "consult_phone": "0571-8800 0101",
        "complaint_phone": "12345",
        "form": [
            {
                "name": "applicant_id",
                "label_zh": "身份证号码",
                "label_en": "ID number",
                "type": "id_number",
            },
        ],
    }
    matter.update(changes)
    return matter


def _write(tmp_path: Path, *matters: dict[str, Any]) -> Path:
    path = tmp_path / "matters.yaml"
    path.write_text(
        yaml.safe_dump({"matters": list(matters)}, allow_unicode=True), encoding="utf-8"
    )
    return path


def _error(tmp_path: Path, *matters: dict[str, Any]) -> str:
    path = _write(tmp_path, *matters)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value)
    return str(err.value)


def test_a_minimal_matter_loads(tmp_path: Path) -> None:
    cat = load_catalogue(
        _write(tmp_path, _matter(), _matter(code="T-002", case_type="即办件", promised_days=0))
    )
    assert [m.code for m in cat] == ["T-001", "T-002"]
    assert cat.get("T-001").materials[0].copies == 1


REQUIRED = [name for name, info in Matter.model_fields.items() if info.is_required()]


@pytest.mark.parametrize("field", REQUIRED)
def test_every_mandatory_field_is_required(tmp_path: Path, field: str) -> None:
    entry = _matter()
    del entry[field]
    who = "matter #0" if field == "code" else "matter T-001 (#0)"
    assert f"{who}: {field}: missing (required)" in _error(tmp_path, entry)


@pytest.mark.parametrize("field", ["name", "mandatory", "description", "camera"])
def test_every_mandatory_material_field_is_required(tmp_path: Path, field: str) -> None:
    entry = _matter()
    del entry["materials"][0][field]
    assert f"matter T-001 (#0): materials[0].{field}: missing (required)" in _error(tmp_path, entry)


def test_unknown_key_names_file_matter_and_field(tmp_path: Path) -> None:
    entry = _matter(fee="不收费")
    entry["materials"][0]["camra"] = True
    message = _error(tmp_path, _matter(code="T-000"), entry)
    assert "matter T-001 (#1): fee: unknown field (typo?)" in message
    assert "matter T-001 (#1): materials[0].camra: unknown field (typo?)" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"promised_days": 25}, "promised_days (25) exceeds legal_days (20)"),
        ({"promised_days": 0}, "only a 即办件 may promise 0 days"),
        ({"case_type": "补正"}, "补正 is an outcome"),
        ({"case_type": "加急件"}, "case_type: Input should be"),
        ({"conditions": []}, "conditions: List should have at least 1 item"),
        ({"legal_days": -1}, "legal_days: Input should be greater than or equal to 0"),
        ({"consult_phone": "call us"}, "consult_phone: String should match pattern"),
        ({"code": "bad code!"}, "code: String should match pattern"),
    ],
)
def test_inconsistent_matter_is_rejected(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    assert expected in _error(tmp_path, _matter(**changes))


def test_form_and_material_rules(tmp_path: Path) -> None:
    choice = {"name": "kind", "label_zh": "类别", "label_en": "Kind", "type": "choice"}
    text = {
        "name": "note",
        "label_zh": "备注",
        "label_en": "Note",
        "type": "text",
        "options": ["a"],
    }
    twice = _matter()["materials"] * 2
    message = _error(
        tmp_path,
        _matter(code="T-1", form=[choice]),
        _matter(code="T-2", form=[text]),
        _matter(code="T-3", materials=twice),
        _matter(code="T-4", form=[dict(choice, type="email")]),
        _matter(code="T-1"),
    )
    assert "matter T-1 (#0): form[0]: a choice field needs options" in message
    assert "matter T-2 (#1): form[0]: options are only for choice fields" in message
    assert "matter T-3 (#2): material listed twice: 身份证" in message
    assert "matter T-4 (#3): form[0].type: Input should be" in message
    assert "matter T-1 (#4): code: duplicate of matter #0" not in message  # #0 failed to load
    dup = _error(tmp_path, _matter(), _matter())
    assert "matter T-001 (#1): code: duplicate of matter #0" in dup


@pytest.mark.parametrize(
    "text", ["matters: {}\n", "- a\n", "matters: [\n", "matters: []\nextra: 1\n"]
)
def test_malformed_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "matters.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="matters.yaml: (expected|cannot read)"):
        load_catalogue(path)


FIELDS = [
    {"name": "t", "label_zh": "姓名", "label_en": "Name", "type": "text", "max_length": 4},
    {"name": "n", "label_zh": "面积", "label_en": "Area", "type": "number"},
    {"name": "d", "label_zh": "日期", "label_en": "Date", "type": "date"},
    {
        "name": "c",
        "label_zh": "用途",
        "label_en": "Use",
        "type": "choice",
        "options": ["住宅", "非住宅"],
    },
    {"name": "i", "label_zh": "身份证号码", "label_en": "ID number", "type": "id_number"},
    {"name": "p", "label_zh": "联系电话", "label_en": "Phone", "type": "phone"},
    {"name": "o", "label_zh": "备注", "label_en": "Note", "type": "text", "required": False},
]
FORM_MATTER = Matter.model_validate(_matter(form=FIELDS))
VALID = {"t": "张三", "n": "89.5", "d": "2025-10-08", "c": "住宅", "i": GOOD_ID, "p": "13812345678"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("t", "李四"),
        ("n", 120),
        ("n", "-3"),
        ("n", 0),
        ("d", dt.date(2026, 2, 28)),
        ("c", "非住宅"),
        ("i", GOOD_ID.lower()),
        ("p", "0571-88000101"),
        ("p", "057188000101"),
        ("p", "010-12345678"),
        ("p", "139 1234 5678"),
        ("o", ""),
    ],
)
def test_good_values_pass(field: str, value: Any) -> None:
    assert validate_form(FORM_MATTER, {**VALID, field: value}) == {}


@pytest.mark.parametrize(
    ("field", "value", "zh", "en"),
    [
        ("t", "", "请填写姓名", "Name is required"),
        ("t", "   ", "请填写姓名", "Name is required"),
        ("t", "欧阳娜娜娜", "姓名不能超过4个字", "at most 4 characters"),
        ("n", "八十", "面积应为数字", "Area must be a number"),
        ("n", "nan", "面积应为数字", "must be a number"),
        ("d", "2025-02-30", "日期应为有效日期", "YYYY-MM-DD"),
        ("d", "20251008", "日期应为有效日期", "YYYY-MM-DD"),
        ("c", "商铺", "请从给定选项中选择用途", "choose one of the options"),
        ("i", "110105194912310021", "身份证号码校验位不正确", "check digit"),
        ("i", "1101051949", "身份证号码应为18位", "18 characters"),
        ("p", "12812345678", "联系电话应为11位手机号码或带区号的固定电话", "11-digit mobile"),
        ("p", "88000101", "带区号的固定电话", "area code"),
        ("p", True, "联系电话格式不正确", "invalid value"),
    ],
)
def test_bad_values_are_explained(field: str, value: Any, zh: str, en: str) -> None:
    errors = validate_form(FORM_MATTER, {**VALID, field: value})
    assert list(errors) == [field]
    assert zh in errors[field].zh and en in errors[field].en


def test_every_missing_required_field_is_reported_at_once() -> None:
    errors = validate_form(FORM_MATTER, {"o": "x", "extra": "1"})
    assert set(errors) == {"t", "n", "d", "c", "i", "p", "extra"}
    assert errors["extra"].en == "not a field of this matter's form"


def test_shipped_form_accepts_a_real_application(catalogue: Catalogue) -> None:
    matter = catalogue["BDC-ZY-001"]
    values = {
        "applicant_name": "王强",
        "applicant_id": GOOD_ID,
        "phone": "13912345678",
        "seller_name": "李娜",
        "seller_id": GOOD_ID,
        "location": "某区某路1号2幢301室",
        "price": "215.5",
        "use": "住宅",
    }
    assert validate_form(matter, values) == {}
    broken = copy.deepcopy(values)
    broken["use"] = "商业"
    assert set(validate_form(matter, broken)) == {"use"}


def test_mailing_needs_an_address(catalogue: Catalogue) -> None:
    """邮寄到家 without an address is refused, naming the missing field; 窗口领取 is not."""
    matter = next(m for m in catalogue if any(f.name == "mail_address" for f in m.form))
    values = {f.name: "" for f in matter.form}
    base = set(validate_form(matter, values)) - {"mail_address", "delivery"}
    values["delivery"] = "邮寄到家"
    errors = validate_form(matter, values)
    assert errors["mail_address"].zh == "选择“邮寄到家”时，请填写邮寄地址"
    assert "Mailing address" in errors["mail_address"].en
    values["mail_address"] = "杭州市示范区人民路1号"
    assert "mail_address" not in validate_form(matter, values)
    values["delivery"], values["mail_address"] = "窗口领取", ""
    assert set(validate_form(matter, values)) == base


def test_required_when_names_a_field_and_option_of_the_form(tmp_path: Path) -> None:
    entry = _matter()
    entry["form"] = [
        {"name": "d", "label_zh": "方式", "label_en": "Way", "type": "choice", "options": ["甲"]},
        {
            "name": "a",
            "label_zh": "地址",
            "label_en": "Address",
            "type": "text",
            "required": False,
            "required_when": {"d": ["乙"]},
        },
    ]
    assert "required_when" in _error(tmp_path, entry) and "乙" in _error(tmp_path, entry)
