"""办件查询 by scanning: the notice's printed QR code read from camera frames.

The payload is the one the printer receives for a real notice (its ESC/POS bytes
decoded), rendered as the printer prints it and seen by a camera at an angle, in
perspective, under uneven light, with blur, noise and JPEG (tests/drivers/qr_scenes.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hall.catalogue import load_catalogue
from hall.config import KioskSection
from hall.drivers.printer import TicketPrinter
from hall.drivers.qrscan import read_qr
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.kiosk.notices import Notice, notice_elements
from hall.kiosk.receipt_qr import ForeignCode, receipt_from_qr
from tests.drivers.qr_scenes import qr_scene
from tests.escpos_decode import decode
from tests.vision.doc_scenes import make_scene

RECEIPT = "ZZ01202509300001"
TEMPLATE = KioskSection().progress_url  # what a kiosk prints unless the hall sets its own


def printed_payload(receipt: str = RECEIPT) -> str:
    """The QR payload of a 补正 notice, as the printer receives it."""
    matter = load_catalogue().get("GA-HZ-001")
    notice = Notice(
        hall_name="示范区政务服务中心",
        receipt=receipt,
        matter=matter,
        applicant_name="王小明",
        submitted_at=dt.datetime(2025, 9, 30, 22, 15, tzinfo=dt.UTC),
        captured=(),
        missing=tuple(m.name for m in matter.materials if m.mandatory),
        promised=None,
        progress_url=TEMPLATE.format(receipt=receipt),
        correct_by=dt.date(2025, 10, 22),
        correct_place="本大厅综合受理窗口",
    )
    sim = SimPrinter(SimState.OK)
    TicketPrinter(sim).print_elements(notice_elements(notice))
    (payload,) = decode(sim.output).qr
    return payload


def test_the_notice_prints_its_progress_link() -> None:
    assert printed_payload() == f"http://127.0.0.1:8765/progress?receipt={RECEIPT}"


@pytest.mark.parametrize(("seed", "width"), [(1, 0.6), (2, 0.45), (3, 0.35), (4, 0.3), (5, 0.5)])
def test_the_notice_qr_is_read_from_a_camera_frame(seed: int, width: float) -> None:
    frame = qr_scene(printed_payload(), seed, width)
    assert frame.shape == (720, 1280, 3)
    text = read_qr(frame)
    assert text == printed_payload()
    assert receipt_from_qr(text, TEMPLATE) == RECEIPT


@pytest.mark.parametrize("kind", ["empty", "clean"])  # a bare desk; a form with text, no code
def test_a_frame_without_a_qr_code_reads_none(kind: str) -> None:
    assert read_qr(make_scene(7, kind).image) is None
    assert read_qr(np.zeros((720, 1280, 3), np.uint8)) is None
    assert read_qr(np.zeros((0, 0, 3), np.uint8)) is None


def test_a_foreign_qr_code_is_read_and_refused_with_a_message() -> None:
    ticket = "http://127.0.0.1:8765/t/42"  # the queue ticket's code, a likely mix-up
    text = read_qr(qr_scene(ticket, 8, 0.45))
    assert text == ticket
    with pytest.raises(ForeignCode, match="不是受理或补正通知书上的查询码") as err:
        receipt_from_qr(text, TEMPLATE)
    assert "not the progress code of a notice" in str(err.value) and ticket in str(err.value)


@pytest.mark.parametrize(
    "payload",
    [
        RECEIPT,  # a bare receipt number
        f"https://zwfw.example.gov.cn/hall/progress?receipt={RECEIPT}",  # printed before a move
        f"http://hall.example/progress/?lang=zh&receipt={RECEIPT}",
        f"http://127.0.0.1:8765/progress?receipt={RECEIPT}&k=Qm9vdGgtMTIzNDU2Nzg5MA",  # rating key
    ],
)
def test_receipt_links_in_other_shapes_are_accepted(payload: str) -> None:
    assert receipt_from_qr(payload, TEMPLATE) == RECEIPT
    assert receipt_from_qr(payload, "http://hall.example/q/{receipt}.html") == RECEIPT


@pytest.mark.parametrize(
    "payload",
    [
        "http://127.0.0.1:8765/progress?receipt=ZZ0120250930",  # too short
        "http://127.0.0.1:8765/progress?receipt=AB01202509300001",
        f"http://127.0.0.1:8765/progress?receipt={RECEIPT}&receipt=ZZ01202509300002",
        f"http://127.0.0.1:8765/evil?receipt={RECEIPT}",
        f"javascript:progress?receipt={RECEIPT}",
        "",
    ],
)
def test_near_misses_are_refused(payload: str) -> None:
    with pytest.raises(ForeignCode):
        receipt_from_qr(payload, TEMPLATE)


def test_the_configured_pattern_is_used() -> None:
    assert (
        receipt_from_qr(
            f"http://hall.example/q/{RECEIPT}.html", "http://hall.example/q/{receipt}.html"
        )
        == RECEIPT
    )
