"""Face templates on the terminal that matches them, encrypted at rest (AES-256-GCM).

Templates (feature vectors, never images) are the only face data kept, and
only on the device that does the matching (the window terminal or kiosk): the
daemon keeps attendance records and consent, nothing biometric.

Each template is one file ``<kind>/<keyed hash>.bin``: a random 12-byte nonce
and the AES-GCM ciphertext of a small JSON header (subject, consent version,
expiry) plus the template bytes. The file name is an HMAC of the subject, so
a directory listing names nobody; the kind and subject are the associated
data, so a file copied under another name fails to decrypt. Deleting
overwrites the file before unlinking it.

:class:`CitizenFaces` holds a citizen's template for one appointment and
destroys it at check-in or when the slot has passed (kept no longer than the
transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hall.vision.face import FaceEngine, FaceTemplate, Match, identify

log = logging.getLogger(__name__)


class FaceStoreError(Exception):
    """Templates cannot be stored or read (no key, wrong key, damaged file)."""


class FaceStore:
    """Encrypted templates of one kind (``staff`` or ``citizen``) under a directory."""

    def __init__(self, directory: str | Path, key_hex: str | None, kind: str = "staff") -> None:
        if not key_hex:
            raise FaceStoreError(
                "face.template_key is not set: face templates are only kept encrypted"
            )
        key = bytes.fromhex(key_hex)
        if len(key) != 32:
            raise FaceStoreError("face.template_key must be 64 hex digits (256 bits)")
        self._aead = AESGCM(key)
        self._name_key = hashlib.sha256(b"hall-face-names" + key).digest()
        self.kind = kind
        self.dir = Path(directory) / kind
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)

    def _path(self, subject: str) -> Path:
        digest = hmac.new(self._name_key, f"{self.kind}:{subject}".encode(), "sha256")
        return self.dir / f"{digest.hexdigest()[:32]}.bin"

    def _aad(self, subject: str) -> bytes:
        return f"hall-face:{self.kind}:{subject}".encode()

    def save(
        self, subject: str, template: FaceTemplate, consent: str, expires_at: float | None = None
    ) -> None:
        """Encrypt and write a template (atomically; replaces an earlier one)."""
        header = json.dumps(
            {
                "subject": subject,
                "consent": consent,
                "expires_at": expires_at,
                "saved_at": time.time(),
            }
        ).encode()
        plain = len(header).to_bytes(4, "big") + header + template.to_bytes()
        nonce = secrets.token_bytes(12)
        blob = nonce + self._aead.encrypt(nonce, plain, self._aad(subject))
        path = self._path(subject)
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def _read(self, path: Path, subject: str) -> tuple[dict, FaceTemplate]:
        blob = path.read_bytes()
        nonce, body = blob[:12], blob[12:]
        try:
            plain = self._aead.decrypt(nonce, body, self._aad(subject))
        except InvalidTag:
            raise FaceStoreError(
                f"{path.name}: cannot decrypt (wrong face.template_key or damaged file)"
            ) from None
        n = int.from_bytes(plain[:4], "big")
        return json.loads(plain[4 : 4 + n]), FaceTemplate.from_bytes(plain[4 + n :])

    def load(self, subject: str) -> FaceTemplate | None:
        """The subject's template, or None when there is none."""
        path = self._path(subject)
        if not path.exists():
            return None
        return self._read(path, subject)[1]

    def header(self, subject: str) -> dict | None:
        """Consent version, expiry and save time of a subject's template (no face data)."""
        path = self._path(subject)
        return self._read(path, subject)[0] if path.exists() else None

    def delete(self, subject: str) -> bool:
        """Destroy a subject's template: overwrite, then unlink. True if there was one."""
        path = self._path(subject)
        if not path.exists():
            return False
        _shred(path)
        return True

    def gallery(self, subjects: list[str]) -> dict[str, FaceTemplate]:
        """Templates of these subjects that exist here (decrypted in memory only)."""
        found = {}
        for subject in subjects:
            template = self.load(subject)
            if template is not None:
                found[subject] = template
        return found

    def retain_only(self, subjects: list[str]) -> int:
        """Delete every template not in ``subjects`` (consent withdrawn); return how many."""
        keep = {self._path(s).name for s in subjects}
        removed = 0
        for path in self.dir.glob("*.bin"):
            if path.name not in keep:
                _shred(path)
                removed += 1
        if removed:
            log.info("%d face template(s) destroyed", removed)
        return removed


def _shred(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.write(secrets.token_bytes(size))
        f.flush()
        os.fsync(f.fileno())
    path.unlink()


class CitizenFaces:
    """A citizen's template for one appointment, destroyed after the check-in."""

    def __init__(
        self,
        directory: str | Path,
        key_hex: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = FaceStore(directory, key_hex, kind="citizen")
        #: The daemon's clock: slot ends are its times (tests and rehearsals move it).
        self.clock = clock
        self._codes: dict[str, float] = {}  # appointment code -> expiry (epoch s)
        # Whatever a previous run left belongs to transactions that are over.
        self.store.retain_only([])

    def enrol(self, code: str, template: FaceTemplate, consent: str, expires_at: float) -> None:
        """Keep a template for appointment ``code`` until ``expires_at`` (the slot's end)."""
        self.store.save(code, template, consent, expires_at)
        self._codes[code] = expires_at

    def match(self, engine: FaceEngine, probe, now: float | None = None) -> Match:
        """1:N among the appointments still open; expired templates are destroyed first."""
        self.purge(now)
        return identify(engine, probe, self.store.gallery(list(self._codes)))

    def destroy(self, code: str) -> bool:
        """The transaction is over (checked in, cancelled, or the citizen said no)."""
        self._codes.pop(code, None)
        return self.store.delete(code)

    def purge(self, now: float | None = None) -> int:
        """Destroy every template whose slot has ended; return how many."""
        now = self.clock() if now is None else now
        expired = [code for code, until in self._codes.items() if until <= now]
        for code in expired:
            self.destroy(code)
        return len(expired)
