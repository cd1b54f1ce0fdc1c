"""办事指南 (service guide): what to bring, time limits, fees and phone numbers per service.

The guide is data the hall keeps up to date (``hall/kiosk/data/guide.yaml``),
one entry per service code, every text in zh and en. :func:`load_guide`
checks it once at start and names the file, the service and the field of any
mistake, so a typo never reaches a citizen as an empty line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hall.config.base import read_yaml

#: Relative guide paths are tried from the working directory, then from the repository.
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
PHONE = r"^[0-9][0-9 ()+-]{2,24}$"


class GuideError(ValueError):
    """The guide file cannot be used; the message names file, service and field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """One text in both UI languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Material(Text):
    """One document to bring (申请材料); ``required`` False means only in some cases."""

    required: bool = True


class GuideEntry(_Model):
    """The guide of one service ("六公开": materials, time limits, fees, phones)."""

    title: Text
    department: Text
    conditions: Text | None = None
    materials: list[Material] = Field(min_length=1)
    legal_days: int | None = Field(None, ge=0, description="法定时限, working days")
    promised_days: int = Field(ge=0, description="承诺时限, working days; 0 = 即办 (on the spot)")
    fees: Text
    consult_phone: str = Field(pattern=PHONE, description="咨询电话")
    complaint_phone: str = Field(pattern=PHONE, description="投诉电话")
    notes: Text | None = None


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_absolute() and not path.exists() and (REPO_ROOT / path).exists():
        return REPO_ROOT / path
    return path


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(entry)"


def load_guide(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read and check the guide file: {service code: entry as a plain dict}.

    Raises :class:`GuideError` saying e.g. ``guide.yaml: general.materials.0.en:
    Field required``.
    """
    path = _resolve(path)
    raw = read_yaml(path, GuideError)
    if not isinstance(raw, dict) or not raw:
        raise GuideError(f"{path}: expected a mapping of service code → guide entry")
    guide: dict[str, dict[str, Any]] = {}
    for code, entry in raw.items():
        if not isinstance(code, str):
            raise GuideError(f"{path}: service code {code!r} must be a string")
        try:
            guide[code] = GuideEntry.model_validate(entry).model_dump()
        except ValidationError as exc:
            problems = [f"{code}.{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
            raise GuideError(f"{path}: " + "; ".join(problems)) from None
    return guide


def guide_text(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    """One entry's texts in one language, ready for a screen (None where absent)."""

    def pick(text: dict[str, str] | None) -> str | None:
        return text[lang] if text else None

    return {
        "title": pick(entry["title"]),
        "department": pick(entry["department"]),
        "conditions": pick(entry.get("conditions")),
        "materials": [(pick(m), m["required"]) for m in entry["materials"]],
        "legal_days": entry.get("legal_days"),
        "promised_days": entry["promised_days"],
        "fees": pick(entry["fees"]),
        "consult_phone": entry["consult_phone"],
        "complaint_phone": entry["complaint_phone"],
        "notes": pick(entry.get("notes")),
    }
