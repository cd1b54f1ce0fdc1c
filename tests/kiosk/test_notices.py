"""受理通知书 / 补正材料通知书: promised dates on the real calendar, printed bytes decoded."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest

from hall.catalogue import load_catalogue
from hall.drivers.errors import PaperOut
from hall.drivers.printer import TicketPrinter
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.kiosk.notices import (
    Notice,
    mask_name,
    missing_mandatory,
    notice_elements,
    notice_lines,
    promised_date,
)
from hall.workdays import CalendarError, WorkCalendar
from tests.escpos_decode import decode

CATALOGUE = load_catalogue()
CALENDAR = WorkCalendar.load()
MATTER = CATALOGUE["SJ-DJ-001"]


def notice(captured: list[str], accepted: dt.date = dt.date(2025, 9, 30)) -> Notice:
    missing = missing_mandatory(MATTER, set(captured))
    return Notice(
        hall_name="示范区政务服务中心",
        receipt="ZZ01202509300001",
        matter=MATTER,
        applicant_name="王小明",
        submitted_at=dt.datetime(2025, 9, 30, 22, 15, tzinfo=dt.UTC),
        captured=tuple(captured),
        missing=tuple(missing),
        promised=None if missing else promised_date(CALENDAR, MATTER, accepted),
        progress_url="http://hall.example/progress?r=ZZ01202509300001",
        correct_by=dt.date(2025, 10, 22) if missing else None,
        correct_place="示范区政务服务中心一楼综合受理窗口",
    )


def test_promised_date_counts_working_days_over_a_holiday() -> None:
    days = MATTER.promised_days
    got = promised_date(CALENDAR, MATTER, dt.date(2025, 9, 30))
    assert got == CALENDAR.add_working_days(dt.date(2025, 9, 30), days)
    # National Day 2025: 10-01..10-08 off, so the date lands after the holiday.
    assert got > dt.date(2025, 10, 8)
    with pytest.raises(CalendarError, match="holidays/2099.yaml"):
        promised_date(CALENDAR, MATTER, dt.date(2099, 6, 1))


def test_promised_date_into_a_year_without_a_table_is_counted_and_logged(caplog) -> None:
    """December: the next year's holidays are not out yet; the citizen is not refused."""
    with caplog.at_level(logging.ERROR, logger="hall.kiosk.notices"):
        got = promised_date(CALENDAR, MATTER, dt.date(2026, 12, 31))  # any days: into 2027
    assert got.year == 2027 and got.weekday() < 5
    assert "no holiday table for 2027" in caplog.text


def test_correction_notice_lists_every_missing_item_at_once() -> None:
    mandatory = [m.name for m in MATTER.materials if m.mandatory]
    assert len(mandatory) >= 2
    n = notice(captured=mandatory[:1])
    assert not n.is_acceptance and n.title == "补正材料通知书"
    lines = notice_lines(n)
    for name in mandatory[1:]:
        assert any(name in line for line in lines), name
    assert not any("承诺办结日期" in line for line in lines)


def test_acceptance_notice_printed_and_decoded() -> None:
    mandatory = [m.name for m in MATTER.materials if m.mandatory]
    n = notice(captured=mandatory)
    assert n.is_acceptance
    sim = SimPrinter()
    printer = TicketPrinter(sim)
    printer.print_elements(notice_elements(n), "受理通知书")
    printed = decode(sim.output)
    text = "\n".join(printed.lines)
    assert "受理通知书" in text and "ZZ01202509300001" in text and "王*明" in text
    assert f"承诺办结日期：{n.promised:%Y年%m月%d日}" in text
    assert "王小明" not in text  # the name is masked on paper
    assert printed.qr == [n.progress_url] and printed.cuts == 1
    sim.model.state = SimState.PAPER_OUT
    with pytest.raises(PaperOut):
        printer.print_elements(notice_elements(n))


def test_mask_name() -> None:
    assert [mask_name(x) for x in ["李", "张三", "王小明", "欧阳娜娜"]] == [
        "李",
        "张*",
        "王*明",
        "欧**娜",
    ]


def test_correction_notice_is_truthful_with_deadline_and_place_printed() -> None:
    """Nobody reviewed it: the kiosk checked completeness; a deadline and a place, on paper."""
    mandatory = [m.name for m in MATTER.materials if m.mandatory]
    n = notice(captured=mandatory[:1])
    sim = SimPrinter()
    TicketPrinter(sim).print_elements(notice_elements(n), "补正材料通知书")
    text = "\n".join(decode(sim.output).lines)
    assert "经审查" not in text
    assert "本机自动核对" in text
    assert "请于2025年10月22日前" in text
    assert "补正地点：示范区政务服务中心一楼综合受理窗口" in text
    for line in notice_lines(n):  # full-width punctuation in the Chinese text (a time keeps 22:15)
        assert not re.search(r"[,;()]|[\u4e00-\u9fff]:", line), line
