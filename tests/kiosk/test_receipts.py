"""What a printed ticket says (hall.kiosk.receipts): kind, waiting area, the wait in minutes.

The exact ESC/POS bytes of a ticket are tested with the driver
(tests/drivers/printer/test_printer.py), which builds its tickets here.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from hall.kiosk.receipts import (
    TicketPrint,
    keyed_link,
    render_ticket,
    ticket_lines,
    wait_minutes_range,
    wait_text,
)
from tests.escpos_decode import decode

URL = "https://hall.example.cn/t/3f2a9c0e8b7d4e1f"


def make_ticket(**changes) -> TicketPrint:
    """A ticket of 示范区政务服务中心 with ``changes`` applied."""
    fields = dict(
        hall_name="示范区政务服务中心",
        number="A001",
        service_zh="综合受理",
        service_en="General",
        issued_at=datetime(2026, 11, 22, 9, 5, 41),
        ahead=3,
        est_wait_s=900,
        qr_payload=URL,
        footer=("过号请重新取号", "请妥善保管本凭条"),
    )
    return TicketPrint(**(fields | changes))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "预计等候不到1分钟"),
        (29, "预计等候不到1分钟"),
        (30, "预计等候约1分钟"),
        (900, "预计等候约15分钟"),
        (929, "预计等候约15分钟"),
        (930, "预计等候约16分钟"),
        (-5, "预计等候不到1分钟"),
    ],
)
def test_wait_text_rounds_to_minutes(seconds, text):
    assert wait_text(seconds) == text


def test_priority_ticket_prints_its_kind_and_waiting_area():
    ticket = make_ticket(kind="priority", area="综合受理区、不动产登记区")
    out = decode(render_ticket(ticket))
    assert out.text_lines == ticket_lines(ticket)
    assert "优先办理（绿色通道）" in out.text_lines
    assert "请到 综合受理区、不动产登记区 等候" in out.text_lines
    assert "优先办理（绿色通道）" in out.bold
    appointment = decode(render_ticket(make_ticket(kind="appointment", area="")))
    assert "预约号" in appointment.text_lines
    assert not any("等候区" in line or "请到" in line for line in appointment.text_lines)
    normal = decode(render_ticket(make_ticket()))
    assert not any("优先" in line or "预约" in line for line in normal.text_lines)


def test_printed_wait_is_a_range_when_uncertain_and_never_soon_with_people_ahead():
    ranged = make_ticket(ahead=4, est_wait_s=450, est_wait_range_s=(300, 600))
    assert "预计等候约5–10分钟" in decode(render_ticket(ranged)).text_lines
    same = make_ticket(ahead=4, est_wait_s=430, est_wait_range_s=(420, 440))
    assert "预计等候约7分钟" in ticket_lines(same)  # both ends round to 7: no "7–7"
    # People ahead and a daemon estimate under a minute: at least "about 1 minute".
    ahead = make_ticket(ahead=2, est_wait_s=0)
    assert "预计等候约1分钟" in decode(render_ticket(ahead)).text_lines


@pytest.mark.parametrize(
    ("ahead", "seconds", "range_s", "minutes"),
    [
        (0, 0, None, (0, 0)),
        (3, 900, None, (15, 15)),  # no range from the daemon: its single estimate
        (3, 900, (600, 1200), (10, 20)),
        (3, 900, (1200, 600), (10, 20)),  # given the wrong way round
        (3, 900, (880, 920), (15, 15)),  # both ends round to the same minute
        (1, 10, (0, 20), (1, 1)),  # someone ahead: never under a minute
        (2, 0, (0, 200), (1, 3)),
    ],
)
def test_wait_minutes_range(ahead, seconds, range_s, minutes):
    assert wait_minutes_range(ahead, seconds, range_s) == minutes


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        (URL, f"{URL}?k=Ab-_9"),
        ("http://h/progress?receipt=ZZ01", "http://h/progress?receipt=ZZ01&k=Ab-_9"),
        ("http://h/t/1#top", "http://h/t/1?k=Ab-_9#top"),
    ],
)
def test_the_rating_key_joins_the_printed_link_as_k(url: str, linked: str) -> None:
    assert keyed_link(url, "Ab-_9") == linked
    assert keyed_link(url, None) == keyed_link(url, "") == url  # no key: the link as it was
