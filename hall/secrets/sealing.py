"""Personal data sealed at rest: AES-256-GCM with the key file's ``data`` keys.

Applicant data, form values, material images and booked face templates are
stored sealed, so a copy of the database or of ``data_dir/submissions`` without
the key file (:mod:`hall.secrets.keyring`) shows nothing of anyone.

A sealed blob is::

    b"HS" | version (1 byte) | key id length (1 byte) | key id | nonce (12 bytes) | ciphertext+tag

The key id names the ``data`` key that sealed it, so rotating the key
(``Keyring.rotate("data")``) leaves old blobs readable. Every blob is bound to
its *place* by the associated data (``aad``: e.g. ``submission:<id>:applicant``
or the image's path under the submissions folder), together with the header:
the same bytes copied to another case, another column or another file do not
open. A blob that does not open raises :class:`SealError`; nothing here ever
returns bytes the key did not authenticate.

Text columns hold the blob as ASCII, ``sealed:`` + base64 (:func:`seal_text`),
which tells a sealed value from the plain JSON that older stores hold.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hall.secrets.keyring import Keyring

MAGIC = b"HS"
VERSION = 1
NONCE_BYTES = 12  # 96 bits, random per blob
TAG_BYTES = 16
TEXT_PREFIX = "sealed:"
PURPOSE = "data"


class SealError(ValueError):
    """Sealed data that cannot be opened: not sealed, unknown key, wrong place or tampered."""


def seal(ring: Keyring, plaintext: bytes, aad: str) -> bytes:
    """``plaintext`` sealed with the newest data key, bound to ``aad`` (its place)."""
    key = ring.current(PURPOSE)
    kid = key.id.encode("ascii")
    header = MAGIC + bytes((VERSION, len(kid))) + kid
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key.secret).encrypt(nonce, plaintext, header + aad.encode())


def is_sealed(blob: bytes) -> bool:
    """Whether ``blob`` starts like a sealed blob (it may still fail to open)."""
    return blob[:3] == MAGIC + bytes((VERSION,))


def key_id(blob: bytes) -> str:
    """The id of the data key that sealed ``blob`` (SealError if it is not sealed)."""
    return _split(blob)[1]


def unseal(ring: Keyring, blob: bytes, aad: str) -> bytes:
    """The plaintext of ``blob`` sealed at ``aad``; :class:`SealError` if it does not open."""
    header, kid, nonce, body = _split(blob)
    try:
        key = ring.get(PURPOSE, kid)
    except KeyError:
        raise SealError(
            f"sealed data for {aad!r} names data key {kid!r}, which key file {ring.path}"
            " does not have: the key file of another hall, or a backup older than the key?"
        ) from None
    try:
        return AESGCM(key.secret).decrypt(nonce, body, header + aad.encode())
    except InvalidTag:
        raise SealError(
            f"sealed data for {aad!r} does not open with data key {kid!r}: altered, moved"
            " from another place, or sealed with another hall's key"
        ) from None


def seal_text(ring: Keyring, text: str, aad: str) -> str:
    """``text`` sealed for a text column: ``sealed:`` + base64 of the blob."""
    return TEXT_PREFIX + base64.b64encode(seal(ring, text.encode(), aad)).decode("ascii")


def is_sealed_text(stored: str) -> bool:
    """Whether a text column's value is sealed (older stores hold plain JSON)."""
    return stored.startswith(TEXT_PREFIX)


def unseal_text(ring: Keyring, stored: str, aad: str) -> str:
    """The text sealed by :func:`seal_text`; :class:`SealError` if it does not open."""
    if not is_sealed_text(stored):
        raise SealError(f"the value for {aad!r} is not sealed")
    try:
        blob = base64.b64decode(stored[len(TEXT_PREFIX) :], validate=True)
    except binascii.Error:
        raise SealError(f"the sealed value for {aad!r} is not valid base64") from None
    try:
        return unseal(ring, blob, aad).decode()
    except UnicodeDecodeError:  # cannot happen for what seal_text sealed
        raise SealError(f"the sealed value for {aad!r} is not text") from None


def _split(blob: bytes) -> tuple[bytes, str, bytes, bytes]:
    """(header, key id, nonce, ciphertext+tag) of a sealed blob."""
    if not is_sealed(blob) or len(blob) < 4:
        raise SealError("the data is not sealed (no sealed-data header)")
    end = 4 + blob[3]
    if len(blob) < end + NONCE_BYTES + TAG_BYTES:
        raise SealError("the sealed data is truncated")
    try:
        kid = blob[4:end].decode("ascii")
    except UnicodeDecodeError:
        raise SealError("the sealed data's key id is damaged") from None
    return blob[:end], kid, blob[end : end + NONCE_BYTES], blob[end + NONCE_BYTES :]
