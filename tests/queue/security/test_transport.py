"""Issue 13, transport: with ``api.tls`` the daemon serves HTTPS and the kiosks verify it.

A throwaway hall CA and a certificate for 127.0.0.1 are made at test time
(tests/support/tls.py); the daemon is real (uvicorn on loopback, in this process,
with the same TLS settings as ``python -m hall.queue``). Every client of the daemon
(hall/kiosk/client.py: calls, event streams, the terminal outbox) verifies the
certificate against ``kiosk.ca_file``: without it, or with another hall's CA, it is
refused with a sentence that says so, never a crash. Plain HTTP to the HTTPS port gets
nothing. A bad certificate or key stops the daemon's start with the file named.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hall.config import TlsConfig
from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient, DaemonUnavailable, EventFollower
from hall.kiosk.outbox import TerminalOutbox
from hall.queue.web.transport import TlsError, check_tls, is_loopback, plain_lan_warning
from tests.kiosk.submission_helpers import draft
from tests.support import (
    ROOT,
    Daemon,
    clock,
    free_port,
    hall_config,
    new_daemon,
    wait_until,
    write_config,
)
from tests.support.tls import HallPki, make_pki, tls_config

KIOSK = "kiosk-token-1"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> HallPki:
    """The hall's CA and the daemon's certificate for 127.0.0.1."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> HallPki:
    """Another hall's CA: its certificates are not this hall's."""
    return make_pki(tmp_path_factory.mktemp("other"), name="另一大厅 CA")


@pytest.fixture(scope="module")
def https_daemon(tmp_path_factory: pytest.TempPathFactory, pki: HallPki) -> Iterator[Daemon]:
    """The test hall served over HTTPS with ``pki``'s certificate."""
    cfg = hall_config()
    cfg["api"]["tls"] = tls_config(pki)
    d = new_daemon(tmp_path_factory.mktemp("https"), cfg)
    d.verify = str(pki.ca_file)  # the tests' own clients (daemon.api) trust the hall CA
    yield d.start()
    d.close_clients()
    d.stop()


def test_the_kiosk_client_with_the_hall_ca_talks_to_the_https_daemon(
    https_daemon: Daemon, pki: HallPki
) -> None:
    assert https_daemon.base.startswith("https://127.0.0.1:")
    client = DaemonClient(https_daemon.base, KIOSK, ca_file=str(pki.ca_file))
    try:
        ticket = client.issue("general")
        assert client.ticket(ticket["id"])["status"] == "waiting"
    finally:
        client.close()


def test_the_event_stream_verifies_the_certificate_too(
    https_daemon: Daemon, pki: HallPki, other_ca: HallPki
) -> None:
    got: queue.Queue = queue.Queue()
    states: list[bool] = []
    good = EventFollower(
        https_daemon.base,
        "display-token-1",
        lambda t, d, i: got.put(t),
        last_id=0,
        retry_s=0.2,
        ca_file=str(pki.ca_file),
    ).start()
    bad = EventFollower(
        https_daemon.base,
        "display-token-1",
        lambda t, d, i: got.put(("other CA", t)),
        on_state=states.append,
        last_id=0,
        retry_s=0.2,
        ca_file=str(other_ca.ca_file),
    ).start()
    try:
        https_daemon.api(KIOSK).post("/tickets", {"service": "general"})
        assert got.get(timeout=10) == "ticket.issued"
        assert wait_until(lambda: good.connected, 10)
        assert not bad.connected and states == []  # it never got a byte of the stream
    finally:
        good.stop()
        bad.stop()
    assert all(item == "ticket.issued" for item in list(got.queue))


@pytest.mark.parametrize("trust", ["system", "other hall"])
def test_a_certificate_that_does_not_verify_is_refused_with_a_clear_error(
    https_daemon: Daemon,
    other_ca: HallPki,
    caplog: pytest.LogCaptureFixture,
    trust: str,
) -> None:
    ca_file = None if trust == "system" else str(other_ca.ca_file)
    client = DaemonClient(https_daemon.base, KIOSK, ca_file=ca_file)
    try:
        with caplog.at_level(logging.ERROR, logger="hall.kiosk.client"):
            for _ in range(3):
                with pytest.raises(DaemonUnavailable) as err:
                    client.services()
    finally:
        client.close()
    detail = err.value.detail
    assert "certificate" in detail and "证书" in detail, detail
    assert (ca_file or "system") in detail
    # Logged once, as an error naming the setting, not once per poll.
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lines) == 1 and "kiosk.ca_file" in lines[0], lines


def test_a_missing_ca_file_is_a_clear_error_not_a_crash(
    https_daemon: Daemon, tmp_path: Path
) -> None:
    missing = str(tmp_path / "no-such-ca.pem")
    client = DaemonClient(https_daemon.base, KIOSK, ca_file=missing)
    try:
        with pytest.raises(DaemonUnavailable) as err:
            client.services()
    finally:
        client.close()
    assert "kiosk.ca_file" in err.value.detail and missing in err.value.detail


