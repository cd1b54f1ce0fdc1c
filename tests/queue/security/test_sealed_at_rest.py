"""Personal data sealed at rest (issue 13): a copy of the disk without the key file shows nobody.

A real daemon on loopback, real submissions over HTTP; the tests then read the
daemon's files (the SQLite database and its WAL, the material images, the key
file) as someone with a copy of the disk would.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests

from hall.queue.cases import submissions
from hall.queue.web.api.submissions import SubmissionIn, case_content
from hall.secrets import sealing
from hall.secrets.keyring import Keyring
from hall.vision.face_template import FaceTemplate
from tests.kiosk.submission_helpers import ID_NUMBER, jpeg, wire
from tests.support import ROOT, Daemon, hall_config, make_id, wait_until

NAME, PHONE = "王小明", "13912345678"
SPOUSE, SPOUSE_ID = "李秀英", make_id("32010219870304002")


def marriage(seed: int) -> dict:
    """A submission whose form holds personal data too (配偶姓名, 配偶身份证号码)."""
    return {
        **wire(seed, matter="MZ-HY-001"),
        "form": {"spouse_name": SPOUSE, "spouse_id": SPOUSE_ID, "marriage_date": "2010-05-01"},
    }


def handling_config(**overrides) -> dict:
    """The test hall with window 1 handling every matter, so S001 sees applicants in full.

    A window that does not handle a matter sees them masked (hall/queue/cases/personal_data.py).
    """
    cfg = hall_config(**overrides)
    cfg["windows"][0]["matters"] = ["*"]
    return cfg


def stored_bytes(d: Daemon) -> bytes:
    """The database file and its WAL, as bytes."""
    db = d.data_dir / "hall.sqlite3"
    wal = d.data_dir / "hall.sqlite3-wal"
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def row(d: Daemon, sid: str) -> sqlite3.Row:
    """A submission's row, read from a copy of the database file."""
    con = sqlite3.connect(f"file:{d.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return con.execute("SELECT * FROM submissions WHERE id = ?", (sid,)).fetchone()
    finally:
        con.close()


def personal(text_or_bytes: bytes) -> list[str]:
    """Which of the applicant's personal values appear in ``text_or_bytes``."""
    found = []
    for value in (NAME, ID_NUMBER, ID_NUMBER[:14], PHONE, SPOUSE, SPOUSE_ID):
        for encoding in ("utf-8", "utf-16-le"):
            if value.encode(encoding) in text_or_bytes:
                found.append(f"{value} ({encoding})")
    return found


@pytest.fixture
def hall(make_daemon, upstream) -> Daemon:
    cfg = handling_config()
    cfg["upstream"] = {"submissions": {"url": upstream.url, "timeout_s": 2, "retry_initial_s": 0.1}}
    return make_daemon(cfg)


def test_a_submission_is_sealed_in_the_store_and_on_disk(hall: Daemon, upstream) -> None:
    body = marriage(1)
    r = hall.api("kiosk-token-1").post("/submissions", body)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    # The checkpointer copies the WAL into the file every second: both are searched.
    assert wait_until(lambda: body["receipt"].encode() in stored_bytes(hall), 10)
    assert personal(stored_bytes(hall)) == []
    stored = row(hall, sid)
    for column in ("applicant", "form"):
        assert sealing.is_sealed_text(stored[column]), column
    folder = hall.data_dir / "submissions" / sid
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["00.jpg.sealed", "01.jpg.sealed"]
    for f in files:
        data = f.read_bytes()
        assert not data.startswith(b"\xff\xd8\xff") and sealing.is_sealed(data)
        assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, oct(f.stat().st_mode)
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    # Staff still read the whole case ...
    case = hall.staff("S001", 1).get(f"/submissions/{sid}").json()
    assert case["applicant"] == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}
    assert case["form"]["spouse_id"] == SPOUSE_ID
    assert [m["sha256"] for m in case["materials"]] == [m["sha256"] for m in body["materials"]]
    # ... and the platform gets the very JPEGs the kiosk sent.
    upstream.start()
    assert wait_until(lambda: body["receipt"] in upstream.accepted_receipts(), 15)
    got = next(b for _k, b in upstream.deliveries if b["receipt"] == body["receipt"])
    assert got["applicant"]["name"] == NAME and got["form"]["spouse_name"] == SPOUSE
    for sent, forwarded in zip(body["materials"], got["materials"], strict=True):
        assert forwarded["jpeg_b64"] == sent["jpeg_b64"]
        assert forwarded["sha256"] == sent["sha256"]


