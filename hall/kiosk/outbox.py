"""The terminal's durable outbox for self-service submissions (自助申报).

A 24-hour terminal runs unattended and its network can drop, so a submission
is stored on the terminal's own disk first: the material images are written
and fsynced, then one SQLite transaction (WAL, synchronous=FULL) records the
case and takes its receipt number. Only after that COMMIT does the citizen see
a receipt. A forwarding thread then sends each case to the daemon with its id
as the idempotency key, retrying with back-off; once the daemon has it, the
personal data and images are removed from the terminal. Which answers are
final, the back-off, the upload timeout (it grows with the case's size) and
the outbox's alert (``outbox@<kiosk id>`` in the daemon's device list) are
in :mod:`hall.kiosk.forwarding`; a case is never dropped: one the daemon
refuses for good stays here as ``rejected`` and the alert names it, until a
manager takes it up on the daemon; then its personal data and images are
removed and it is ``cleared`` (:meth:`OutboxSender.clear_acked`).

After a crash or power cut, :meth:`TerminalOutbox.recover` removes image
folders that no committed case points to: such a case was never acknowledged.

A citizen's rating of the self-service (好差评, :meth:`TerminalOutbox.rate`)
is kept in the same store, committed before the thank-you is shown, and
forwarded (``POST /evaluations/kiosk``) only after its case: the daemon
refuses a rating for a case it does not know. A rating the daemon refuses
(already rated, case refused ...) is kept as ``refused`` with the reason and
never sent again.

Each case gets its rating key when it is stored (:attr:`Stored.rating_key`,
128 random bits): the notice prints it in its QR code, the case carries it to
the daemon (which keeps only its digest), and the terminal's own rating of the
case presents it. It stays in the case's record after forwarding, for that
rating; it identifies no one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import secrets
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hall import durable
from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient, DaemonError
from hall.kiosk.forwarding import Backoff, RetryState, Verdict, classify, describe
from hall.kiosk.outbox_seal import KEY_FILE, open_keyring, open_record, seal_record, write_image
from hall.kiosk.outbox_send import OutboxSender, shred

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL UNIQUE,
    day TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,            -- pending | forwarded | rejected | cleared (taken up by staff)
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    forwarded_at REAL
);
CREATE INDEX IF NOT EXISTS ix_cases_state ON cases(state, created_at);
CREATE TABLE IF NOT EXISTS ratings (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),  -- one rating per case (一次一评)
    level INTEGER NOT NULL,          -- 5 非常满意 ... 1 非常不满意
    tags TEXT NOT NULL,              -- JSON list of reason tags
    comment TEXT NOT NULL,
    state TEXT NOT NULL,             -- pending | sent | refused
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at REAL
);
CREATE INDEX IF NOT EXISTS ix_ratings_state ON ratings(state, created_at);
"""


@dataclass(frozen=True)
class Material:
    """One captured material (a JPEG of the rectified page)."""

    name: str
    mandatory: bool
    jpeg: bytes


@dataclass
class Draft:
    """What the citizen filled in, ready to be stored."""

    matter: str
    applicant: dict[str, Any]  # name, id_number, phone
    form: dict[str, Any]
    materials: list[Material] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # mandatory materials not given: 补正
    promised_date: dt.date | None = None
    # 人证比对: face_matched | failed | skipped (hall.kiosk.submission.IDENTITY_CHECKS);
    # None: no comparison was offered. A plain flag, never face data.
    identity_check: str | None = None


@dataclass(frozen=True)
class Stored:
    """A case durable on the terminal: safe to show its receipt."""

    id: str
    receipt: str
    submitted_at: dt.datetime
    rating_key: str = ""  # printed in the notice's QR code; rates the case


