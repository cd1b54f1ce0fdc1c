"""Matter catalogue (事项清单 / 办事指南) for 24-hour self-service submission.

Each matter (事项) publishes the "六公开": legal basis, conditions, materials,
time limits, fees and phone numbers, plus the form the kiosk asks for. The
catalogue is data (``hall/data/matters.yaml``) checked on load: unknown keys,
missing fields and inconsistent limits are errors naming the file, the matter
and the field. :func:`validate_form` checks what a citizen typed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hall.idnumber import IdNumberError, validate_id_number
from hall.words import CaseType

DEFAULT_PATH = Path(__file__).parent / "data" / "matters.yaml"

NonEmpty = Annotated[str, Field(min_length=1)]
Phone = Annotated[str, Field(pattern=r"^[0-9][0-9 -]{2,19}$", description="e.g. 0571-8800 0101")]
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CatalogueError(Exception):
    """The catalogue file cannot be used; the message names file, matter and field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldType(StrEnum):
    """The kinds of form field the kiosk knows how to ask for and check."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    ID_NUMBER = "id_number"
    PHONE = "phone"


class FormField(_Model):
    """One field of a matter's application form (申请表)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="key in the submission")
    label_zh: NonEmpty
    label_en: NonEmpty
    type: FieldType
    required: bool = True
    max_length: int | None = Field(None, ge=1, le=2000, description="characters")
    options: list[NonEmpty] = Field(default_factory=list, description="choices (type choice)")
    required_when: dict[str, list[NonEmpty]] = Field(
        default_factory=dict,
        description="required only when another (choice) field holds one of these options, "
        "e.g. the mailing address when 领证方式 is 邮寄到家",
    )

    @model_validator(mode="after")
    def _options_match_type(self) -> FormField:
        if self.type is FieldType.CHOICE and not self.options:
            raise ValueError("a choice field needs options")
        if self.type is not FieldType.CHOICE and self.options:
            raise ValueError("options are only for choice fields")
        return self


class Material(_Model):
    """A required or optional material (申请材料)."""

    name: NonEmpty
    mandatory: bool
    description: NonEmpty = Field(description="short note: original or copy, what it shows")
    copies: int = Field(1, ge=1, le=20, description="number of copies (份)")
    camera: bool = Field(description="captured by the kiosk camera when submitted on site")