def test_the_outbox_reports_an_unverified_daemon_and_forwards_once_the_ca_is_right(
    https_daemon: Daemon, pki: HallPki, other_ca: HallPki, tmp_path: Path
) -> None:
    settings = OutboxSection(retry_initial_s=1, retry_jitter=0, alert_after_s=0)
    now = [clock()]

    def outbox(ca_file: str) -> TerminalOutbox:
        client = DaemonClient(https_daemon.base, KIOSK, ca_file=ca_file)
        return TerminalOutbox(
            tmp_path / "terminal", "自助机9", "09", client, clock=lambda: now[0], settings=settings
        )

    wrong = outbox(str(other_ca.ca_file))
    stored = wrong.store(draft(1))
    wrong.pump()
    [case] = wrong.cases()
    assert case["state"] == "pending" and "certificate" in case["last_error"], case
    assert wrong.health().status == "stuck"
    wrong.stop()
    right = outbox(str(pki.ca_file))  # kiosk.ca_file fixed, the kiosk restarted
    try:
        now[0] += 60
        right.pump()
        assert [c["state"] for c in right.cases()] == ["forwarded"]
    finally:
        right.stop()
    manager = https_daemon.api("manager-token-1")
    receipts = [c["receipt"] for c in manager.get("/submissions").json()["submissions"]]
    assert stored.receipt in receipts


def test_plain_http_to_the_https_port_gets_nothing(https_daemon: Daemon) -> None:
    plain = https_daemon.base.replace("https://", "http://") + "/api/v1/services"
    try:
        r = requests.get(plain, headers={"Authorization": f"Bearer {KIOSK}"}, timeout=5)
    except requests.ConnectionError:
        return  # the TLS server closed the connection: nothing was served
    assert r.status_code >= 400 and "general" not in r.text


def test_a_plain_http_daemon_still_serves_plain_http(daemon: Daemon) -> None:
    assert daemon.base.startswith("http://127.0.0.1:")  # make run, tests: loopback, no TLS
    assert DaemonClient(daemon.base, KIOSK).services()[0]["code"] == "general"


# -- the daemon's start ------------------------------------------------------------------


def _tls(pki: HallPki, **paths: Path) -> TlsConfig:
    return TlsConfig(**{**tls_config(pki), **{k: str(v) for k, v in paths.items()}})


def test_the_tls_files_are_checked_before_the_start(
    pki: HallPki, other_ca: HallPki, tmp_path: Path
) -> None:
    now = dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    assert check_tls(_tls(pki), now) == []
    missing = tmp_path / "nope.pem"
    with pytest.raises(TlsError, match=r"api\.tls\.cert_file: .*nope\.pem.*no such file"):
        check_tls(_tls(pki, cert_file=missing))
    with pytest.raises(TlsError, match=r"api\.tls\.key_file: .*nope\.pem.*no such file"):
        check_tls(_tls(pki, key_file=missing))
    with pytest.raises(TlsError, match=r"api\.tls\.key_file: .*does not match"):
        check_tls(_tls(pki, key_file=other_ca.key_file))
    with pytest.raises(TlsError, match=r"api\.tls\.cert_file: .*not a PEM certificate"):
        check_tls(_tls(pki, cert_file=pki.key_file))
    with pytest.raises(TlsError, match=r"api\.tls\.key_file: .*not a PEM private key"):
        check_tls(_tls(pki, key_file=pki.cert_file))
    late = dt.datetime(2099, 12, 20, tzinfo=dt.UTC)
    assert "expires on 2099-12-31" in check_tls(_tls(pki), late)[0]
    assert "expired on 2099-12-31" in check_tls(_tls(pki), late.replace(year=2100))[0]
    shared = tmp_path / "shared-key.pem"
    shared.write_bytes(pki.key_file.read_bytes())
    shared.chmod(0o644)
    assert "readable by other users" in check_tls(_tls(pki, key_file=shared), now)[0]


def test_a_daemon_with_a_mismatched_key_refuses_to_start_naming_the_file(
    pki: HallPki, other_ca: HallPki, tmp_path: Path
) -> None:
    cfg = hall_config()
    cfg["api"]["tls"] = {"cert_file": str(pki.cert_file), "key_file": str(other_ca.key_file)}
    path = write_config(tmp_path / "config.yaml", cfg)
    argv = [sys.executable, "-m", "hall.queue", "--config", str(path)]
    argv += ["--data-dir", str(tmp_path / "data"), "--port", str(free_port())]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr and str(other_ca.key_file) in done.stderr
    assert "does not match" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.process
def test_python_m_hall_queue_serves_https_with_api_tls(pki: HallPki, tmp_path: Path) -> None:
    cfg = hall_config()
    cfg["api"]["tls"] = tls_config(pki)
    d = new_daemon(tmp_path / "d", cfg, process=True)
    d.verify = str(pki.ca_file)
    d.start()
    try:
        client = DaemonClient(d.base, KIOSK, ca_file=str(pki.ca_file))
        assert client.services()[0]["code"] == "general"
        client.close()
    finally:
        d.stop()
    log = "".join(p.read_text() for p in d.data_dir.glob("daemon-*.log"))
    assert f"API on https://127.0.0.1:{d.port}/api/v1" in log, log
    assert "PLAIN HTTP" not in log


def test_plain_http_on_a_lan_address_is_warned_about() -> None:
    tls = TlsConfig(cert_file="c.pem", key_file="k.pem")
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert is_loopback(host) and plain_lan_warning(host, None) is None
    for host in ("0.0.0.0", "::", "192.168.1.10", "hall-box"):
        warning = plain_lan_warning(host, None)
        assert warning and "api.tls" in warning and "明文" in warning, host
        assert plain_lan_warning(host, tls) is None


def test_kiosk_ca_file_is_a_setting(tmp_path: Path) -> None:
    from hall.config import load_config

    cfg = hall_config()
    cfg["kiosk"] = {"daemon_url": "https://127.0.0.1:8765", "ca_file": "/etc/hall/ca.pem"}
    cfg["api"]["docs"] = False
    config = load_config(write_config(tmp_path / "config.yaml", cfg))
    assert config.kiosk.ca_file == "/etc/hall/ca.pem" and config.api.tls is None
    assert json.loads(config.model_dump_json())["api"]["docs"] is False