class TerminalOutbox(OutboxSender):
    """Store first, forward later; see the module docstring."""

    def __init__(
        self,
        folder: str | Path,
        terminal: str,
        terminal_code: str,
        client: DaemonClient | None = None,
        timezone: str = "Asia/Shanghai",
        retry_initial_s: float | None = None,
        retry_max_s: float | None = None,
        clock: Callable[[], float] = time.time,
        settings: OutboxSection | None = None,
        device_id: str | None = None,
        rng: random.Random | None = None,
        key_file: str | Path | None = None,
    ) -> None:
        """Open (or create) the store in ``folder`` and remove what a crash left.

        ``settings``: timeouts, back-off, alert (kiosk.outbox); ``retry_*_s`` override
        its back-off. ``device_id``: this outbox in the daemon's device list
        (``outbox@<kiosk id>``). ``key_file``: the terminal's key file that seals the
        waiting cases (:mod:`hall.kiosk.outbox_seal`); by default ``keys/terminal.keys``
        beside ``folder``, as under ``kiosk.data_dir``. ``clock`` and ``rng`` (the
        jitter) are for tests.
        """
        given = {"retry_initial_s": retry_initial_s, "retry_max_s": retry_max_s}
        self.settings = (settings or OutboxSection()).model_copy(
            update={k: v for k, v in given.items() if v is not None}
        )
        self.device_id = device_id or f"outbox@terminal-{terminal_code}"
        self.folder = Path(folder)
        self.images = self.folder / "materials"
        self.images.mkdir(parents=True, exist_ok=True)
        self.keyring = open_keyring(key_file or self.folder.parent / KEY_FILE)
        self.terminal = terminal
        self.terminal_code = terminal_code
        self.client = client
        self.tz = ZoneInfo(timezone)
        self.clock = clock
        s = self.settings
        backoff = Backoff(s.retry_initial_s, s.retry_max_s, s.retry_jitter, rng or random.Random())
        self.retry = RetryState(backoff, lambda: self.clock())
        self._status = "ok"  # the health last logged
        self._reported: tuple[str, str] | None = None  # the state last delivered to the daemon
        self._reported_at = float("-inf")
        self._report_refused = False
        self._db = sqlite3.connect(
            self.folder / "outbox.sqlite3", isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a receipt shown is a case on disk
        # A forwarded or cleared case's personal data is overwritten, not just unlinked.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.recover()

    # -- storing ---------------------------------------------------------------
    def store(self, draft: Draft) -> Stored:
        """Make a case durable and give it a receipt number; only then may it be shown."""
        case_id = uuid.uuid4().hex
        now = self.clock()
        local = dt.datetime.fromtimestamp(now, self.tz)
        part = self.images / f"{case_id}.part"
        part.mkdir()
        materials = []
        for i, m in enumerate(draft.materials):
            write_image(self.keyring, part, case_id, i, m.jpeg)  # sealed while it waits
            materials.append(
                {
                    "name": m.name,
                    "mandatory": m.mandatory,
                    "sha256": hashlib.sha256(m.jpeg).hexdigest(),
                }
            )
        durable.fsync_dir(part)
        durable.replace(part, self.images / case_id)
        body = {
            "id": case_id,
            "terminal": self.terminal,
            "matter": draft.matter,
            "submitted_at": local.isoformat(),
            "applicant": draft.applicant,
            "form": draft.form,
            "materials": materials,
            "missing": draft.missing,
            "promised_date": draft.promised_date.isoformat() if draft.promised_date else None,
        }
        if draft.identity_check is not None:  # absent, the wire is as before the flag existed
            body["identity_check"] = draft.identity_check
        body["rating_key"] = secrets.token_urlsafe(16)
        day = local.strftime("%Y%m%d")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = self._db.execute(
                    "SELECT coalesce(max(seq), 0) + 1 FROM cases WHERE day = ?", (day,)
                ).fetchone()[0]
                receipt = f"ZZ{self.terminal_code}{day}{seq:04d}"
                body["receipt"] = receipt
                self._db.execute(
                    "INSERT INTO cases (id, receipt, day, seq, body, state, created_at)"
                    " VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                    (case_id, receipt, day, seq, seal_record(self.keyring, case_id, body), now),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                shutil.rmtree(self.images / case_id, ignore_errors=True)
                raise
        self._wake.set()
        return Stored(case_id, receipt, local, body["rating_key"])

    def record(self, case_id: str) -> dict[str, Any]:
        """The stored record of ``case_id``, opened (KeyError if there is none)."""
        with self._lock:
            row = self._db.execute("SELECT body FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            raise KeyError(case_id)
        return open_record(self.keyring, case_id, row[0])

    def recover(self) -> list[str]:
        """Remove image folders no pending case needs; return their names.

        Such a folder's case was never committed, or was already forwarded when the
        power went.
        """
        with self._lock:
            known = {
                r[0]
                for r in self._db.execute(
                    "SELECT id FROM cases WHERE state IN ('pending', 'rejected')"
                )
            }
        removed = []
        for path in self.images.iterdir():
            if path.name.removesuffix(".part") not in known or path.suffix == ".part":
                shred(path)
                removed.append(path.name)
        if removed:
            log.warning("removed %d unacknowledged case folder(s) after a restart", len(removed))
        return removed

    def cases(self, state: str | None = None) -> list[dict[str, Any]]:
        """Cases on the terminal (state, receipt, attempts, last error)."""
        query = "SELECT id, receipt, state, attempts, last_error FROM cases"
        with self._lock:
            rows = self._db.execute(
                query + (" WHERE state = ?" if state else ""), (state,) if state else ()
            ).fetchall()
        keys = ("id", "receipt", "state", "attempts", "last_error")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # -- ratings (好差评) ------------------------------------------------------
    def rate(self, case_id: str, level: int, tags: Sequence[str] = (), comment: str = "") -> bool:
        """Keep the citizen's rating of a stored case; only then may "thank you" show.

        One rating per case (一次一评): False if the case already has one here
        (or is not a case of this terminal). It is forwarded after the case.
        """
        if level not in range(1, 6):
            raise ValueError(f"a rating level is 1..5, not {level!r}")
        tags_json = json.dumps(list(tags), ensure_ascii=False)
        with self._lock:
            # One statement, one transaction, committed (synchronous=FULL) before we return.
            cursor = self._db.execute(
                "INSERT INTO ratings (case_id, level, tags, comment, state, created_at)"
                " SELECT id, ?, ?, ?, 'pending', ? FROM cases WHERE id = ?"
                " ON CONFLICT (case_id) DO NOTHING",
                (level, tags_json, comment, self.clock(), case_id),
            )
        stored = cursor.rowcount == 1
        if stored:
            self._wake.set()
        return stored

    def ratings(self, state: str | None = None) -> list[dict[str, Any]]:
        """Ratings on the terminal (case, receipt, level, tags, state, attempts, last error)."""
        query = (
            "SELECT r.case_id, c.receipt, r.level, r.tags, r.state, r.attempts, r.last_error"
            " FROM ratings r JOIN cases c ON c.id = r.case_id"
        )
        with self._lock:
            rows = self._db.execute(
                query + (" WHERE r.state = ?" if state else "") + " ORDER BY r.created_at",
                (state,) if state else (),
            ).fetchall()
        keys = ("case_id", "receipt", "level", "tags", "state", "attempts", "last_error")
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for r in out:
            r["tags"] = json.loads(r["tags"])
        return out

    def _forward_ratings(self) -> bool:
        """Send the ratings whose case the daemon has; False if it cannot take any now."""
        with self._lock:
            due = self._db.execute(
                "SELECT r.case_id, c.receipt, c.state, r.level, r.tags, r.comment, c.body"
                " FROM ratings r JOIN cases c ON c.id = r.case_id"
                " WHERE r.state = 'pending' AND c.state != 'pending' ORDER BY r.created_at"
            ).fetchall()
        for case_id, receipt, case_state, level, tags, comment, body in due:
            if self._stop.is_set():
                return False
            if case_state != "forwarded":  # the daemon refused the case: it cannot be rated
                self._rating_done(case_id, "refused", "case_refused: the case was not accepted")
                continue
            try:
                # None: stored before rating keys.
                key = open_record(self.keyring, case_id, body).get("rating_key", "")
                self.client.rate_submission(case_id, key, level, json.loads(tags), comment)
            except DaemonError as exc:
                if classify(exc) is Verdict.SYSTEMIC:  # down, a wrong token, 429 ...: later
                    self.retry.failed(exc, Verdict.SYSTEMIC, None)
                    self._rating_done(case_id, None, describe(exc))
                    return False
                # Already rated, unknown case ...: a final answer, never retried.
                log.warning("rating of %s refused by the daemon: %s", receipt, exc.code)
                self._rating_done(case_id, "refused", f"{exc.code}: {exc.message_en}")
                continue
            self.retry.succeeded()
            self._rating_done(case_id, "sent", None)
        return True

    def _rating_done(self, case_id: str, state: str | None, error: str | None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE ratings SET attempts = attempts + 1, last_error = ?,"
                " state = coalesce(?, state),"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE case_id = ?",
                (error, state, state, self.clock(), case_id),
            )

    # -- forwarding ------------------------------------------------------------
    def start(self) -> TerminalOutbox:
        """Start forwarding pending cases to the daemon."""
        self._thread = threading.Thread(target=self._run, name="terminal-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop forwarding and close the store."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)
        self._db.close()
