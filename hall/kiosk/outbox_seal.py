"""The terminal outbox's waiting cases, sealed at rest with the terminal's own key file.

While a case waits on the terminal (pending, or refused and kept for staff),
its record in the outbox's SQLite ``cases`` table (applicant, form, materials'
digests, rating key) and its material images are sealed with AES-256-GCM
(:mod:`hall.secrets.sealing`) under the ``data`` key of the terminal's key file
(:mod:`hall.secrets.keyring`; ``<kiosk.data_dir>/keys/terminal.keys``, mode
0600, made at the first start). A copy of the outbox folder without that file
shows nobody's name, ID number, phone or papers.

Each blob is bound to its place: the record to ``outbox:<case id>:body``, an
image to ``outbox:<case id>/<nn>.jpg``; the image files are ``<nn>.jpg.sealed``.
A record stored by an older outbox is plain JSON with plain ``<nn>.jpg`` images:
it is still read and forwarded as it is. A forwarded or cleared case's record
keeps only what identifies the case, not the person, and is plain.

The forwarding opens a case just before it is sent: what the daemon receives
is unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hall import durable
from hall.secrets import sealing
from hall.secrets.keyring import Keyring

#: The terminal's key file under ``kiosk.data_dir`` (beside the ``outbox`` folder).
KEY_FILE = Path("keys") / "terminal.keys"
#: The terminal seals; it keeps no ledger and no ID fingerprints.
PURPOSES = ("data",)


def open_keyring(path: str | Path) -> Keyring:
    """The terminal's key file at ``path``, made (mode 0600) with a fresh data key if absent."""
    return Keyring.open(path, purposes=PURPOSES)


def seal_record(ring: Keyring, case_id: str, body: dict[str, Any]) -> str:
    """A waiting case's record as its ``body`` column holds it: sealed JSON."""
    return sealing.seal_text(ring, json.dumps(body, ensure_ascii=False), _record_place(case_id))


def open_record(ring: Keyring, case_id: str, stored: str) -> dict[str, Any]:
    """The record of ``case_id`` from its ``body`` column, sealed or (older outbox) plain.

    Raises :class:`~hall.secrets.sealing.SealError` if a sealed record does not open.
    """
    if sealing.is_sealed_text(stored):
        return json.loads(sealing.unseal_text(ring, stored, _record_place(case_id)))
    return json.loads(stored)


def is_sealed_record(stored: str) -> bool:
    """Whether a ``body`` column holds a sealed record (its images are sealed too)."""
    return sealing.is_sealed_text(stored)


def write_image(ring: Keyring, folder: Path, case_id: str, index: int, jpeg: bytes) -> Path:
    """Seal one material image into ``folder`` (written and fsynced); its path."""
    path = folder / f"{index:02d}.jpg.sealed"
    durable.write_synced(path, sealing.seal(ring, jpeg, _image_place(case_id, index)))
    return path


def read_image(ring: Keyring, folder: Path, case_id: str, index: int, sealed: bool) -> bytes:
    """The JPEG of one material: opened if the case is sealed, else (older outbox) as stored.

    Whether the images are sealed follows the case's record, never the file: a
    sealed case's image must open with the key and its place.
    """
    if not sealed:
        return (folder / f"{index:02d}.jpg").read_bytes()
    blob = (folder / f"{index:02d}.jpg.sealed").read_bytes()
    return sealing.unseal(ring, blob, _image_place(case_id, index))


def _record_place(case_id: str) -> str:
    return f"outbox:{case_id}:body"


def _image_place(case_id: str, index: int) -> str:
    return f"outbox:{case_id}/{index:02d}.jpg"