def test_a_copied_store_without_the_key_file_reveals_nothing(make_daemon, tmp_path: Path) -> None:
    d = make_daemon(handling_config())
    sid = d.api("kiosk-token-1").post("/submissions", marriage(2)).json()["id"]
    d.stop()  # the copy is taken from the disk, whole
    copy = tmp_path / "copy"
    shutil.copytree(d.data_dir, copy, ignore=shutil.ignore_patterns("keys"))
    assert not (copy / "keys").exists()
    assert personal((copy / "hall.sqlite3").read_bytes()) == []
    con = sqlite3.connect(copy / "hall.sqlite3")
    applicant, form = con.execute(
        "SELECT applicant, form FROM submissions WHERE id = ?", (sid,)
    ).fetchone()
    con.close()
    image = (copy / "submissions" / sid / "00.jpg.sealed").read_bytes()
    stranger = Keyring.open(tmp_path / "guess.keys")  # any other key file
    with pytest.raises(sealing.SealError):
        sealing.unseal_text(stranger, applicant, f"submission:{sid}:applicant")
    with pytest.raises(sealing.SealError):
        sealing.unseal(stranger, image, f"submission:{sid}/00.jpg")
    # With the hall's key file (backed up apart) it all opens again.
    ring = Keyring.open(d.data_dir / "keys" / "hall.keys")
    opened = json.loads(sealing.unseal_text(ring, applicant, f"submission:{sid}:applicant"))
    assert opened["id_number"] == ID_NUMBER
    assert json.loads(sealing.unseal_text(ring, form, f"submission:{sid}:form"))["spouse_name"]
    assert sealing.unseal(ring, image, f"submission:{sid}/00.jpg").startswith(b"\xff\xd8\xff")


def test_a_sealed_value_swapped_between_cases_does_not_open(make_daemon) -> None:
    d = make_daemon(handling_config())
    kiosk = d.api("kiosk-token-1")
    a = kiosk.post("/submissions", marriage(3)).json()["id"]
    b = kiosk.post("/submissions", wire(4)).json()["id"]
    staff = d.staff("S001", 1)
    assert staff.get(f"/submissions/{b}").json()["applicant"]["name"] == NAME
    d.stop()
    con = sqlite3.connect(d.data_dir / "hall.sqlite3")
    con.execute(
        "UPDATE submissions SET applicant = (SELECT applicant FROM submissions WHERE id = ?)"
        " WHERE id = ?",
        (a, b),
    )
    con.commit()
    con.close()
    d.start()
    r = d.staff("S002", 2).get(f"/submissions/{b}")  # never case a's data as case b's
    assert r.status_code == 500 and r.json()["error"]["code"] == "sealed_data_unreadable"
    assert "key file" in r.json()["error"]["message_en"] and ID_NUMBER not in r.text


def test_an_older_plain_store_is_sealed_at_start(make_daemon, caplog) -> None:
    d = make_daemon(handling_config())
    body = marriage(5)
    sid = d.api("kiosk-token-1").post("/submissions", body).json()["id"]
    d.stop()
    # Make it look as an older version left it: plain JSON columns, plain JPEG files.
    folder = d.data_dir / "submissions" / sid
    for f in folder.iterdir():
        f.unlink()
    materials = []
    for i, m in enumerate(body["materials"]):
        (folder / f"{i:02d}.jpg").write_bytes(base64.b64decode(m["jpeg_b64"]))
        materials.append(
            {
                "name": m["name"],
                "mandatory": True,
                "sha256": m["sha256"],
                "file": f"{sid}/{i:02d}.jpg",
            }
        )
    applicant = {**body["applicant"], "identity_check": "face_matched"}
    con = sqlite3.connect(d.data_dir / "hall.sqlite3")
    con.execute(
        "UPDATE submissions SET applicant = ?, form = ?, materials = ? WHERE id = ?",
        (
            json.dumps(applicant, ensure_ascii=False),
            json.dumps(body["form"], ensure_ascii=False),
            json.dumps(materials, ensure_ascii=False),
            sid,
        ),
    )
    con.commit()
    con.close()
    assert personal(stored_bytes(d)) != []  # the test's own check finds plain data
    with caplog.at_level(logging.INFO, logger="hall"):
        d.start()
    assert any("sealed 1 case" in r.getMessage() for r in caplog.records), caplog.text
    stored = row(d, sid)
    assert sealing.is_sealed_text(stored["applicant"]) and sealing.is_sealed_text(stored["form"])
    assert sorted(f.name for f in folder.iterdir()) == ["00.jpg.sealed", "01.jpg.sealed"]
    case = d.staff("S001", 1).get(f"/submissions/{sid}").json()
    assert case["applicant"]["id_number"] == ID_NUMBER and case["identity_check"] == "face_matched"
    assert case["form"]["spouse_name"] == SPOUSE


