"""What a notice to the citizen is made of, whatever its kind, and how its parts are written.

A :class:`Notice` (承诺通知书, 补正材料通知书, 延期告知书, 不予受理通知书, 领取通知) is
a title, (label, value) rows, free paragraphs, a QR payload and a footer: every
text is a :class:`Text`, Chinese first with its English under it. The same
notice is printed on a window's receipt printer (``hall.drivers.printer.notice``)
and laid out as an A4 page (``hall.queue.web.pages.case_notice``); the wording
of each kind is :mod:`hall.queue.cases.notices`. Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hall.idnumber import mask_id

#: English of the kinds of case (hall.words.CaseType values).
KIND_EN = {
    "即办件": "on-the-spot case",
    "承诺件": "case with a promised date",
    "联办件": "joint case (several departments)",
    "上报件": "case referred to a higher authority",
}


@dataclass(frozen=True, slots=True)
class Text:
    """One text in Chinese and in English ('' when the value has no translation: a name)."""

    zh: str
    en: str = ""

    @property
    def en_or_zh(self) -> str:
        """The English, or the Chinese where there is none (names, numbers)."""
        return self.en or self.zh


@dataclass(frozen=True, slots=True)
class Row:
    """One (label, value) line of a notice; ``strong`` ones are printed in bold."""

    label: Text
    value: Text
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice to the citizen, ready to print or lay out (see the module docstring).

    ``kind`` is one of :data:`hall.queue.cases.notices.KINDS`; ``qr`` the payload
    of the QR code (None: no code); ``qr_caption`` what scanning it does;
    ``issued`` the day of the action the notice announces (a reprint shows the
    same day); ``hall`` the hall's name.
    """

    kind: str
    receipt: str
    title: Text
    rows: tuple[Row, ...]
    paragraphs: tuple[Text, ...]
    qr: str | None
    qr_caption: Text | None
    hall: Text
    issued: dt.date
    contacts: tuple[Row, ...] = ()

    @property
    def footer(self) -> tuple[Text, ...]:
        """The last lines: the hall's name and the date issued."""
        return (self.hall, date_text(self.issued, "签发日期", "Issued"))

    def as_dict(self) -> dict[str, Any]:
        """The notice as JSON: GET /api/v1/cases/{receipt}/notices/{kind}."""
        data = asdict(self)
        data["issued"] = self.issued.isoformat()
        data["footer"] = [asdict(t) for t in self.footer]
        return data


@dataclass(frozen=True, slots=True)
class HallInfo:
    """What a notice says about the hall: name, address and phones where configured.

    ``signers`` names the people who approve (把关权): staff id → (name,
    title zh, title en), e.g. the departments' 首席代表 (:meth:`from_config`).
    ``progress_url`` is the 办件查询 link with ``{receipt}`` (config
    ``kiosk.progress_url``), printed when a case's own follow link (with the
    rating key) is not at hand.
    """

    name: str
    name_en: str = ""
    address: str = ""
    phone: str = ""
    complaint_phone: str = ""
    progress_url: str = ""
    signers: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Any, **phones: str) -> HallInfo:
        """From a HallConfig: the hall's name, address and phone, the 首席代表 and deputies.

        ``phones`` (``phone``, ``complaint_phone``) come from the matter's
        catalogue entry (咨询电话, 投诉电话); ``hall.phone`` wins over the matter's.
        """
        staff = {s.id: s.name for s in config.staff}
        signers: dict[str, tuple[str, str, str]] = {}
        for dept in config.departments:
            signers[dept.chief] = (
                staff.get(dept.chief, dept.chief),
                "首席代表",
                "chief representative",
            )
            if dept.deputy:
                name = staff.get(dept.deputy, dept.deputy)
                signers[dept.deputy] = (name, "首席代表(副)", "deputy chief representative")
        return cls(
            name=config.hall.name,
            name_en=config.hall.name_en,
            address=config.hall.address,
            phone=config.hall.phone or phones.get("phone", ""),
            complaint_phone=phones.get("complaint_phone", ""),
            progress_url=config.kiosk.progress_url,
            signers=signers,
        )

    def signer(self, actor: str) -> Text:
        """Who approved, as the notice names them: 首席代表 刘洋, or the actor as recorded."""
        if actor in self.signers:
            name, zh, en = self.signers[actor]
            return Text(f"{zh} {name}", f"{name}, {en}")
        if actor.startswith("manager:"):
            return Text("服务大厅管理人员", "the hall's management")
        return Text(actor)

    def contact_rows(self) -> tuple[Row, ...]:
        """The hall's address and phones, those it has ("提供咨询、联系和监督投诉电话")."""
        rows = []
        if self.address:
            rows.append(Row(Text("地址", "Address"), Text(self.address)))
        if self.phone:
            rows.append(Row(Text("咨询电话", "Enquiries"), Text(self.phone)))
        if self.complaint_phone:
            rows.append(Row(Text("监督投诉电话", "Complaints"), Text(self.complaint_phone)))
        return tuple(rows)


def date_text(day: dt.date | str | None, zh_label: str = "", en_label: str = "") -> Text:
    """2026-10-12 as ``2026年10月12日`` / ``2026-10-12``, with labels when given."""
    if day is None:
        return Text("", "")
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    zh = f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if zh_label:
        return Text(f"{zh_label}：{zh}", f"{en_label}: {day.isoformat()}")
    return Text(zh, day.isoformat())


def days_text(n: int) -> Text:
    """N个工作日 / N working days."""
    return Text(f"{n}个工作日", f"{n} working day{'s' if n != 1 else ''}")


def masked_id(number: str) -> str:
    """The ID number as a notice shows it: 110105********002X (a masked one stays as it is).

    ``mask_id``, the mask of every view of a case (docs/SECURITY.md, "Masks").
    """
    return number if "*" in number else mask_id(number)


def names(case: Mapping[str, Any], key: str) -> Text:
    """A ``{"zh", "en"}`` name of the case view (matter_name, department_name, ...)."""
    value = case.get(key) or {}
    return Text(value.get("zh", ""), value.get("en", ""))


def case_rows(case: Mapping[str, Any]) -> list[Row]:
    """The rows every notice starts with: receipt, matter, department, applicant."""
    applicant = case.get("applicant") or {}
    kind = case.get("kind", "")
    rows = [
        Row(Text("回执编号", "Receipt no."), Text(case["receipt"]), strong=True),
        Row(Text("申请事项", "Matter"), names(case, "matter_name")),
        Row(Text("承办部门", "Department"), names(case, "department_name")),
        Row(Text("办件类型", "Kind of case"), Text(kind, KIND_EN.get(kind, ""))),
        Row(Text("申请人", "Applicant"), Text(applicant.get("name", ""))),
    ]
    if applicant.get("id_number"):
        rows.append(Row(Text("身份证号", "ID number"), Text(masked_id(applicant["id_number"]))))
    rows.append(Row(Text("收件日期", "Received"), date_text(case.get("received_on"))))
    return rows


def event_day(case: Mapping[str, Any], *actions: str) -> dt.date | None:
    """The day of the case's last history event among ``actions`` (None: there is none)."""
    for event in reversed(case.get("history") or []):
        if event.get("action") in actions and event.get("day"):
            return dt.date.fromisoformat(event["day"])
    return None


def last_event(case: Mapping[str, Any], action: str) -> Mapping[str, Any] | None:
    """The case's last history event of ``action``, or None."""
    for event in reversed(case.get("history") or []):
        if event.get("action") == action:
            return event
    return None
