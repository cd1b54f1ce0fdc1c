"""投诉建议 at the kiosk: the topics a citizen taps, and the receipt printed for them.

A citizen at the kiosk picks what the complaint is about from a few large buttons
(typing sentences on a touch screen is slow for most), optionally the window, and sends
it (``POST /api/v1/complaints`` with channel ``kiosk``). The daemon answers the complaint
number, the reply deadline ("一般3日内做出答复") and a follow key; the receipt carries all
three and a QR code of the follow-up page (``/complaint?id=…&k=…``), printed on the
kiosk's ticket printer and shown on the screen. The key is printed nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hall.drivers.printer import Element

#: Topic code → what is stored as the complaint's summary (always Chinese: the register's).
TOPICS = {
    "wait": "等候时间长",
    "attitude": "服务态度不好",
    "slow": "办理效率低",
    "runs": "多次跑腿",
    "unclear": "告知不清楚",
    "other": "其他问题",
}


def summary(topic: str, window: int | None) -> str:
    """The complaint's text as the register keeps it: the topic (and the window)."""
    text = f"自助终端投诉：{TOPICS[topic]}"
    return f"{text}（{window}号窗口）" if window else text


def body(topic: str, window: int | None) -> dict[str, Any]:
    """The request body of ``POST /complaints`` from the kiosk."""
    out: dict[str, Any] = {"channel": "kiosk", "summary": summary(topic, window)}
    if window:
        out["subject_window"] = window
    return out


@dataclass(frozen=True)
class ComplaintReceipt:
    """What the daemon answered: the number, the deadline, the key and its link."""

    id: str
    received_on: str
    due_on: str
    follow_key: str
    follow_url: str

    @classmethod
    def of(cls, answer: dict[str, Any]) -> ComplaintReceipt:
        """From the daemon's 201 answer."""
        return cls(
            answer["id"],
            answer["received_on"],
            answer["due_on"],
            answer["follow_key"],
            answer["follow_url"],
        )


def receipt_elements(hall_name: str, receipt: ComplaintReceipt) -> list[Element]:
    """The printed 投诉回执, top to bottom."""
    return [
        Element("text", hall_name, bold=True),
        Element("text", "投诉回执", bold=True, double=True),
        Element("feed"),
        Element("text", f"投诉编号 {receipt.id}"),
        Element("text", f"查询码 {receipt.follow_key}"),
        Element("text", f"收到日期 {receipt.received_on}"),
        Element("text", f"答复期限 {receipt.due_on}"),
        Element("qr", receipt.follow_url),
        Element("text", "扫码查询处理情况和答复"),
        Element("text", "请妥善保管本回执"),
        Element("cut"),
    ]
