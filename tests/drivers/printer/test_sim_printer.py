"""Simulated printer: stream splitting, replies per state, and the driver over real sockets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hall.drivers.errors import PaperOut, PrinterOffline
from hall.drivers.printer import TicketPrinter, open_printer, parse_status
from hall.drivers.sim.printer import (
    PRINTING_STATES,
    PrinterModel,
    RealtimeSplitter,
    SimNetworkPrinter,
    SimPrinter,
    SimState,
)
from hall.drivers.status import DeviceStatus
from hall.kiosk.receipts import TicketPrint, print_ticket, render_ticket, ticket_lines
from tests.escpos_decode import decode
from tests.support import free_port, wait_until

ROOT = Path(__file__).resolve().parents[3]
TICKET = TicketPrint(
    hall_name="测试大厅",
    number="C042",
    service_zh="不动产登记",
    issued_at=datetime(2026, 11, 22, 14, 30),
    ahead=7,
    est_wait_s=1260,
    qr_payload="https://hall.example.cn/t/00ff",
    footer=("过号请重新取号",),
)


def test_splitter_finds_queries_across_chunk_edges():
    stream = b"ab\x10\x04\x01cd\x10\x04\x04\x10x\x10\x04\x02"
    whole = RealtimeSplitter().feed(stream)
    assert whole == (b"abcd\x10x", [1, 4, 2])
    splitter, data, queries = RealtimeSplitter(), b"", []
    for i in range(len(stream)):  # one byte at a time
        d, q = splitter.feed(stream[i : i + 1])
        data, queries = data + d, queries + q
    assert (data, queries) == whole


@pytest.mark.parametrize("state", [s for s in SimState if s is not SimState.SILENT])
def test_model_replies_are_valid_status_bytes(state):
    replies = PrinterModel(state).receive(
        b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04", RealtimeSplitter()
    )
    assert len(replies) == 4
    flags = [parse_status(n, b) for n, b in zip(range(1, 5), replies, strict=True)]
    assert ("offline" in flags[0]) == (state not in PRINTING_STATES)
    assert ("paper_end" in flags[3]) == (state is SimState.PAPER_OUT)


def test_model_refuses_print_data_when_it_cannot_print():
    model = PrinterModel("paper_out")
    assert model.receive(b"hello\x10\x04\x04", RealtimeSplitter()) == b"\x7e"
    assert model.output == b"" and model.refused == b"hello" and model.queries == [4]
    model.state = "ok"
    model.receive(b"\x1dV\x00", RealtimeSplitter())
    assert model.cuts == 1
    assert PrinterModel("silent").receive(b"\x10\x04\x01", RealtimeSplitter()) == b""


@pytest.fixture
def server() -> Iterator[SimNetworkPrinter]:
    """A simulated network printer on a loopback port, stopped at teardown."""
    with SimNetworkPrinter() as sim:
        yield sim


def network_config(server: SimNetworkPrinter, **extra) -> dict:
    host, port = server.address
    return {"type": "network", "host": host, "port": port, "timeout": 2.0, **extra}


def test_network_printer_prints_over_loopback(server):
    with open_printer(network_config(server)) as printer:
        assert printer.status().status is DeviceStatus.OK
        print_ticket(printer, TICKET)
        print_ticket(printer, TICKET)
        assert server.model.wait_for(lambda m: m.cuts == 2, 5)
        # Without TCP_NODELAY each status query after a ticket waits ~40 ms (Nagle).
        assert printer.connection.device.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    out = decode(server.model.output)
    assert out.text_lines == ticket_lines(TICKET) * 2
    assert out.qr == [TICKET.qr_payload] * 2
    assert server.model.output == render_ticket(TICKET) * 2
    assert server.model.queries == [1, 4] * 3


@pytest.mark.parametrize(
    ("state", "error", "status"),
    [
        ("paper_out", PaperOut, DeviceStatus.PAPER_OUT),
        ("cover_open", PrinterOffline, DeviceStatus.ERROR),
        ("offline", PrinterOffline, DeviceStatus.OFFLINE),
    ],
)
def test_network_printer_refuses_when_the_printer_says_so(server, state, error, status):
    server.model.state = state
    with open_printer(network_config(server)) as printer:
        with pytest.raises(error):
            print_ticket(printer, TICKET)
        assert printer.health.status is status
        server.model.state = "ok"
        print_ticket(printer, TICKET)  # the same connection works once the printer is back
        assert server.model.wait_for(lambda m: m.cuts == 1, 5)
    assert server.model.refused == b""  # the driver sent nothing while it could not print


def test_silent_printer_times_out_as_offline(server):
    server.model.state = "silent"
    with open_printer(network_config(server, timeout=0.2)) as printer:
        with pytest.raises(PrinterOffline, match="status query failed"):
            print_ticket(printer, TICKET)
        server.model.state = "ok"
        print_ticket(printer, TICKET)  # reconnects; a late reply would be drained
        assert server.model.wait_for(lambda m: m.cuts == 1, 5)


def test_network_printer_offline_then_reconnects():
    port = free_port()
    config = {"type": "network", "host": "127.0.0.1", "port": port, "timeout": 1.0}
    with open_printer(config) as printer:
        with pytest.raises(PrinterOffline):
            print_ticket(printer, TICKET)
        assert printer.health.status is DeviceStatus.OFFLINE and printer.health.last_error
        with SimNetworkPrinter(port=port) as sim:
            print_ticket(printer, TICKET)
            assert sim.model.wait_for(lambda m: m.cuts == 1, 5)
        # The printer went away (connection closed): offline, not a socket error.
        with pytest.raises(PrinterOffline):
            print_ticket(printer, TICKET)
        with SimNetworkPrinter(port=port) as sim:
            print_ticket(printer, TICKET)
            assert sim.model.wait_for(lambda m: m.cuts == 1, 5)
        assert printer.health.printed == 2


def test_serial_printer_over_a_pyserial_socket_url(server):
    host, port = server.address
    config = {"type": "serial", "url": f"socket://{host}:{port}", "baudrate": 115200}
    with open_printer(config) as printer:
        print_ticket(printer, TICKET)
        assert server.model.wait_for(lambda m: m.cuts == 1, 5)
        server.model.state = "paper_out"
        with pytest.raises(PaperOut):
            print_ticket(printer, TICKET)
    assert decode(server.model.output).text_lines == ticket_lines(TICKET)


def test_serial_loopback_echo_is_no_status():
    # loop:// hands our own DLE EOT back: 0x10 has the wrong fixed bits, so the
    # driver must not mistake an echoing line (or a wrong device) for a printer.
    with open_printer({"type": "serial", "url": "loop://", "timeout": 0.2}) as printer:
        with pytest.raises(PrinterOffline, match="not a DLE EOT 1 reply"):
            print_ticket(printer, TICKET)
        assert printer.health.status is DeviceStatus.OFFLINE


def test_in_process_sim_shares_a_model_with_the_server(server):
    printer = TicketPrinter(SimPrinter(model=server.model))
    server.model.state = "near_end"
    print_ticket(printer, TICKET)
    assert server.model.cuts == 1 and "near end" in printer.health.detail


def test_command_line_serves_and_stores_bytes(tmp_path: Path):
    port, out = free_port(), tmp_path / "received.bin"
    code = (
        "import argparse, sys; from hall.drivers.sim import printer as p; "
        "ap = argparse.ArgumentParser(); p.add_parser(ap.add_subparsers()); "
        "a = ap.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
    )
    args = ["printer", "--port", str(port), "--out", str(out), "--state", "near_end"]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stderr=subprocess.PIPE,
    )
    try:
        assert "listening" in proc.stderr.readline().decode()
        config = {"type": "network", "host": "127.0.0.1", "port": port}
        with open_printer(config) as printer:
            print_ticket(printer, TICKET)
            assert "near end" in printer.health.detail
        assert wait_until(lambda: out.exists() and out.read_bytes().endswith(b"\x1dV\x00"))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "1 tickets printed" in err.decode()
    assert decode(out.read_bytes()).text_lines == ticket_lines(TICKET)
