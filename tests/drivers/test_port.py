"""SerialLink: bytes both ways, counters, wire time, and reconnecting when a port comes back."""

import logging
import threading

import pytest

from hall.drivers.errors import DeviceOffline, DriverError
from hall.drivers.port import SerialLink, line_time
from hall.drivers.status import DeviceStatus
from tests.support import wait_until
from tests.support.serial import start_ok


class Inbox:
    """Collects what a link's reader thread delivers."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.statuses: list[DeviceStatus] = []
        self.lock = threading.Lock()

    def on_bytes(self, data: bytes) -> None:
        with self.lock:
            self.data += data

    def on_status(self, status: DeviceStatus) -> None:
        self.statuses.append(status)

    def has(self, data: bytes) -> bool:
        with self.lock:
            return bytes(self.data) == data


def test_loop_round_trip_and_counters(make_link):
    inbox = Inbox()
    link = make_link("loop://", on_bytes=inbox.on_bytes, on_status=inbox.on_status)
    assert link.status is DeviceStatus.STARTING
    start_ok(link)
    link.send(b"hello")
    link.send(b" world")
    assert wait_until(lambda: inbox.has(b"hello world"))
    stats = link.stats()
    assert (stats.bytes_in, stats.bytes_out, stats.reconnects) == (11, 11, 0)
    assert stats.last_rx is not None and stats.last_tx is not None
    assert stats.status is DeviceStatus.OK
    assert inbox.statuses == [DeviceStatus.OK]


def test_line_time():
    assert line_time(960, 9600) == pytest.approx(1.0)  # 8N1: 10 bits a byte
    assert SerialLink("loop://").line_time(10) == pytest.approx(10 * 10 / 9600)
    assert SerialLink("loop://", baudrate=19200, parity="E").line_time(10) == pytest.approx(
        10 * 11 / 19200
    )


@pytest.mark.parametrize("url", ["/nonexistent/ttyUSB9", "bogus://nowhere"])
def test_unopenable_port_is_offline_and_retried(make_link, url):
    link = make_link(url, retry_initial=0.01, retry_max=0.04)
    link.start()
    assert wait_until(lambda: link.open_failures >= 3)
    assert link.status is DeviceStatus.OFFLINE
    assert "open failed" in link.last_error
    with pytest.raises(DeviceOffline):
        link.send(b"x")


def test_start_twice_is_an_error(make_link):
    link = start_ok(make_link("loop://"))
    with pytest.raises(DriverError):
        link.start()


def test_failing_callback_does_not_stop_the_reader(make_link, caplog):
    got = []

    def on_bytes(data):
        got.append(data)
        if len(got) == 1:
            raise RuntimeError("listener bug")

    link = start_ok(make_link("loop://", on_bytes=on_bytes))
    with caplog.at_level(logging.ERROR, logger="hall.drivers.port"):
        link.send(b"a")
        assert wait_until(lambda: len(got) == 1)
        link.send(b"b")
        assert wait_until(lambda: len(got) == 2)
    assert "on_bytes callback failed" in caplog.text


def test_pty_pair_both_ways(socat, make_link):
    a_in, b_in = Inbox(), Inbox()
    a = start_ok(make_link(socat.a, on_bytes=a_in.on_bytes))
    b = start_ok(make_link(socat.b, on_bytes=b_in.on_bytes))
    a.send(b"\xff\x68ping")
    b.send(b"pong")
    assert wait_until(lambda: b_in.has(b"\xff\x68ping"))
    assert wait_until(lambda: a_in.has(b"pong"))


def test_port_disappears_and_comes_back(socat, make_link, caplog):
    caplog.set_level(logging.WARNING, logger="hall.drivers.port")
    inbox, statuses = Inbox(), Inbox()
    host = make_link(socat.a, on_bytes=inbox.on_bytes, on_status=statuses.on_status)
    start_ok(host)
    peer = start_ok(make_link(socat.b))

    socat.stop()
    assert wait_until(lambda: host.status is DeviceStatus.OFFLINE)
    assert f"{socat.a}: port lost" in caplog.text
    assert "open failed" in host.last_error  # the retries since
    # The caller never stalls while the port is gone: send fails at once (how fast:
    # bench/bench_latency.py, 100 sends in < 0.5 s).
    for _ in range(100):
        with pytest.raises(DeviceOffline):
            host.send(b"lost")

    socat.start()
    assert wait_until(lambda: host.status is DeviceStatus.OK)
    assert wait_until(lambda: peer.status is DeviceStatus.OK)
    assert host.reconnects == 1
    assert statuses.statuses == [DeviceStatus.OK, DeviceStatus.OFFLINE, DeviceStatus.OK]
    peer.send(b"back")
    assert wait_until(lambda: inbox.has(b"back"))
    assert host.stats().bytes_in == 4


def test_stop_closes_the_port_so_it_can_reopen(socat, make_link):
    first = start_ok(make_link(socat.a))
    first.stop()
    assert first.status is DeviceStatus.OK  # status is the last known; the port is closed
    second = start_ok(make_link(socat.a))
    assert second.status is DeviceStatus.OK
