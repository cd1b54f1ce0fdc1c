"""The sending half of the terminal outbox (hall/kiosk/outbox.py): passes, health, alert.

:class:`OutboxSender` is mixed into :class:`~hall.kiosk.outbox.TerminalOutbox`:
each pass (:meth:`OutboxSender.pump`) sends the pending cases that are due,
then the ratings, then tells the daemon the outbox's health as the device
``outbox@<kiosk id>`` (ok | error, with a line naming what is stuck or
refused), so staff see it in the device list. The rules (final answers,
back-off, upload timeout) are in :mod:`hall.kiosk.forwarding`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hall.config.kiosk import OutboxSection
from hall.kiosk.client import DaemonClient, DaemonError, DaemonUnavailable
from hall.kiosk.forwarding import (
    AUTH_STATUS,
    OutboxHealth,
    RetryState,
    Verdict,
    classify,
    describe,
    upload_timeout,
)
from hall.kiosk.outbox_seal import is_sealed_record, open_record, read_image
from hall.secrets.keyring import Keyring
from hall.secrets.sealing import SealError

log = logging.getLogger(__name__)

#: The longest wait between two passes when nothing is due (a stored case wakes it sooner).
IDLE_S = 5.0
#: The outbox's state is sent again this often even unchanged (the daemon keeps it in memory).
REPORT_EVERY_S = 300.0
#: While refused cases wait for staff, this often: the answer says which were taken up.
ACK_POLL_S = 30.0
#: A reason code as the daemon's device report takes it (hall/queue/web/api/devices.py).
_REASON = re.compile(r"[a-z0-9_]{1,64}")


class OutboxSender:
    """Forwarding passes over the outbox's store; see the module docstring."""

    # Set up by TerminalOutbox.__init__.
    client: DaemonClient | None
    settings: OutboxSection
    retry: RetryState
    clock: Callable[[], float]
    terminal: str
    tz: dt.tzinfo
    images: Path
    keyring: Keyring  # the terminal's key file: a waiting case is sealed (outbox_seal)
    device_id: str
    _db: sqlite3.Connection
    _lock: threading.Lock
    _stop: threading.Event
    _wake: threading.Event
    _status: str
    _reported: tuple[str, str] | None
    _reported_at: float
    _report_refused: bool  # the daemon refused the last report for the token (401/403)

    def _forward_ratings(self) -> bool:  # pragma: no cover - TerminalOutbox defines it
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.pump()
            except Exception:  # a bug must not end forwarding for good: log, wait, go on
                log.exception("terminal outbox: a forwarding pass failed")
                wait = self.settings.retry_max_s
            self._wake.wait(wait)
            self._wake.clear()

    def pump(self) -> float:
        """One forwarding pass: send what is due, then report the outbox's health.

        Returns the seconds until something may be tried again (at most
        :data:`IDLE_S`). The thread calls it; tests call it with their clock.
        """
        if self.client is None or self.retry.held() > 0:
            return self.retry.next_in(IDLE_S)
        with self._lock:  # one connection shared by two threads: one at a time
            pending = self._db.execute(
                "SELECT id, body FROM cases WHERE state = 'pending' ORDER BY created_at"
            ).fetchall()
        reachable = True
        for case_id, stored in pending:
            if self._stop.is_set():
                return 0.0
            if not self.retry.due(case_id):
                continue
            try:  # opened just before it is sent
                body = open_record(self.keyring, case_id, stored)
            except SealError as exc:
                self._unreadable(case_id, exc)
                continue
            if not self.forward_one(case_id, body):
                reachable = False
                break
        # Ratings only after the cases: the daemon must know a case before its rating.
        if reachable and not self._stop.is_set():
            self._forward_ratings()
        self.report_health()
        return self.retry.next_in(IDLE_S)

    def wire_body(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON the daemon gets for a pending case: the record plus its images."""
        folder = self.images / case_id
        with self._lock:
            row = self._db.execute("SELECT body FROM cases WHERE id = ?", (case_id,)).fetchone()
        sealed = row is not None and is_sealed_record(row[0])  # else stored by an older outbox
        wire = dict(body)
        wire["materials"] = [
            {
                **m,
                "jpeg_b64": base64.b64encode(
                    read_image(self.keyring, folder, case_id, i, sealed)
                ).decode(),
            }
            for i, m in enumerate(body["materials"])
        ]
        return wire

    def forward_one(self, case_id: str, body: dict[str, Any]) -> bool:
        """Send one case; False if the daemon cannot take any case now (the pass stops).

        Only a final refusal (hall.kiosk.forwarding.FINAL_REFUSALS) marks the case
        ``rejected``; it is kept for staff, never dropped. Any other failure leaves
        it pending, to be sent again after a back-off.
        """
        try:
            wire = self.wire_body(case_id, body)
        except SealError as exc:
            self._unreadable(case_id, exc)
            return True
        size = len(json.dumps(body)) + sum(len(m["jpeg_b64"]) for m in wire["materials"])
        try:
            self.client.submit(wire, timeout=upload_timeout(size, self.settings))
        except DaemonError as exc:
            verdict = classify(exc)
            wait = self.retry.failed(exc, verdict, case_id)
            if verdict is Verdict.FINAL:
                log.error("case %s refused for good: %s", body["receipt"], describe(exc))
                self._note(case_id, describe(exc), state="rejected")
                return True
            log.warning(
                "case %s not forwarded (%s); again in %.0f s", body["receipt"], describe(exc), wait
            )
            self._note(case_id, describe(exc))
            return verdict is Verdict.CASE
        self.retry.succeeded(case_id)
        self._forwarded(case_id, body)
        return True

    # -- health (the alert) ----------------------------------------------------
    def health(self) -> OutboxHealth:
        """Whether cases are being forwarded (see :class:`~hall.kiosk.forwarding.OutboxHealth`).

        A store that cannot be read (closed, disk failure) is ``broken``: said,
        never raised, so the kiosk goes on issuing tickets and tells staff.
        """
        try:
            return self._health()
        except sqlite3.Error as exc:
            log.error("outbox store unreadable: %s", exc)
            return OutboxHealth(status="broken", error=f"store: {exc}"[:200])

    def _health(self) -> OutboxHealth:
        with self._lock:
            failing = self._db.execute(
                "SELECT count(*), min(created_at) FROM (SELECT created_at FROM cases"
                " WHERE state = 'pending' AND last_error IS NOT NULL UNION ALL"
                " SELECT created_at FROM ratings WHERE state = 'pending' AND last_error IS NOT NULL)"
            ).fetchone()
            error = self._db.execute(
                "SELECT last_error FROM cases WHERE state = 'pending' AND last_error IS NOT NULL"
                " UNION ALL SELECT last_error FROM ratings"
                " WHERE state = 'pending' AND last_error IS NOT NULL LIMIT 1"
            ).fetchone()
            rejected = self._db.execute(
                "SELECT receipt, last_error FROM cases WHERE state = 'rejected' ORDER BY created_at"
            ).fetchall()
            waiting = self._db.execute(
                "SELECT count(*) FROM cases WHERE state = 'pending'"
            ).fetchone()[0]
        count, since = failing
        late = since is not None and self.clock() - since >= self.settings.alert_after_s
        stuck = count > 0 and (self.retry.auth_refused or late)
        return OutboxHealth(
            status="stuck" if stuck else "rejected" if rejected else "ok",
            failing=count,
            since=since,
            error=error[0] if error else None,
            rejected=tuple((r, (e or "").split(":")[0]) for r, e in rejected),
            token_refused=self.retry.auth_refused or self._report_refused,
            waiting=waiting,
        )

    def report_health(self) -> OutboxHealth:
        """Log a change of health and tell the daemon (sent again when changed or stale).

        The report lists the refused cases (receipt, reason code); the daemon's
        answer names those a manager acknowledged, which are cleared here at once
        (:meth:`clear_acked`) and the health reported again.
        """
        health = self.health()
        detail = health.detail(self.terminal, self.tz)
        if health.status != self._status:
            level = logging.INFO if health.status == "ok" else logging.ERROR
            log.log(level, "terminal outbox %s: %s", health.status, detail)
            self._status = health.status
        state, now = (health.device_status, detail), self.clock()
        every = ACK_POLL_S if health.rejected else REPORT_EVERY_S
        if self.client is None or (state == self._reported and now - self._reported_at < every):
            return health
        rejected = [
            {"receipt": r, "reason": reason if _REASON.fullmatch(reason) else ""}
            for r, reason in health.rejected
        ]
        try:
            answer = self.client.report_device(self.device_id, "outbox", *state, rejected=rejected)
        except DaemonError as exc:  # a wrong token too: the kiosk's log and health() show it
            log.info("outbox report not delivered (%s); will retry", exc.code)
            refused = not isinstance(exc, DaemonUnavailable) and exc.status in AUTH_STATUS
            if refused != self._report_refused:
                self._report_refused = refused
                return self.health()
            return health
        self._reported, self._reported_at, self._report_refused = state, now, False
        if self.clear_acked(answer.get("acked") or []):
            return self.report_health()  # tell the daemon at once: it marks them cleared
        return health

    def clear_acked(self, receipts: list[str]) -> int:
        """Staff took these refused cases up: remove their personal data and images.

        What stays is what identifies the case, not the person (as for a forwarded
        case); the case is ``cleared`` and no longer alerts. Returns how many.
        """
        if not receipts:
            return 0
        marks = ",".join("?" * len(receipts))
        with self._lock:
            found = self._db.execute(
                "SELECT id, receipt, body FROM cases"
                f" WHERE state = 'rejected' AND receipt IN ({marks})",
                receipts,
            ).fetchall()
        for case_id, receipt, body in found:
            try:
                full = open_record(self.keyring, case_id, body)
            except SealError:  # it never opened here (sealed_unreadable): the columns name it
                full = {"id": case_id, "receipt": receipt}
            kept = {k: full[k] for k in ("id", "receipt", "matter", "submitted_at") if k in full}
            with self._lock:
                self._db.execute(
                    "UPDATE cases SET state = 'cleared', body = ? WHERE id = ?",
                    (json.dumps(kept, ensure_ascii=False), case_id),
                )
            shred(self.images / case_id)
            log.warning("refused case %s taken up by staff: personal data removed", kept["receipt"])
        return len(found)

    def _unreadable(self, case_id: str, exc: SealError) -> None:
        """A sealed case that does not open (another key file, altered): kept for staff.

        Retrying cannot mend it, so it is refused like a final answer and the
        alert names it; its sealed data stays until a manager takes it up.
        """
        log.error("case %s cannot be opened with the terminal's key file: %s", case_id, exc)
        self._note(case_id, f"sealed_unreadable: {exc}", state="rejected")

    def _note(self, case_id: str, error: str, state: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE cases SET attempts = attempts + 1, last_error = ?,"
                " state = coalesce(?, state) WHERE id = ?",
                (error, state, case_id),
            )

    def _forwarded(self, case_id: str, body: dict[str, Any]) -> None:
        # The daemon has it: keep only what identifies the case, not the person.
        kept = {k: body[k] for k in ("id", "receipt", "matter", "submitted_at")}
        if "rating_key" in body:  # the terminal's own rating of the case presents it
            kept["rating_key"] = body["rating_key"]
        with self._lock:
            self._db.execute(
                "UPDATE cases SET state = 'forwarded', forwarded_at = ?, body = ?,"
                " attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (self.clock(), json.dumps(kept, ensure_ascii=False), case_id),
            )
        shred(self.images / case_id)


def shred(folder: Path) -> None:
    """Overwrite a case's images with zeros, sync, then remove them and the folder.

    On flash storage (wear levelling) the old blocks may survive an overwrite;
    it still keeps the images out of reach of an undelete of the file system.
    """
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            with open(path, "r+b") as f:
                f.write(bytes(path.stat().st_size))
                f.flush()
                os.fsync(f.fileno())
            path.unlink()
        except OSError:  # removed below all the same
            log.warning("could not overwrite %s before removing it", path.name)
    shutil.rmtree(folder, ignore_errors=True)