def test_a_booked_face_template_is_sealed(make_daemon) -> None:
    d = make_daemon(handling_config())
    face = FaceTemplate("classic", np.random.default_rng(7).random((5, 16384), dtype=np.float32))
    raw = face.to_bytes()
    now = d.now()
    booking = {
        "service": "general",
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
        "face_template": base64.b64encode(raw).decode(),
        "face_consent": "booking-2026-01",
    }
    r = d.api("manager-token-1").post("/appointments", booking)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    con = sqlite3.connect(f"file:{d.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    (stored,) = con.execute(
        "SELECT face_template FROM appointment_checkin WHERE code = ?", (code,)
    ).fetchone()
    con.close()
    assert sealing.is_sealed(stored) and raw[100:164] not in stored
    assert wait_until(lambda: stored[-64:] in stored_bytes(d), 10)  # the file has the sealed bytes
    assert raw[100:164] not in stored_bytes(d) and raw[-64:] not in stored_bytes(d)
    listed = d.api("kiosk-token-1").get("/appointments/faces", params={"service": "general"})
    got = {a["code"]: a for a in listed.json()}[code]
    assert base64.b64decode(got["template"]) == raw  # the kiosk gets the template itself


def test_closed_cases_lose_their_personal_data_after_the_retention(make_daemon, caplog) -> None:
    cfg = handling_config(submissions={"retention_days": 30})
    d = make_daemon(cfg)
    kiosk = d.api("kiosk-token-1")
    done, rejected, still_open = (kiosk.post("/submissions", marriage(s)).json() for s in (6, 7, 8))
    staff = d.staff("S001", 1)
    staff.post(f"/submissions/{done['id']}/accept", {})
    assert staff.post(f"/submissions/{done['id']}/finish", {}).json()["status"] == "finished"
    assert staff.post(f"/submissions/{rejected['id']}/reject", {}).json()["status"] == "returned"
    folder = d.data_dir / "submissions"
    d.stop()
    d.shift_s = 29 * 86400  # not yet
    d.start()
    staff = d.staff("S001", 1)
    assert staff.get(f"/submissions/{done['id']}").json()["applicant"]["name"] == NAME
    d.stop()
    d.shift_s = 31 * 86400  # 31 days after the cases closed: housekeeping at start
    with caplog.at_level(logging.INFO, logger="hall"):
        d.start()
    assert any("retention" in r.getMessage() and " 2 " in r.getMessage() for r in caplog.records)
    staff = d.staff("S001", 1)
    for case in (done, rejected):
        view = staff.get(f"/submissions/{case['id']}").json()
        assert view["archived"] is True and view["applicant"] == {} and view["form"] == {}
        assert view["receipt"] == case["receipt"] and view["matter"] == "MZ-HY-001"
        assert [m["name"] for m in view["materials"]] == ["材料1", "材料2"]  # names stay
        assert not (folder / case["id"]).exists()
        assert row(d, case["id"])["id_fp"] == ""
        r = kiosk.post("/progress", {"receipt": case["receipt"], "id_number": ID_NUMBER})
        assert r.status_code == 410 and r.json()["error"]["code"] == "case_archived", r.text
        assert "归档" in r.json()["error"]["message"]
        form = {"lang": "zh", "receipt": case["receipt"], "id_number": ID_NUMBER}
        page = requests.post(d.base + "/progress", data=form, timeout=10)  # the citizen's page
        assert (
            page.status_code == 410 and "已按规定删除" in page.text and "query-error" in page.text
        )
    kept = staff.get(f"/submissions/{still_open['id']}").json()
    assert kept["archived"] is False and kept["applicant"]["id_number"] == ID_NUMBER
    assert len(list((folder / still_open["id"]).iterdir())) == 2
    listing = staff.get("/submissions").json()["submissions"]  # statistics keep every case
    assert {c["status"] for c in listing} == {"finished", "returned", "received"}
    assert wait_until(lambda: personal(stored_bytes(d)) == [], 10)  # still open: sealed anyway


