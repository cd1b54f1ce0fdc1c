"""Ticket printer benchmarks: render a ticket to bytes, and print it over loopback TCP.

* render: ``render_ticket()`` (layout → ESC/POS bytes, GB18030, native QR);
* print: from calling ``receipts.print_ticket()`` on a ``network``
  connection to the last byte of the ticket arriving at the simulated network
  printer (``hall.drivers.sim.printer``) on loopback, including the DLE EOT 1
  and DLE EOT 4 status round trips made before every ticket.

The simulator runs on a thread of this process, so both ends share one clock
(and one GIL). A real printer adds its own processing and print time; a serial
printer adds the line time, shown here for common baud rates.

Usage: ``python bench/bench_printer.py [--tickets 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall.drivers.printer import open_printer  # noqa: E402
from hall.drivers.sim.printer import SimNetworkPrinter  # noqa: E402
from hall.kiosk.receipts import TicketPrint, print_ticket, render_ticket  # noqa: E402


def ticket(i: int) -> TicketPrint:
    """A realistic ticket: Chinese hall and service names, a 60-character QR URL."""
    return TicketPrint(
        hall_name="示范区政务服务中心",
        number=f"A{i % 1000:03d}",
        service_zh="综合受理",
        service_en="General",
        issued_at=datetime(2026, 11, 22, 9, 5),
        ahead=i % 40,
        est_wait_s=60 * (i % 40),
        qr_payload=f"https://hall.example.cn/api/v1/tickets/{i:032x}",
        footer=("过号请重新取号",),
    )


def summary(name: str, samples: list[float]) -> str:
    """One line: median and p99 in milliseconds."""
    p99 = statistics.quantiles(samples, n=100)[98]
    return f"{name}: n={len(samples)} median {statistics.median(samples) * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms"


def bench_render(n: int) -> list[float]:
    """Seconds per render_ticket() call."""
    for i in range(20):  # warm up (profile load, imports)
        render_ticket(ticket(i))
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        render_ticket(ticket(i))
        times.append(time.perf_counter() - t0)
    return times


def bench_print(n: int) -> tuple[list[float], list[float]]:
    """Seconds from print_ticket() to the last byte received; and until it returned."""
    to_last_byte, to_return = [], []
    with SimNetworkPrinter() as sim:
        host, port = sim.address
        with open_printer({"type": "network", "host": host, "port": port}) as printer:
            print_ticket(printer, ticket(0))  # connect before timing
            assert sim.model.wait_for(lambda m: m.cuts == 1, 5)
            for i in range(n):
                t0 = time.perf_counter()
                print_ticket(printer, ticket(i))
                to_return.append(time.perf_counter() - t0)
                if not sim.model.wait_for(lambda m, want=i + 2: m.cuts == want, 5):
                    raise SystemExit("the simulated printer did not receive the ticket")
                to_last_byte.append(sim.model.last_rx - t0)
    return to_last_byte, to_return


def main() -> int:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args()
    size = len(render_ticket(ticket(1)))
    print(f"ticket: {size} bytes of ESC/POS")
    print(summary("render_ticket", bench_render(args.tickets)))
    last_byte, returned = bench_print(args.tickets)
    print(summary("print_ticket -> last byte at sim (network, loopback)", last_byte))
    print(summary("print_ticket call returns (network, loopback)", returned))
    for baud in (9600, 19200, 115200):  # 8N1: 10 bits per byte on the wire
        print(f"serial line time for one ticket at {baud} baud: {size * 10 / baud * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
