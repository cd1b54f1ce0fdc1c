"""The terminal outbox's waiting cases are sealed at rest (hall/kiosk/outbox_seal.py).

A copy of the outbox folder (SQLite file, WAL, images) shows no applicant; the
case still reaches a real daemon with the exact JPEGs; a plain case left by an
older outbox is still forwarded.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import TerminalOutbox
from hall.secrets import sealing
from hall.secrets.keyring import Keyring
from tests.kiosk.submission_helpers import ID_NUMBER, draft
from tests.support import ROOT, Daemon, clock

NAME, PHONE = "王小明", "13912345678"


class Clock:
    """The outbox's clock: starts at the tests' clock, moves when told."""

    def __init__(self) -> None:
        self.t = clock()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def make_box(tmp_path: Path) -> Iterator[Callable[..., TerminalOutbox]]:
    made: list[TerminalOutbox] = []

    def make(client: DaemonClient | None = None, folder: Path | None = None) -> TerminalOutbox:
        box = TerminalOutbox(
            folder or tmp_path / "kiosk" / "outbox", "自助机9", "09", client, clock=Clock()
        )
        made.append(box)
        return box

    yield make
    for box in made:
        box.stop()


def on_disk(folder: Path) -> dict[str, bytes]:
    """Every file under the outbox folder (the SQLite file, its WAL and SHM, images)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def daemon_image(daemon: Daemon, sid: str, index: int) -> bytes:
    """A material image as the daemon keeps it, opened with the daemon's key file."""
    ring = Keyring.open(daemon.data_dir / "keys" / "hall.keys")
    blob = (daemon.data_dir / "submissions" / sid / f"{index:02d}.jpg.sealed").read_bytes()
    return sealing.unseal(ring, blob, f"submission:{sid}/{index:02d}.jpg")


def test_a_waiting_case_shows_no_applicant_and_no_jpeg_on_disk(make_box) -> None:
    box = make_box()
    case = draft(1)
    stored = box.store(case)
    files = on_disk(box.folder)  # while open: the WAL is not checkpointed yet
    assert "outbox.sqlite3-wal" in files
    for secret in (NAME, ID_NUMBER, PHONE, "示范科技有限公司1", stored.rating_key):
        for name, data in files.items():
            assert secret.encode() not in data, (secret, name)
    images = sorted((box.images / stored.id).iterdir())
    assert [p.name for p in images] == ["00.jpg.sealed", "01.jpg.sealed"]
    for path, material in zip(images, case.materials, strict=True):
        data = path.read_bytes()
        assert not data.startswith(b"\xff\xd8") and material.jpeg[100:200] not in data
    box.stop()
    for name, data in on_disk(box.folder).items():  # and after the WAL is folded in
        assert NAME.encode() not in data and ID_NUMBER.encode() not in data, name
    # The terminal's own key file, beside the outbox as under kiosk.data_dir: 0600, data only.
    key_file = box.folder.parent / "keys" / "terminal.keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert set(json.loads(key_file.read_text())["keys"]) == {"data"}
    # The same store opens with its key file, and with no other.
    again = make_box(folder=box.folder)
    record = again.record(stored.id)
    assert record["applicant"] == case.applicant and record["rating_key"] == stored.rating_key
    stranger = Keyring.open(box.folder.parent / "stranger.keys", purposes=("data",))
    sealed = again._db.execute("SELECT body FROM cases").fetchone()[0]
    with pytest.raises(sealing.SealError, match="does not open"):
        sealing.unseal_text(stranger, sealed, f"outbox:{stored.id}:body")


def test_a_sealed_case_reaches_the_daemon_with_the_exact_jpegs(daemon: Daemon, make_box) -> None:
    box = make_box(DaemonClient(daemon.base, "kiosk-token-1"))
    case = draft(2)
    stored = box.store(case)
    box.pump()
    assert [c["state"] for c in box.cases()] == ["forwarded"]
    got = daemon.api("manager-token-1").get(f"/submissions/{stored.id}").json()
    assert got["receipt"] == stored.receipt and got["applicant"]["name"] == NAME
    assert got["applicant"]["id_number"] == ID_NUMBER and got["form"] == case.form
    for i, material in enumerate(case.materials):
        assert daemon_image(daemon, stored.id, i) == material.jpeg
    assert not (box.images / stored.id).exists()
    # The record kept after forwarding names the case, not the person.
    kept = box._db.execute("SELECT body FROM cases").fetchone()[0]
    assert NAME not in kept and ID_NUMBER not in kept