@pytest.mark.process  # the umask is the process's: a real `python -m hall.queue`
def test_every_file_the_daemon_makes_is_private(daemon: Daemon) -> None:
    r = daemon.api("kiosk-token-1").post("/submissions", wire(9))
    assert r.status_code == 201, r.text
    made = [
        p
        for p in daemon.data_dir.rglob("*")
        if not p.name.startswith("daemon-")  # the test's own log of the process
    ]
    names = {p.relative_to(daemon.data_dir).as_posix() for p in made}
    assert {"hall.sqlite3", "keys/hall.keys", f"submissions/{r.json()['id']}"} <= names
    loose = {
        p.relative_to(daemon.data_dir).as_posix(): stat.filemode(p.stat().st_mode)
        for p in made
        if p.stat().st_mode & 0o077
    }
    assert loose == {}


def test_images_written_are_jpegs_of_the_recorded_sha(hall: Daemon) -> None:
    """The sha256 recorded for a material stays the plain JPEG's."""
    image = jpeg(99)
    body = wire(10)
    body["materials"] = [
        {
            "name": "材料1",
            "mandatory": True,
            "sha256": hashlib.sha256(image).hexdigest(),
            "jpeg_b64": base64.b64encode(image).decode(),
        }
    ]
    sid = hall.api("kiosk-token-1").post("/submissions", body).json()["id"]
    materials = json.loads(row(hall, sid)["materials"])
    assert materials == [
        {
            "name": "材料1",
            "mandatory": True,
            "sha256": body["materials"][0]["sha256"],
            "file": f"{sid}/00.jpg.sealed",
        }
    ]
    ring = Keyring.open(hall.data_dir / "keys" / "hall.keys")
    sealed = (hall.data_dir / "submissions" / sid / "00.jpg.sealed").read_bytes()
    assert sealing.unseal(ring, sealed, f"submission:{sid}/00.jpg") == image


def test_rotate_key_seals_new_cases_with_the_new_key_and_old_ones_still_open(
    make_daemon,
) -> None:
    """``python -m hall.queue rotate-key data`` with the daemon stopped, as SECURITY.md says."""
    hall = make_daemon(hall_config())
    kiosk = hall.api("kiosk-token-1")
    old = kiosk.post("/submissions", marriage(11)).json()["id"]
    hall.stop()
    argv = [sys.executable, "-m", "hall.queue", "rotate-key", "data"]
    argv += ["--config", str(hall.config_path), "--data-dir", str(hall.data_dir)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "data-2" in done.stdout
    hall.start()
    new = hall.api("kiosk-token-1").post("/submissions", marriage(12)).json()["id"]

    def sealed_with(sid: str) -> str:
        text = row(hall, sid)["applicant"]
        return sealing.key_id(base64.b64decode(text.removeprefix("sealed:")))

    assert (sealed_with(old), sealed_with(new)) == ("data-1", "data-2")
    manager = hall.api("manager-token-1")
    for sid in (old, new):
        assert manager.get(f"/submissions/{sid}").json()["applicant"]["name"] == NAME
    # The fingerprint key is not rotatable, and no key file is ever made by the command.
    argv[4] = "fingerprint"
    assert subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=60).returncode == 2
    argv[4:5] = ["ledger"]
    elsewhere = argv[:-1] + [str(hall.data_dir / "nowhere")]
    done = subprocess.run(elsewhere, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no key file" in done.stderr
    assert not (hall.data_dir / "nowhere").exists()


def test_the_content_digest_confirms_no_guess_and_old_retries_still_match(make_daemon) -> None:
    """A plain SHA-256 of the whole case would let a copy of the store confirm a guess."""
    hall = make_daemon(handling_config())
    kiosk = hall.api("kiosk-token-1")
    body = marriage(21)
    sid = kiosk.post("/submissions", body).json()["id"]
    content = case_content(SubmissionIn.model_validate(body))
    stored = row(hall, sid)["content_sha"]
    assert stored != submissions.legacy_content_sha(content)  # no guess can be checked
    key = Keyring.open(hall.data_dir / "keys" / "hall.keys").current("fingerprint").secret
    assert stored == submissions.content_sha(content, key)
    assert kiosk.post("/submissions", body).status_code == 200  # a retry is a retry
    # A case an older version stored (unkeyed digest): its terminal's retry still matches.
    hall.stop()
    con = sqlite3.connect(hall.data_dir / "hall.sqlite3")
    legacy = submissions.legacy_content_sha(content)
    con.execute("UPDATE submissions SET content_sha = ? WHERE id = ?", (legacy, sid))
    con.commit()
    con.close()
    hall.start()
    assert hall.api("kiosk-token-1").post("/submissions", body).status_code == 200
    other = {**body, "form": {**body["form"], "marriage_date": "2011-05-01"}}
    r = hall.api("kiosk-token-1").post("/submissions", other)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_conflict"
