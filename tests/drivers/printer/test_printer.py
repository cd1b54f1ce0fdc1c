"""Ticket printer driver: layout, exact Chinese-mode bytes, DLE EOT parsing, refusing to print."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from hall.drivers.errors import PaperOut, PrinterOffline
from hall.drivers.printer import (
    FS_CHINESE_OFF,
    FS_CHINESE_ON,
    UNKNOWN_DETAIL,
    TicketPrinter,
    chinese_text,
    open_printer,
    parse_status,
)
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.drivers.status import DeviceStatus
from hall.kiosk.receipts import print_ticket, render_ticket, ticket_lines
from tests.escpos_decode import decode
from tests.kiosk.test_receipts import URL, make_ticket


def test_chinese_text_is_framed_gb18030_exactly():
    # 过 = B9 FD, 号 = BA C5 in GB18030 (GBK range).
    assert chinese_text("过号") == b"\x1c\x26\xb9\xfd\xba\xc5\x1c\x2e"
    assert FS_CHINESE_ON == b"\x1c&" and FS_CHINESE_OFF == b"\x1c."
    assert chinese_text("A001") == b"A001"  # ASCII needs no Chinese mode
    # Outside GBK: GB18030 four-byte form (U+20000 = 95 32 82 36).
    assert chinese_text("\U00020000") == b"\x1c\x26\x95\x32\x82\x36\x1c\x2e"
    assert decode(chinese_text("号码A1\U00020000") + b"\n").lines == ["号码A1\U00020000"]


def test_rendered_ticket_decodes_to_its_lines_and_qr():
    ticket = make_ticket()
    data = render_ticket(ticket)
    out = decode(data)
    assert out.text_lines == ticket_lines(ticket)
    assert out.text_lines == [
        "示范区政务服务中心",
        "A001",
        "综合受理",
        "General",
        "前面还有3人等候",
        "预计等候约15分钟",
        "取号时间 2026-11-22 09:05",
        "扫码查看排队进度",
        "过号请重新取号",
        "请妥善保管本凭条",
    ]
    assert out.qr == [URL] and out.qr_printed == 1
    assert out.cuts == 1 and out.unknown == []
    assert out.double == ["A001"]
    assert out.bold == ["示范区政务服务中心", "A001"]
    assert set(out.aligns) == {1}  # everything centred
    assert data.startswith(b"\x1b@")  # ESC @ first
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines past the cutter, full cut
    assert b"\x1d!\x11" + b"\x1bE\x01" + b"\x1ba\x01" + b"A001\n" in data  # GS ! 2x2, bold
    hall = FS_CHINESE_ON + "示范区政务服务中心".encode("gb18030") + FS_CHINESE_OFF + b"\n"
    assert hall in data
    # The QR payload is stored with GS ( k pL pH 49 80 48 d1..dk: pL pH = k + 3.
    stored = b"\x1d(k" + (len(URL) + 3).to_bytes(2, "little") + b"1P0" + URL.encode()
    assert stored in data


def test_decoder_skips_other_commands_by_their_lengths():
    # Images (ESC *, GS v 0, GS ( L), a barcode, styles and status queries between
    # text lines: a wrong parameter length would garble the text that follows.
    d = Dummy(profile="TM-T88V")
    d.hw("INIT")
    d._raw(b"one\n")
    for n, impl in enumerate(("bitImageRaster", "graphics", "bitImageColumn")):
        d.image(Image.new("1", (40, 20)), impl=impl)
        d._raw(f"img{n}\n".encode())
    d.barcode("4006381333931", "EAN13")
    d.line_spacing(40)
    d.set(underline=1, font="b", invert=True, smooth=True, density=3)
    d._raw(b"\x10\x04\x04two\n")
    d.cut(mode="PART")
    d.cashdraw(2)
    d.cut(feed=False)
    out = decode(d.output)
    assert out.text_lines == ["one", "img0", "img1", "img2", "two"]
    assert out.unknown == [] and out.cuts == 2 and out.status_queries == [4]


def test_ticket_without_english_or_footer():
    ticket = make_ticket(service_en=None, footer=(), ahead=0, est_wait_s=0, number="B012")
    out = decode(render_ticket(ticket))
    assert out.text_lines == ticket_lines(ticket)
    assert "General" not in out.text_lines and "前面还有0人等候" in out.text_lines
    assert "预计等候不到1分钟" in out.text_lines and out.double == ["B012"]


@pytest.mark.parametrize(
    ("n", "byte", "flags"),
    [
        (1, 0x12, set()),
        (1, 0x16, {"drawer_pin3_high"}),
        (1, 0x1A, {"offline"}),
        (1, 0x72, set()),  # bits 5 and 6 are undefined for n=1
        (2, 0x12, set()),
        (2, 0x16, {"cover_open"}),
        (2, 0x1A, {"feed_button"}),
        (2, 0x32, {"paper_end_stop"}),
        (2, 0x52, {"error"}),
        (2, 0x76, {"cover_open", "paper_end_stop", "error"}),
        (3, 0x16, {"mechanical_error"}),
        (3, 0x1A, {"autocutter_error"}),
        (3, 0x32, {"unrecoverable_error"}),
        (3, 0x52, {"auto_recoverable_error"}),
        (4, 0x12, set()),
        (4, 0x1E, {"paper_near_end"}),
        (4, 0x72, {"paper_end"}),
        (4, 0x7E, {"paper_near_end", "paper_end"}),
        (4, 0x32, {"paper_end"}),  # one bit of the pair is enough to stop printing
    ],
)
def test_parse_status_bits(n, byte, flags):
    assert parse_status(n, byte) == flags


@pytest.mark.parametrize("byte", [0x00, 0x10, 0x02, 0x13, 0x92, 0xFF])
def test_parse_status_rejects_bytes_that_are_no_status(byte):
    with pytest.raises(ValueError, match="not a DLE EOT"):
        parse_status(1, byte)


@pytest.fixture
def sim() -> SimPrinter:
    return SimPrinter()


def test_print_ticket_on_sim(sim):
    printer = TicketPrinter(sim)
    ticket = make_ticket()
    print_ticket(printer, ticket)
    assert decode(sim.output).text_lines == ticket_lines(ticket)
    assert sim.model.queries == [1, 4]  # asked before sending: online, then paper
    health = printer.health
    assert health.status is DeviceStatus.OK and health.printed == 1 and health.detail == "ready"
    assert health.as_dict()["status"] == "ok"


@pytest.mark.parametrize(
    ("state", "error", "status", "detail"),
    [
        (SimState.PAPER_OUT, PaperOut, DeviceStatus.PAPER_OUT, "paper end"),
        (SimState.COVER_OPEN, PrinterOffline, DeviceStatus.ERROR, "cover open"),
        (SimState.OFFLINE, PrinterOffline, DeviceStatus.OFFLINE, "reports offline"),
        (SimState.ERROR, PrinterOffline, DeviceStatus.ERROR, "autocutter_error"),
        (SimState.SILENT, PrinterOffline, DeviceStatus.OFFLINE, "no reply"),
    ],
)
def test_refuses_to_print_and_sends_nothing(sim, state, error, status, detail):
    sim.model.state = state
    printer = TicketPrinter(sim)
    with pytest.raises(error, match=detail):
        print_ticket(printer, make_ticket())
    assert sim.model.output == b"" and sim.model.refused == b""  # only status queries went
    assert printer.health.status is status and printer.health.printed == 0
    assert printer.status().status is status


def test_paper_out_then_refilled(sim):
    printer = TicketPrinter(sim)
    sim.model.state = "paper_out"
    with pytest.raises(PaperOut):
        print_ticket(printer, make_ticket())
    sim.model.state = "near_end"
    print_ticket(printer, make_ticket(number="A002"))
    assert printer.health.status is DeviceStatus.OK and "near end" in printer.health.detail
    assert decode(sim.output).double == ["A002"] and printer.health.printed == 1


def test_open_printer_sim_and_config_errors():
    with open_printer({"type": "sim", "state": "paper_out"}) as printer:
        assert printer.status().status is DeviceStatus.PAPER_OUT
    with pytest.raises(ValueError, match="printer.type: 'lpt'"):
        open_printer({"type": "lpt"})
    with pytest.raises(ValueError, match="printer.hots: unknown key"):
        open_printer({"type": "network", "hots": "10.0.0.9"})
    with pytest.raises(ValueError, match="'host'"):
        open_printer({"type": "network"})


def test_file_printer_writes_the_ticket_and_cannot_read_status(tmp_path: Path):
    path = tmp_path / "lp0"
    ticket = make_ticket()
    with open_printer({"type": "file", "path": str(path)}) as printer:
        assert printer.status().detail == UNKNOWN_DETAIL
        print_ticket(printer, ticket)
    assert path.read_bytes() == render_ticket(ticket)


def test_file_printer_missing_device_is_offline(tmp_path: Path):
    with open_printer({"type": "file", "path": str(tmp_path / "no" / "lp0")}) as printer:
        with pytest.raises(PrinterOffline, match="lp0"):
            print_ticket(printer, make_ticket())
        assert printer.health.status is DeviceStatus.OFFLINE
        assert "lp0" in printer.health.last_error


def test_usb_needs_pyusb_or_reports_unknown_status():
    config = {"type": "usb", "vendor_id": "0x04b8", "product_id": "0x0202"}
    if importlib.util.find_spec("usb") is None:
        with pytest.raises(ValueError, match="printer \\(usb\\)"):
            open_printer(config)
    else:  # pragma: no cover - pyusb is not a dependency yet
        with open_printer(config) as printer:
            assert printer.status().status in (DeviceStatus.OK, DeviceStatus.OFFLINE)
