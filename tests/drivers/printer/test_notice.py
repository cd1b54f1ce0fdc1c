"""A case's notice on the receipt roll: real ESC/POS bytes decoded back, wrapped to the paper."""

from __future__ import annotations

import json

import pytest

from hall.drivers.errors import PaperOut
from hall.drivers.printer import TicketPrinter, notice_bytes, notice_elements, notice_from_json
from hall.drivers.printer.notice import WIDTH_58MM, WIDTH_80MM, wrap
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.queue.cases.notice_parts import HallInfo
from hall.queue.cases.notices import build_notice
from tests.escpos_decode import decode
from tests.queue.cases.case_views import RECEIPT, case_view, posted_case, returned_case

FOLLOW = f"http://hall.example/progress?receipt={RECEIPT}&k=abcdefghijklmnopqrstuv"
HALL = HallInfo(name="示范区政务服务中心", name_en="Demo District Government Service Center")


def printed_width(line: str) -> int:
    """Columns of font A a line takes, counted independently of the driver.

    GB18030 spends two bytes on a Chinese character and one on ASCII: the columns each prints in.
    """
    return len(line.encode("gb18030"))


def flat(lines: list[str]) -> str:
    """The printed lines run together (a wrapped paragraph reads as one again)."""
    return "".join(line.strip() for line in lines)


def test_promise_notice_decodes_to_its_text_qr_and_cut() -> None:
    notice = build_notice("promise", case_view(follow_url=FOLLOW), HALL)
    out = decode(notice_bytes(notice))
    lines = out.text_lines
    assert lines[0] == "示范区政务服务中心"
    assert out.double == ["承诺通知书"]
    assert "Notice of promised completion" in lines
    # A value with no English (a number, a name) is printed once, after both labels.
    assert f"回执编号 Receipt no.：{RECEIPT}" in lines
    assert f"回执编号 Receipt no.：{RECEIPT}" in out.bold
    assert "承诺办结日期：2026年10月12日" in lines and "承诺办结日期：2026年10月12日" in out.bold
    assert "Promised by: 2026-10-12" in lines
    assert "承诺时限：5个工作日" in lines
    id_number = case_view()["applicant"]["id_number"]
    assert f"身份证号 ID number：110105********{id_number[-4:]}" in lines
    assert id_number not in flat(lines)
    text = flat(lines)
    assert "到时请凭本通知书和申请人本人身份证到服务大厅领件。" in text
    assert "扫码查询办理进度、评价服务" in lines
    assert out.qr == [FOLLOW] and out.qr_printed == 1
    assert out.cuts == 1 and out.unknown == []
    assert lines[-1] == "2026年09月29日"  # issued: the day it was accepted
    assert all(printed_width(line) <= WIDTH_80MM for line in lines)


def test_every_missing_item_is_printed_on_58mm_paper() -> None:
    case = returned_case()
    notice = build_notice("correction", case, HALL)
    out = decode(notice_bytes(notice, WIDTH_58MM))
    # The title is printed double size: half the columns (7 characters, 28 of 32).
    assert printed_width("补正材料通知书") * 2 <= WIDTH_58MM
    assert all(printed_width(line) <= WIDTH_58MM for line in out.text_lines)
    assert max(printed_width(line) for line in out.text_lines) > WIDTH_58MM - 4  # lines fill it
    text = flat(out.text_lines)
    for i, item in enumerate(case["missing"], 1):
        assert f"补正材料{i} Missing item {i}：{item}" in text
    assert "办理时限从补全材料的次日起计算。" in text
    assert out.qr == []  # HALL has no progress link and the case no follow link
    assert out.cuts == 1


def test_posted_pickup_notice_prints_the_tracking_number() -> None:
    out = decode(notice_bytes(build_notice("pickup", posted_case(), HALL)))
    assert "快递单号 Tracking no.：SF1234567890" in out.text_lines
    assert "快递单号 Tracking no.：SF1234567890" in out.bold


def test_print_notice_on_a_sim_printer_and_refusal_when_out_of_paper() -> None:
    sim = SimPrinter()
    notice = build_notice("promise", case_view(follow_url=FOLLOW), HALL)
    TicketPrinter(sim).print_notice(notice)
    out = decode(sim.output)
    assert out.text_lines == decode(notice_bytes(notice)).text_lines
    assert "承诺办结日期：2026年10月12日" in out.text_lines and out.qr == [FOLLOW]
    assert sim.model.queries == [1, 4]  # asked before sending
    empty = SimPrinter(SimState.PAPER_OUT)
    with pytest.raises(PaperOut):
        TicketPrinter(empty).print_notice(notice)
    assert decode(empty.output).text_lines == []


def test_the_notice_json_prints_as_the_notice_does() -> None:
    # What the caller panel does: GET …/notices/{kind} (JSON), print it on the window printer.
    for kind, case in (("correction", returned_case()), ("pickup", posted_case())):
        notice = build_notice(kind, case, HALL)
        data = json.loads(json.dumps(notice.as_dict()))
        assert notice_bytes(data, WIDTH_58MM) == notice_bytes(notice, WIDTH_58MM)
        sim = SimPrinter()
        TicketPrinter(sim).print_notice(data, WIDTH_58MM)
        assert decode(sim.output).text_lines == decode(notice_bytes(notice, WIDTH_58MM)).text_lines
    with pytest.raises(ValueError, match="issued"):
        notice_from_json({"receipt": RECEIPT, "title": {"zh": "x"}})
    with pytest.raises(ValueError, match="title"):
        notice_from_json({"receipt": RECEIPT, "issued": "2026-10-09", "title": "x"})


def test_wrap_breaks_english_at_spaces_and_chinese_anywhere() -> None:
    assert wrap("Please bring the applicant's ID card", 16, "  ") == [
        "Please bring the",
        "  applicant's ID",
        "  card",
    ]
    assert wrap("一二三四五六七八九十", 8) == ["一二三四", "五六七八", "九十"]
    assert wrap("x" * 20, 8) == ["xxxxxxxx", "xxxxxxxx", "xxxx"]
    assert wrap("", 8) == [""]
    # No line starts with a closing mark or ends with an opening one; a date stays whole.
    assert wrap("一二三，四五", 6) == ["一二", "三，四", "五"]
    assert wrap("依据《条例》", 6) == ["依据", "《条例", "》"] or wrap("依据《条例》", 6) == [
        "依据",
        "《条",
        "例》",
    ]
    assert wrap("日期2026年10月12日", 14) == ["日期", "2026年10月12日"]
    with pytest.raises(ValueError, match="16 columns"):
        notice_elements(build_notice("promise", case_view(), HALL), 12)
