"""The daemon's secret keys, kept in a key file outside the database.

A copy of the database alone must not let anyone read applicant data, work out
whose ID number a fingerprint is, or re-forge the ratings ledger. So the keys
for those live in a separate file (``storage.key_file``, mode 0600), made at
the first start and never written into the database. Back it up apart from the
database: a backup of the database without the key file cannot be read, and
the key file without the database is useless.

Each *purpose* has a list of keys, newest last. New data is sealed with the
newest; every key stays to read what it sealed, so rotating a key
(:meth:`Keyring.rotate`) never loses old data. The file is JSON::

    {"version": 1, "keys": {"data": [{"id": "data-1", "created": 1733.., "key": "<base64>"}]}}

The daemon's key file (:func:`key_file_path`) holds every purpose; the
terminal's (``<kiosk.data_dir>/keys/terminal.keys``, :mod:`hall.kiosk.outbox_seal`)
only ``data``, for the cases waiting in its outbox.

Purposes in use: ``data`` (AES-256-GCM for applicant data and images),
``ledger`` (HMAC-SHA256 of the ratings ledger chain), ``fingerprint`` (the
keyed hash of ID numbers; never rotated, since old fingerprints would no longer
match).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PURPOSES = ("data", "ledger", "fingerprint")
KEY_BYTES = 32  # AES-256 and HMAC-SHA256 keys alike
FORMAT_VERSION = 1


class KeyFileError(RuntimeError):
    """The key file cannot be read, is malformed, or is open to other users."""


@dataclass(frozen=True)
class Key:
    """One key of a purpose: its id (stored beside what it sealed) and its bytes."""

    id: str
    secret: bytes
    created: float


class Keyring:
    """The keys of one key file, by purpose; made and rotated by this class only."""

    def __init__(
        self, path: Path, keys: dict[str, list[Key]], purposes: tuple[str, ...] = PURPOSES
    ) -> None:
        self.path = path
        self._keys = keys
        self.purposes = purposes

    @classmethod
    def open(
        cls,
        path: str | Path,
        imported: dict[str, bytes] | None = None,
        purposes: tuple[str, ...] = PURPOSES,
    ) -> Keyring:
        """Load the key file, making it (mode 0600) with fresh keys if it is absent.

        ``imported`` gives keys for purposes the file lacks (e.g. the ID
        fingerprint key that older versions kept in the database), taken as
        that purpose's first key instead of a fresh one. ``purposes``: the ones
        this file holds (the daemon's: all; the terminal's: ``("data",)``).
        """
        path = Path(path)
        if unknown := set(purposes) - set(PURPOSES):
            raise ValueError(f"unknown key purpose(s) {sorted(unknown)!r}")
        if path.exists():
            ring = cls(path, _load(path), purposes)
        else:
            ring = cls(path, {}, purposes)
        missing = [p for p in purposes if not ring._keys.get(p)]
        if missing:
            for purpose in missing:
                given = (imported or {}).get(purpose)
                ring._keys[purpose] = [_new_key(purpose, 1, given)]
            ring._save()
            log.warning("key file %s: made keys for %s; back it up", path, ", ".join(missing))
        return ring

    @staticmethod
    def check(path: str | Path) -> None:
        """Raise :class:`KeyFileError` if an existing key file is unreadable or open to others."""
        if Path(path).exists():
            _load(Path(path))

    def current(self, purpose: str) -> Key:
        """The newest key of ``purpose``: the one that seals new data."""
        return self._of(purpose)[-1]

    def get(self, purpose: str, key_id: str) -> Key:
        """The key of ``purpose`` with ``key_id`` (KeyError if the file has no such key)."""
        for key in self._of(purpose):
            if key.id == key_id:
                return key
        raise KeyError(f"key file {self.path} has no {purpose} key {key_id!r}")

    def keys(self, purpose: str) -> list[Key]:
        """Every key of ``purpose``, oldest first."""
        return list(self._of(purpose))

    def rotate(self, purpose: str) -> Key:
        """Add a new key for ``purpose``; new data uses it, old keys stay to read old data."""
        if purpose == "fingerprint":
            raise ValueError("the fingerprint key cannot be rotated: stored fingerprints use it")
        keys = self._of(purpose)
        key = _new_key(purpose, len(keys) + 1)
        keys.append(key)
        self._save()
        return key

    def _of(self, purpose: str) -> list[Key]:
        if purpose not in self.purposes:
            raise ValueError(f"unknown key purpose {purpose!r} for key file {self.path}")
        return self._keys[purpose]

    def _save(self) -> None:
        """Write the file atomically, never readable by others even for an instant."""
        body = {
            "version": FORMAT_VERSION,
            "keys": {
                purpose: [
                    {
                        "id": k.id,
                        "created": k.created,
                        "key": base64.b64encode(k.secret).decode(),
                    }
                    for k in keys
                ]
                for purpose, keys in self._keys.items()
            },
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(self.path.name + ".tmp")
        if tmp.exists():
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(body, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def key_file_path(config: Any, data_dir: str | None = None) -> Path:
    """Where a hall's key file is: ``storage.key_file``, else keys/hall.keys under data_dir."""
    if config.storage.key_file:
        return Path(config.storage.key_file)
    return Path(data_dir or config.storage.data_dir) / "keys" / "hall.keys"


def _new_key(purpose: str, number: int, secret: bytes | None = None) -> Key:
    secret = secret if secret is not None else secrets.token_bytes(KEY_BYTES)
    return Key(f"{purpose}-{number}", secret, time.time())


def _load(path: Path) -> dict[str, list[Key]]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is open to other users (mode {stat.filemode(mode)}): "
            f"run chmod 600 {path}"
        )
    try:
        body = json.loads(path.read_text())
        if body.get("version") != FORMAT_VERSION:
            raise ValueError(f"version {body.get('version')!r}, expected {FORMAT_VERSION}")
        keys: dict[str, list[Key]] = {}
        for purpose, entries in body["keys"].items():
            if purpose not in PURPOSES:
                raise ValueError(f"unknown purpose {purpose!r}")
            keys[purpose] = [
                Key(str(e["id"]), base64.b64decode(e["key"], validate=True), float(e["created"]))
                for e in entries
            ]
            if any(len(k.secret) != KEY_BYTES for k in keys[purpose]):
                raise ValueError(f"a {purpose} key is not {KEY_BYTES} bytes")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"key file {path} cannot be read: {exc}") from exc
    return keys
