"""Oversized request bodies: what a 150 MB POST costs the daemon (issue 13).

A real daemon subprocess on loopback. Each scenario sends the request head,
then streams up to 150 MB of body on a raw socket while watching for the
answer, and reports: the status, how long the answer took, how much of the
body the client got to send before the daemon hung up (kernel buffers
included), and the daemon's resident memory (``VmRSS`` before and after, and
its peak ``VmHWM``, from /proc).

Scenarios: no token to the upload route with Content-Length; the same
chunked (no length); a kiosk token over the upload cap; ten anonymous
uploads at once.

Usage: ``python bench/bench_limits.py [--mb 150]``.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import new_daemon  # noqa: E402

MB = 1024 * 1024


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def post(port: int, token: str | None, size: int, chunked: bool) -> tuple[int, float, int]:
    """(status, seconds to the answer, body bytes sent before it) of one oversized POST."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n"
    head = f"POST /api/v1/submissions HTTP/1.1\r\nHost: hall\r\n{auth}{framing}\r\n"
    start = time.perf_counter()
    sock.sendall(head.encode())
    answer: list[bytes] = []

    def read() -> None:
        try:
            answer.append(sock.recv(4096))
        except OSError:
            answer.append(b"")

    reader = threading.Thread(target=read)
    reader.start()
    sent, piece = 0, b"x" * MB
    frame = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
    try:
        while sent < size and reader.is_alive():
            sock.sendall(frame)
            sent += len(piece)
        if chunked and reader.is_alive():
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the daemon hung up
    reader.join(120)
    took = time.perf_counter() - start
    sock.close()
    status = int(answer[0].split()[1]) if answer and answer[0] else 0
    return status, took, sent


def main() -> None:
    """Run each scenario on one daemon and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=150)
    args = parser.parse_args()
    size = args.mb * MB
    with tempfile.TemporaryDirectory() as tmp:
        daemon = new_daemon(Path(tmp) / "d", process=True).start()
        pid = daemon.proc.pid
        try:
            time.sleep(1)
            rows = []
            scenarios = [
                ("no token, Content-Length", None, False, 1),
                ("no token, chunked", None, True, 1),
                ("kiosk token, over the upload cap", "kiosk-token-1", False, 1),
                ("no token, 10 at once", None, False, 10),
            ]
            for name, token, chunked, n in scenarios:
                before = memory(pid)
                results: list[tuple[int, float, int]] = []
                threads = [
                    threading.Thread(
                        target=lambda out=results, tok=token, ch=chunked: out.append(
                            post(daemon.port, tok, size, ch)
                        )
                    )
                    for _ in range(n)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                time.sleep(0.5)
                after = memory(pid)
                statuses = sorted({r[0] for r in results})
                rows.append(
                    (
                        name,
                        "/".join(map(str, statuses)),
                        max(r[1] for r in results) * 1000,
                        max(r[2] for r in results) / MB,
                        before["VmRSS"],
                        after["VmRSS"],
                        after["VmHWM"],
                    )
                )
        finally:
            daemon.stop()
    print(
        f"| {args.mb} MB POST /api/v1/submissions | status | answer | body sent | RSS before |"
        " RSS after | peak RSS |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, status, ms, sent, rss0, rss1, peak in rows:
        print(
            f"| {name} | {status} | {ms:.0f} ms | {sent:.0f} MB | {rss0:.0f} MB |"
            f" {rss1:.0f} MB | {peak:.0f} MB |"
        )


if __name__ == "__main__":
    main()
