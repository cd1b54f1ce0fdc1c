"""The ratings ledger anchored outside the box (issue 13): an HMAC chain keyed from the key file.

The attack: with write access to the database file only, change a rating, recompute every
SHA-256 and the head (the algorithm is public), and the old hash-only check said ok. Now each
row also carries an HMAC keyed from the key file, and the head (row id and MAC) is published
outside the box: in every record forwarded upstream, on the statistics export, on the manager
page and by ``python -m hall.queue ledger-head``; ``verify-ledger --against HEAD`` checks one.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from hall.queue.__main__ import main
from hall.queue.ratings import ledger
from hall.secrets.keyring import Keyring
from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import ROOT, Daemon, hall_config, wait_until

Run = Callable[..., tuple[int, str, str]]


def cli(d: Daemon, *args: str) -> tuple[int, str, str]:
    """Run ``python -m hall.queue <args>`` against the daemon's config and data (a subprocess)."""
    out = subprocess.run(
        [sys.executable, "-m", "hall.queue", *args]
        + ["--config", str(d.config_path), "--data-dir", str(d.data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return out.returncode, out.stdout, out.stderr


class InProcess:
    """The same commands through ``hall.queue.__main__.main`` in this process (faster)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, d: Daemon, *args: str) -> tuple[int, str, str]:
        """Run one command; its exit code, stdout and stderr."""
        self.capsys.readouterr()
        code = main([*args, "--config", str(d.config_path), "--data-dir", str(d.data_dir)])
        out, err = self.capsys.readouterr()
        return code, out, err


def verify(d: Daemon, against: str | None = None, run: Run = cli) -> tuple[int, dict]:
    """``verify-ledger`` (optionally ``--against``): exit code and its JSON report."""
    code, out, err = run(d, "verify-ledger", *(["--against", against] if against else []))
    assert out, err
    return code, json.loads(out)


def published_head(d: Daemon, run: Run = cli) -> str:
    """The head as ``ledger-head`` prints it: ``<id>:<mac>``."""
    code, out, err = run(d, "ledger-head")
    assert code == 0, err
    assert len(out.splitlines()) == 1
    return out.strip()


def db(d: Daemon) -> sqlite3.Connection:
    """The store as an attacker with the database file (and nothing else) has it."""
    return sqlite3.connect(d.data_dir / "hall.sqlite3")


def rehash(conn: sqlite3.Connection, change: dict[int, dict]) -> None:
    """Rewrite rows, then recompute every SHA-256 and the head: the forgery of the issue."""
    cols = (*ledger.FIELDS, "prev_hash", "hash")
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM ledger ORDER BY id").fetchall()
    prev, last = ledger.GENESIS, 0
    with conn:
        for values in rows:
            row = dict(zip(cols, values, strict=True))
            row.update(change.get(row["id"], {}))
            digest = ledger.chain_hash(prev, row)
            sets = {**change.get(row["id"], {}), "prev_hash": prev, "hash": digest}
            conn.execute(
                f"UPDATE ledger SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                (*sets.values(), row["id"]),
            )
            prev, last = digest, row["id"]
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{last}:{prev}", ledger.HEAD_KEY))


def rated_hall(d: Daemon, levels: tuple[int, ...]) -> list[int]:
    """Serve and rate one ticket per level; the ledger ids."""
    staff = d.staff("S002", 2)
    tickets = serve(d, staff, 2, n=len(levels))
    return [rate(d, t["id"], lv)["id"] for t, lv in zip(tickets, levels, strict=True)]


def test_a_chain_reforged_with_database_access_only_fails(daemon: Daemon, capsys) -> None:
    run = InProcess(capsys)  # the real command (a subprocess) for the published head and the forge
    ids = rated_hall(daemon, (5, 1, 4, 5))
    before = daemon.api("manager-token-1").get("/ledger/verify").json()
    assert before["ok"] and before["records"] == 4
    daemon.stop()
    head = published_head(daemon)
    head_id, mac = head.split(":")
    assert int(head_id) == ids[-1] and len(mac) == 64
    # The untouched store passes, alone and against the head published before.
    assert verify(daemon, run=run)[0] == 0
    assert verify(daemon, head, run)[0] == 0
    assert (
        verify(daemon, f"{head_id}:{mac[:16]}", run)[0] == 0
    )  # the fingerprint a clerk writes down
    # The 差评 becomes 非常满意; every SHA-256 and the head recomputed, in SQLite directly.
    conn = db(daemon)
    rehash(conn, {ids[1]: {"level": 5}})
    conn.close()
    code, report = verify(daemon)
    assert (code, report["ok"], report["broken_id"]) == (1, False, ids[1]), report
    assert "MAC" in report["problem"]  # the hash chain itself holds: it was recomputed
    code, report = verify(daemon, head)
    assert (code, report["ok"]) == (1, False)
    # The daemon's own check says the same.
    daemon.start()
    report = daemon.api("manager-token-1").get("/ledger/verify").json()
    assert (report["ok"], report["broken_id"]) == (False, ids[1])


def test_cutting_the_tail_or_stripping_every_mac_is_caught_against_a_published_head(
    daemon: Daemon, capsys
) -> None:
    run = InProcess(capsys)
    ids = rated_hall(daemon, (5, 1, 3))
    daemon.stop()
    head = published_head(daemon, run)
    conn = db(daemon)
    trail = {i: f"{i}:{m}" for i, m in conn.execute("SELECT id, mac FROM ledger")}  # as forwarded
    # Cut the last record and point the head at the one before: the chain left is sound,
    # only a head published before tells.
    with conn:
        conn.execute("DELETE FROM ledger WHERE id = ?", (ids[-1],))
    rehash(conn, {})
    assert verify(daemon, run=run)[0] == 0
    code, report = verify(daemon, head, run)
    assert (code, report["ok"], report["broken_id"]) == (1, False, ids[-1])
    assert "published" in report["problem"]
    # Strip every MAC and forge: the next start anchors the rows it finds (as for an older
    # store), so the chain verifies again; the heads published before the forged row do not.
    with conn:
        conn.execute("UPDATE ledger SET mac = NULL, key_id = NULL")
    rehash(conn, {ids[1]: {"level": 5}})
    conn.close()
    daemon.start()
    daemon.stop()
    assert verify(daemon, run=run)[0] == 0
    code, report = verify(daemon, trail[ids[1]][: len(str(ids[1])) + 17], run)
    assert (code, report["ok"], report["broken_id"]) == (1, False, ids[1])
    assert verify(daemon, trail[ids[0]], run)[0] == 0  # the rows before it are still the same
    code, report = verify(daemon, f"{ids[0]}:{'0' * 16}", run)
    assert (code, report["broken_id"]) == (1, ids[0])


def test_an_older_store_is_anchored_at_the_first_start(daemon: Daemon, caplog, capsys) -> None:
    run = InProcess(capsys)
    rated_hall(daemon, (5, 2))
    daemon.stop()
    conn = db(daemon)
    with conn:  # the store as the version before the MAC column left it
        conn.execute("ALTER TABLE ledger DROP COLUMN mac")
        conn.execute("ALTER TABLE ledger DROP COLUMN key_id")
    conn.close()
    with caplog.at_level(logging.WARNING):
        daemon.start()
    assert "ledger anchored from row 3" in caplog.text
    ids = rated_hall(daemon, (4,))
    daemon.stop()
    conn = db(daemon)
    macs = conn.execute("SELECT id, mac, key_id FROM ledger ORDER BY id").fetchall()
    assert [(i, len(m), k) for i, m, k in macs] == [
        (1, 64, "ledger-1"),
        (2, 64, "ledger-1"),
        (ids[0], 64, "ledger-1"),
    ]
    assert verify(daemon, run=run)[0] == 0
    # A store where only some rows lack a MAC is not anchored again: that row is reported.
    with conn:
        conn.execute("UPDATE ledger SET mac = NULL WHERE id = 2")
    conn.close()
    daemon.start()
    daemon.stop()
    code, report = verify(daemon, run=run)
    assert (code, report["broken_id"]) == (1, 2)


def test_rotated_key_new_rows_name_it_and_old_rows_still_verify(daemon: Daemon, capsys) -> None:
    run = InProcess(capsys)
    rated_hall(daemon, (5,))
    daemon.stop()
    key_file = daemon.data_dir / "keys" / "hall.keys"
    assert Keyring.open(key_file).rotate("ledger").id == "ledger-2"
    daemon.start()
    rated_hall(daemon, (4,))
    daemon.stop()
    conn = db(daemon)
    assert conn.execute("SELECT key_id FROM ledger ORDER BY id").fetchall() == [
        ("ledger-1",),
        ("ledger-2",),
    ]
    conn.close()
    assert verify(daemon, run=run)[0] == 0


def test_forwarded_records_carry_the_head(make_daemon, upstream, capsys) -> None:
    run = InProcess(capsys)
    cfg = hall_config()
    cfg["upstream"] = {"evaluation": {"url": upstream.url, "retry_initial_s": 0.1}}
    upstream.start()
    d = make_daemon(cfg)
    ids = rated_hall(d, (5, 1))
    case = d.api("manager-token-1").get("/rectifications").json()[0]["id"]
    assert d.api("manager-token-1").post(f"/rectifications/{case}/verify", {"note": "属实"}).ok
    want = {f"rating-{i}" for i in ids} | {f"rect-{case}-verify"}
    assert wait_until(lambda: want <= upstream.keys(), 20), upstream.keys()
    bodies = dict(upstream.deliveries)
    heads = [bodies[f"rating-{i}"]["head"] for i in ids]
    # Each record carries the head as of itself: the platform holds a trail of heads.
    assert [h["id"] for h in heads] == ids
    assert all(len(h["hash"]) == 64 and len(h["mac"]) == 64 for h in heads)
    assert heads[0]["hash"] == bodies[f"rating-{ids[0]}"]["hash"]
    assert bodies[f"rect-{case}-verify"]["head"] == heads[-1]  # the head when it was sent
    d.stop()
    for h in heads:
        assert verify(d, f"{h['id']}:{h['mac'][:16]}", run)[0] == 0
        assert verify(d, f"{h['id']}:{h['hash'][:16]}", run)[0] == 0  # the hash is published too
        assert verify(d, f"{h['id']}:{'f' * 16}", run)[0] == 1


def test_export_and_manager_page_show_the_head(daemon: Daemon, capsys) -> None:
    ids = rated_hall(daemon, (5, 3))
    manager = daemon.api("manager-token-1")
    day = daemon.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    params = {"start": day, "end": day}
    overview = manager.get("/statistics/overview").json()
    shown = overview["ledger_head"]
    assert shown["id"] == ids[-1] and shown["fingerprint"] == f"{ids[-1]}:{shown['mac'][:16]}"
    r = manager.get("/statistics/export", params={**params, "format": "csv"})
    assert r.status_code == 200
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[-1][:2] == ["台账校验码 ledger head", f"{ids[-1]}:{shown['mac']}"]
    assert r.headers["X-Ledger-Head"] == f"{ids[-1]}:{shown['mac']}"
    x = manager.get("/statistics/export", params={**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(x.content))["台账 ledger"]
    assert f"{ids[-1]}:{shown['mac']}" in [c for row in sheet.values for c in row]
    # Staff, kiosk and display may not export (nor see the overview).
    for token in ("kiosk-token-1", "display-token-1"):
        assert daemon.api(token).get("/statistics/export", params=params).status_code == 403
    assert daemon.staff("S002", 2).get("/statistics/overview").status_code == 403
    daemon.stop()
    assert published_head(daemon, InProcess(capsys)) == f"{ids[-1]}:{shown['mac']}"


def test_a_missing_key_file_is_refused_and_not_made(daemon: Daemon, capsys) -> None:
    rated_hall(daemon, (5,))
    daemon.stop()
    key_file: Path = daemon.data_dir / "keys" / "hall.keys"
    key_file.unlink()
    code, out, err = cli(daemon, "verify-ledger")
    assert code == 2 and out == ""
    assert str(key_file) in err and "密钥文件" in err and "key file" in err
    assert not key_file.exists()
    for bad in ("12", "x:0123456789abcdef", "1:0123", "1:not-hex-not-hex-not"):
        code, _out, err = InProcess(capsys)(daemon, "verify-ledger", "--against", bad)
        assert code == 2 and "--against" in err, (bad, err)
