"""What a self-service submission gives the citizen: 受理通知书 or 补正材料通知书.

Complete mandatory materials → an acceptance notice (受理通知书) with the
receipt number and the promised completion date; anything mandatory missing →
a correction notice (补正材料通知书) listing ALL missing items at once
(一次性告知). The same layout is printed (ESC/POS) and shown on screen.

Promised date (限时办结): working days from the day of acceptance, that day not
counted, statutory holidays skipped and 调休 make-up days counted; a date
outside the loaded holiday tables is an error naming the table to add.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from hall.catalogue import Matter
from hall.drivers.printer import Element
from hall.idnumber import mask_name  # one rule for names (tests import it from here too)
from hall.workdays import WorkCalendar

log = logging.getLogger(__name__)


def promised_date(calendar: WorkCalendar, matter: Matter, accepted: dt.date) -> dt.date:
    """承诺办结日期: ``matter.promised_days`` working days after the day of acceptance.

    Into the year after the last holiday table, counted Monday to Friday (logged):
    in December the next year's table is often not yet published, and a citizen
    must not be refused for want of it (WorkCalendar.add_working_days_provisional).
    """
    day, provisional = calendar.add_working_days_provisional(accepted, matter.promised_days)
    if provisional:
        log.error(
            "no holiday table for %s yet: 承诺办结日期 %s counted Monday-Friday; add it",
            day.year,
            day,
        )
    return day


def missing_mandatory(matter: Matter, captured: set[str]) -> list[str]:
    """Every mandatory material not captured, in catalogue order (一次性告知)."""
    return [m.name for m in matter.materials if m.mandatory and m.name not in captured]


@dataclass(frozen=True)
class Notice:
    """One notice, ready to lay out."""

    hall_name: str
    receipt: str
    matter: Matter
    applicant_name: str
    submitted_at: dt.datetime  # hall local time
    captured: tuple[str, ...]
    missing: tuple[str, ...]
    promised: dt.date | None
    progress_url: str
    #: 补正: bring the missing materials by this day (None: no deadline set), and where.
    correct_by: dt.date | None = None
    correct_place: str = ""

    @property
    def is_acceptance(self) -> bool:
        """受理通知书 when nothing mandatory is missing, else 补正材料通知书."""
        return not self.missing

    @property
    def title(self) -> str:
        """The notice's title."""
        return "受理通知书" if self.is_acceptance else "补正材料通知书"


def notice_elements(n: Notice) -> list[Element]:
    """The notice's layout, top to bottom (printer and screen)."""
    left = "left"
    els = [
        Element("text", n.hall_name, bold=True),
        Element("text", n.title, bold=True, double=True),
        Element("feed"),
        Element("text", f"回执编号：{n.receipt}", align=left, bold=True),
        Element("text", f"申请人：{mask_name(n.applicant_name)}", align=left),
        Element("text", f"申请事项：{n.matter.name}", align=left),
        Element("text", f"受理部门：{n.matter.department}", align=left),
        Element("text", f"提交时间：{n.submitted_at:%Y-%m-%d %H:%M}", align=left),
    ]
    if n.is_acceptance:
        els += [
            Element("text", f"承诺时限：{n.matter.promised_days}个工作日", align=left),
            Element(
                "text",
                f"承诺办结日期：{n.promised:%Y年%m月%d日}"
                if n.promised
                else "承诺办结日期：即时办结",
                align=left,
                bold=True,
            ),
            Element("text", "已提交材料：", align=left),
            *[
                Element("text", f"  {i}. {name}", align=left)
                for i, name in enumerate(n.captured, 1)
            ],
        ]
    else:
        # The kiosk only checks that every mandatory material was given: no one has
        # reviewed the case, so the notice must not say "经审查".
        by = f"请于{n.correct_by:%Y年%m月%d日}前" if n.correct_by else "请"
        els += [
            Element("text", "本机自动核对，您的申请缺少必交材料，", align=left),
            Element("text", f"{by}一次性补正以下材料：", align=left, bold=True),
            *[Element("text", f"  {i}. {name}", align=left) for i, name in enumerate(n.missing, 1)],
        ]
        if n.correct_place:
            els.append(Element("text", f"补正地点：{n.correct_place}", align=left, bold=True))
        els.append(
            Element(
                "text",
                "也可补齐后再次自助申报。工作人员审核后如有其他要求，将另行告知。",
                align=left,
            )
        )
    els += [
        Element("text", f"咨询电话：{n.matter.consult_phone}", align=left),
        Element("text", f"投诉电话：{n.matter.complaint_phone}", align=left),
        Element("qr", n.progress_url),
        Element("text", "扫码或凭回执编号和身份证号查询办理进度"),
        Element("cut"),
    ]
    return els


def notice_lines(n: Notice) -> list[str]:
    """The notice's text lines, for the screen."""
    return [e.text for e in notice_elements(n) if e.kind == "text"]
