"""The key file: made 0600 at the first start, kept apart from the database, rotated safely."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hall.config import load_config
from hall.queue.core.daemon import HallDaemon
from hall.secrets.keyring import KEY_BYTES, KeyFileError, Keyring
from tests.support import ROOT, clock, make_id, new_daemon
from tests.support import now as clock_now


def test_made_private_and_read_back(tmp_path: Path):
    path = tmp_path / "keys" / "hall.keys"
    ring = Keyring.open(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = Keyring.open(path)
    for purpose in ("data", "ledger", "fingerprint"):
        assert len(ring.current(purpose).secret) == KEY_BYTES
        assert again.current(purpose) == ring.current(purpose)
    assert ring.current("data").secret != ring.current("ledger").secret


def test_rotation_keeps_old_keys(tmp_path: Path):
    path = tmp_path / "hall.keys"
    ring = Keyring.open(path)
    first = ring.current("data")
    second = ring.rotate("data")
    reread = Keyring.open(path)
    assert reread.current("data") == second != first
    assert reread.get("data", first.id) == first  # old data still opens
    with pytest.raises(KeyError):
        reread.get("data", "data-9")
    with pytest.raises(ValueError, match="cannot be rotated"):
        reread.rotate("fingerprint")


def test_imported_key_is_kept(tmp_path: Path):
    ring = Keyring.open(tmp_path / "hall.keys", {"fingerprint": b"\x01" * 32})
    assert ring.current("fingerprint").secret == b"\x01" * 32


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (None, 0o640, "open to other users"),
        (None, 0o604, "open to other users"),
        ("not json", 0o600, "cannot be read"),
        ('{"version": 2, "keys": {}}', 0o600, "version 2"),
        (
            '{"version": 1, "keys": {"data": [{"id": "d", "created": 0, "key": "!!"}]}}',
            0o600,
            "base64|Non-base64|Incorrect",
        ),
        (
            '{"version": 1, "keys": {"data": [{"id": "d", "created": 0, "key": "AAAA"}]}}',
            0o600,
            "not 32 bytes",
        ),
    ],
)
def test_bad_key_files_refused(tmp_path: Path, content: str | None, mode: int, message: str):
    path = tmp_path / "hall.keys"
    Keyring.open(path)
    if content is not None:
        path.write_text(content)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=message) as refused:
        Keyring.open(path)
    assert str(path) in str(refused.value)


def _meta(db: Path, sql: str, *args: str) -> list:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(sql, args).fetchall()
        con.commit()
    finally:
        con.close()
    return rows


def test_fingerprint_key_moves_out_of_the_database(tmp_path: Path):
    """A store from before the key file: its ID key moves to the file and still finds bookings."""
    hall = new_daemon(tmp_path).start()
    db = hall.data_dir / "hall.sqlite3"
    keys = hall.data_dir / "keys" / "hall.keys"
    person = make_id("11010819790923457")
    now = clock_now()
    slot = {
        "service": "general",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
        "id_number": person,
    }
    assert hall.api("manager-token-1").post("/appointments", slot).status_code == 201
    assert _meta(db, "SELECT value FROM meta WHERE key = 'id_key'") == []
    hall.stop()
    # Make it look like an old store: the key in meta, no key file.
    key = Keyring.open(keys).current("fingerprint").secret
    _meta(db, "INSERT INTO meta (key, value) VALUES ('id_key', ?)", key.hex())
    keys.unlink()
    hall.start()
    assert _meta(db, "SELECT value FROM meta WHERE key = 'id_key'") == []
    assert Keyring.open(keys).current("fingerprint").secret == key
    body = {"service": "general", "id_number": person, "appointment": True}
    r = hall.api("kiosk-token-1").post("/tickets", body)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "appointment"
    hall.close_clients()
    hall.stop()


def test_another_halls_key_file_is_refused(tmp_path: Path):
    hall = new_daemon(tmp_path).start()
    hall.stop()
    db = hall.data_dir / "hall.sqlite3"
    _meta(db, "INSERT INTO meta (key, value) VALUES ('id_key', ?)", (b"\x02" * 32).hex())
    daemon = HallDaemon(load_config(hall.config_path), str(hall.data_dir), clock=clock)
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(KeyFileError, match="different ID fingerprint keys"):
            daemon.start(loop)
    finally:
        daemon.stop()
        loop.close()
    # Nothing was deleted: the database still holds its key for the right key file.
    assert _meta(db, "SELECT count(*) FROM meta WHERE key = 'id_key'") == [(1,)]


def test_daemon_refuses_a_key_file_others_can_read(tmp_path: Path):
    hall = new_daemon(tmp_path).start()
    hall.stop()
    keys = hall.data_dir / "keys" / "hall.keys"
    keys.chmod(0o644)
    argv = [sys.executable, "-m", "hall.queue", "--config", str(hall.config_path)]
    argv += ["--data-dir", str(hall.data_dir), "--port", "1"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr and f"chmod 600 {keys}" in done.stderr
    assert json.loads(keys.read_text())["version"] == 1  # untouched
    assert os.stat(keys).st_mode & 0o777 == 0o644