class Matter(_Model):
    """One matter (事项) with its six published items (六公开) and its form."""

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
    name: NonEmpty
    name_en: str = ""
    department: NonEmpty
    case_type: CaseType
    legal_basis: NonEmpty
    conditions: list[NonEmpty] = Field(min_length=1)
    materials: list[Material] = Field(min_length=1)
    legal_days: int = Field(ge=0, le=365, description="法定时限, working days")
    promised_days: int = Field(ge=0, le=365, description="承诺时限, working days")
    fees: NonEmpty = Field(description='收费标准, e.g. "不收费"')
    consult_phone: Phone
    complaint_phone: Phone
    form: list[FormField] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Matter:
        if self.case_type is CaseType.CORRECTION:
            raise ValueError("case_type 补正 is an outcome, not a kind of matter")
        if self.promised_days > self.legal_days:
            raise ValueError(
                f"promised_days ({self.promised_days}) exceeds legal_days ({self.legal_days})"
            )
        if self.promised_days == 0 and self.case_type is not CaseType.IMMEDIATE:
            raise ValueError("only a 即办件 may promise 0 days")
        for kind, names in (
            ("material", [m.name for m in self.materials]),
            ("form field", [f.name for f in self.form]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind} listed twice: {', '.join(twice)}")
        fields = {f.name: f for f in self.form}
        for field in self.form:
            for other, options in field.required_when.items():
                unknown = [o for o in options if o not in getattr(fields.get(other), "options", [])]
                if other not in fields or unknown:
                    raise ValueError(
                        f"form field {field.name}: required_when {other}={options}: "
                        "not a choice field of this form with those options"
                    )
        return self

    @property
    def mandatory_materials(self) -> list[Material]:
        """The materials without which the matter cannot be accepted."""
        return [m for m in self.materials if m.mandatory]


def _describe(error: Mapping[str, Any]) -> str:
    """``materials[1].copies: Input should be ...`` from one pydantic error."""
    path = ""
    for item in error["loc"]:
        path += f"[{item}]" if isinstance(item, int) else f".{item}" if path else str(item)
    message = {
        "extra_forbidden": "unknown field (typo?)",
        "missing": "missing (required)",
    }.get(error["type"], error["msg"].removeprefix("Value error, "))
    return f"{path}: {message}" if path else message


class Catalogue:
    """The loaded matters, in file order, with lookups for the kiosk."""

    def __init__(self, matters: list[Matter], path: Path | None = None) -> None:
        self.matters = tuple(matters)
        self.path = path
        self._by_code = {m.code: m for m in self.matters}

    def __iter__(self) -> Iterator[Matter]:
        return iter(self.matters)

    def __len__(self) -> int:
        return len(self.matters)

    def get(self, code: str) -> Matter | None:
        """The matter with this code, or None."""
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Matter:
        return self._by_code[code]

    def departments(self) -> list[str]:
        """Every department, in the order it first appears."""
        return list(dict.fromkeys(m.department for m in self.matters))

    def by_department(self, department: str) -> list[Matter]:
        """The matters of one department (exact name)."""
        return [m for m in self.matters if m.department == department]

    def search(self, keyword: str) -> list[Matter]:
        """Matters whose name, English name, department or code contain every word typed."""
        words = keyword.casefold().split()
        found = []
        for matter in self.matters:
            text = " ".join((matter.name, matter.name_en, matter.department, matter.code))
            if all(word in text.casefold() for word in words):
                found.append(matter)
        return found


def load_catalogue(path: Path | str = DEFAULT_PATH) -> Catalogue:
    """Read and check the catalogue; every problem found is listed in one CatalogueError."""
    path = Path(path)
    try:
        # libyaml's parser when there is one: the same document, several times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read catalogue: {exc}") from exc
    # Top-level keys starting with "_" only hold YAML anchors shared by matters.
    keys = {k for k in raw if not str(k).startswith("_")} if isinstance(raw, dict) else None
    if keys != {"matters"} or not isinstance(raw["matters"], list):
        raise CatalogueError(f"{path}: expected one top-level key 'matters:' holding a list")
    problems: list[str] = []
    matters: list[Matter] = []
    where: dict[str, int] = {}
    for index, entry in enumerate(raw["matters"]):
        code = entry.get("code") if isinstance(entry, dict) else None
        name = f"matter {code} (#{index})" if code else f"matter #{index}"
        try:
            matter = Matter.model_validate(entry)
        except ValidationError as exc:
            problems += [f"{path}: {name}: {_describe(e)}" for e in exc.errors()]
            continue
        if matter.code in where:
            problems.append(f"{path}: {name}: code: duplicate of matter #{where[matter.code]}")
            continue
        where[matter.code] = index
        matters.append(matter)
    if problems:
        raise CatalogueError("\n".join(problems))
    return Catalogue(matters, path)


class FieldError(NamedTuple):
    """Why one form value was refused, for the citizen (zh) and in English."""

    zh: str
    en: str


def _check_value(field: FormField, text: str) -> FieldError | None:
    """Type check of one non-empty value (already stripped)."""
    zh, en = field.label_zh, field.label_en
    if field.type is FieldType.NUMBER:
        try:
            ok = math.isfinite(float(text))
        except ValueError:
            ok = False
        return None if ok else FieldError(f"{zh}应为数字", f"{en} must be a number")
    if field.type is FieldType.DATE:
        try:
            if _ISO_DATE.match(text) and dt.date.fromisoformat(text):
                return None
        except ValueError:
            pass
        return FieldError(f"{zh}应为有效日期(如2025-10-08)", f"{en}: use a valid YYYY-MM-DD date")
    if field.type is FieldType.CHOICE and text not in field.options:
        return FieldError(f"请从给定选项中选择{zh}", f"{en}: choose one of the options")
    if field.type is FieldType.ID_NUMBER:
        try:
            validate_id_number(text)
        except IdNumberError as exc:
            return FieldError(exc.message_zh, str(exc))
    if field.type is FieldType.PHONE:
        digits = text.replace(" ", "")
        if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
            return FieldError(
                f"{zh}应为11位手机号码或带区号的固定电话",
                f"{en}: enter an 11-digit mobile number or a landline with area code",
            )
    return None


def _required_because(
    matter: Matter, field: FormField, values: Mapping[str, Any]
) -> tuple[FormField, str] | None:
    """The (choice field, option) that makes an optional field required now, if any."""
    for other in matter.form:
        chosen = values.get(other.name)
        if chosen in field.required_when.get(other.name, ()):
            return other, str(chosen)
    return None


def validate_form(matter: Matter, values: Mapping[str, Any]) -> dict[str, FieldError]:
    """Check a filled form; return ``{field name: FieldError}``, empty when all is well.

    Values may be strings (as typed), numbers or dates; a blank value counts as
    not given. Keys that are not fields of the matter are reported too.
    """
    errors: dict[str, FieldError] = {}
    fields = {f.name: f for f in matter.form}
    for key in values:
        if key not in fields:
            errors[key] = FieldError("此项不属于本事项的表单", "not a field of this matter's form")
    for field in matter.form:
        value = values.get(field.name)
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date | None):
            errors[field.name] = FieldError(
                f"{field.label_zh}格式不正确", f"{field.label_en}: invalid value"
            )
            continue
        if value is None:
            text = ""
        else:
            text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if not text:
            if field.required:
                errors[field.name] = FieldError(
                    f"请填写{field.label_zh}", f"{field.label_en} is required"
                )
            elif because := _required_because(matter, field, values):
                other, option = because
                errors[field.name] = FieldError(
                    f"选择“{option}”时，请填写{field.label_zh}",
                    f"{field.label_en} is required when {other.label_en} is “{option}”",
                )
            continue
        if field.max_length is not None and len(text) > field.max_length:
            errors[field.name] = FieldError(
                f"{field.label_zh}不能超过{field.max_length}个字",
                f"{field.label_en}: at most {field.max_length} characters",
            )
            continue
        problem = _check_value(field, text)
        if problem:
            errors[field.name] = problem
    return errors
