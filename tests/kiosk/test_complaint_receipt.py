"""The kiosk's 投诉回执: what is sent, and the printed bytes decoded back."""

from __future__ import annotations

from hall.drivers.printer import render_elements
from hall.kiosk.complaint_receipt import ComplaintReceipt, body, receipt_elements
from tests.escpos_decode import decode

RECEIPT = ComplaintReceipt(
    "TS202606020007",
    "2026-06-02",
    "2026-06-08",
    "abcDEF123_-xyzXYZ00099",
    "http://h/complaint?id=TS202606020007&k=abcDEF123_-xyzXYZ00099",
)


def test_the_body_names_the_topic_in_chinese_and_the_window_when_given() -> None:
    assert body("slow", 3) == {
        "channel": "kiosk",
        "summary": "自助终端投诉：办理效率低（3号窗口）",
        "subject_window": 3,
    }
    assert body("other", None) == {"channel": "kiosk", "summary": "自助终端投诉：其他问题"}


def test_the_printed_receipt_carries_number_key_deadline_and_link() -> None:
    printed = decode(render_elements(receipt_elements("测试大厅", RECEIPT)))
    assert printed.text_lines[:2] == ["测试大厅", "投诉回执"]
    for line in (
        "投诉编号 TS202606020007",
        "查询码 abcDEF123_-xyzXYZ00099",
        "收到日期 2026-06-02",
        "答复期限 2026-06-08",
    ):
        assert line in printed.text_lines
    assert printed.qr == [RECEIPT.follow_url] and printed.cuts == 1