def test_a_plain_case_from_an_older_outbox_still_forwards(
    daemon: Daemon, make_box, tmp_path: Path
) -> None:
    folder = tmp_path / "kiosk" / "outbox"
    make_box(folder=folder).stop()  # the store's tables, as an older terminal made them
    case, case_id = draft(3), "a" * 32
    (folder / "materials" / case_id).mkdir()
    for i, m in enumerate(case.materials):  # what an older outbox wrote: plain JPEGs ...
        (folder / "materials" / case_id / f"{i:02d}.jpg").write_bytes(m.jpeg)
    body = {  # ... and the record as plain JSON
        "id": case_id,
        "terminal": "自助机9",
        "matter": case.matter,
        "submitted_at": "2026-11-22T21:30:00+08:00",
        "applicant": case.applicant,
        "form": case.form,
        "materials": [
            {"name": m.name, "mandatory": m.mandatory, "sha256": hashlib.sha256(m.jpeg).hexdigest()}
            for m in case.materials
        ],
        "missing": [],
        "promised_date": None,
        "rating_key": "old-rating-key-0123456789abc",
        "receipt": "ZZ09202611220001",
    }
    with contextlib.closing(sqlite3.connect(folder / "outbox.sqlite3")) as db, db:
        db.execute(
            "INSERT INTO cases (id, receipt, day, seq, body, state, created_at)"
            " VALUES (?, ?, '20261122', 1, ?, 'pending', ?)",
            (case_id, body["receipt"], json.dumps(body, ensure_ascii=False), clock()),
        )
    box = make_box(DaemonClient(daemon.base, "kiosk-token-1"), folder=folder)
    assert box.record(case_id) == body
    box.pump()
    assert [c["state"] for c in box.cases()] == ["forwarded"], box.cases()[0]["last_error"]
    got = daemon.api("manager-token-1").get(f"/submissions/{case_id}").json()
    assert got["receipt"] == body["receipt"] and got["applicant"]["id_number"] == ID_NUMBER
    for i, material in enumerate(case.materials):
        assert daemon_image(daemon, case_id, i) == material.jpeg


def test_a_record_or_image_moved_from_another_case_does_not_open_and_is_kept_for_staff(
    daemon: Daemon, make_box
) -> None:
    box = make_box(DaemonClient(daemon.base, "kiosk-token-1"))
    first, second, third = box.store(draft(4)), box.store(draft(5)), box.store(draft(6))
    shutil.copy(box.images / first.id / "00.jpg.sealed", box.images / second.id / "00.jpg.sealed")
    with box._lock:  # third's record replaced by first's: bound to first's place, it fails
        box._db.execute(
            "UPDATE cases SET body = (SELECT body FROM cases WHERE id = ?) WHERE id = ?",
            (first.id, third.id),
        )
    box.pump()
    states = {c["receipt"]: c for c in box.cases()}
    assert states[first.receipt]["state"] == "forwarded"
    for moved in (second, third):
        assert states[moved.receipt]["state"] == "rejected"
        assert states[moved.receipt]["last_error"].startswith("sealed_unreadable")
    assert box.health().status == "rejected"
    receipts = daemon.api("manager-token-1").get("/submissions").json()["submissions"]
    assert [c["receipt"] for c in receipts] == [first.receipt]
    # A manager takes them up like any refused case: their sealed data leaves the terminal.
    for moved in (second, third):
        path = f"/devices/outbox@terminal-09/outbox/{moved.receipt}/ack"
        assert daemon.api("manager-token-1").post(path, {"note": "已联系"}).status_code == 200
    box.clock.t += 60
    box.pump()
    states = {c["receipt"]: c["state"] for c in box.cases()}
    assert states[second.receipt] == states[third.receipt] == "cleared"
    assert not (box.images / second.id).exists() and not (box.images / third.id).exists()
    kept = box._db.execute("SELECT body FROM cases WHERE id = ?", (third.id,)).fetchone()[0]
    assert json.loads(kept) == {"id": third.id, "receipt": third.receipt}


def test_the_kiosk_imports_nothing_of_the_daemon() -> None:
    for path in (ROOT / "hall" / "kiosk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith("hall.queue") for n in names), path
