"""Sealing personal data at rest: AES-256-GCM with the key file's data keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.secrets import sealing
from hall.secrets.keyring import Keyring
from hall.secrets.sealing import SealError


@pytest.fixture
def ring(tmp_path: Path) -> Keyring:
    return Keyring.open(tmp_path / "keys" / "hall.keys")


def test_a_sealed_blob_opens_at_its_place_only(ring: Keyring) -> None:
    blob = sealing.seal(ring, "王小明 320102198506120035".encode(), "submission:a:applicant")
    assert "王小明".encode() not in blob and b"320102" not in blob
    assert sealing.is_sealed(blob)
    assert sealing.unseal(ring, blob, "submission:a:applicant").decode().startswith("王小明")
    # The same bytes moved to another case (or another column) do not open.
    with pytest.raises(SealError, match="submission:b:applicant"):
        sealing.unseal(ring, blob, "submission:b:applicant")
    with pytest.raises(SealError):
        sealing.unseal(ring, blob, "submission:a:form")


def test_each_seal_uses_a_new_nonce(ring: Keyring) -> None:
    a = sealing.seal(ring, b"same", "x")
    b = sealing.seal(ring, b"same", "x")
    assert a != b and sealing.unseal(ring, a, "x") == sealing.unseal(ring, b, "x") == b"same"


@pytest.mark.parametrize("where", [0, 3, 5, 20, -1])
def test_a_tampered_blob_is_refused_never_garbage(ring: Keyring, where: int) -> None:
    blob = bytearray(sealing.seal(ring, b"\xff\xd8\xff jpeg bytes", "submission:a/00.jpg"))
    blob[where] ^= 0x01
    with pytest.raises(SealError):
        sealing.unseal(ring, bytes(blob), "submission:a/00.jpg")


def test_truncated_and_plain_data_are_refused(ring: Keyring) -> None:
    blob = sealing.seal(ring, b"abc", "x")
    for bad in (b"", blob[:3], blob[:20], b"\xff\xd8\xff\xe0 a jpeg", b'{"name": "x"}'):
        with pytest.raises(SealError):
            sealing.unseal(ring, bad, "x")


def test_rotation_keeps_old_blobs_readable(ring: Keyring) -> None:
    old = sealing.seal(ring, b"before", "x")
    ring.rotate("data")
    new = sealing.seal(ring, b"after", "x")
    assert sealing.key_id(old) == "data-1" and sealing.key_id(new) == "data-2"
    assert sealing.unseal(ring, old, "x") == b"before"
    assert sealing.unseal(ring, new, "x") == b"after"
    # Reopened from the file, as after a restart.
    again = Keyring.open(ring.path)
    assert sealing.unseal(again, old, "x") == b"before"


def test_another_halls_key_file_opens_nothing(ring: Keyring, tmp_path: Path) -> None:
    blob = sealing.seal(ring, b"secret", "x")
    other = Keyring.open(tmp_path / "other.keys")
    with pytest.raises(SealError, match="does not open"):
        sealing.unseal(other, blob, "x")
    ring.rotate("data")
    newer = sealing.seal(ring, b"secret", "x")
    with pytest.raises(SealError, match="data-2"):  # the other file has no such key at all
        sealing.unseal(other, newer, "x")


def test_text_form_for_text_columns_and_old_plain_rows(ring: Keyring) -> None:
    stored = sealing.seal_text(ring, '{"name": "王小明"}', "submission:a:applicant")
    assert stored.startswith(sealing.TEXT_PREFIX) and stored.isascii()
    assert sealing.is_sealed_text(stored) and not sealing.is_sealed_text('{"name": "x"}')
    assert sealing.unseal_text(ring, stored, "submission:a:applicant") == '{"name": "王小明"}'
    with pytest.raises(SealError):
        sealing.unseal_text(ring, stored, "submission:b:applicant")
    with pytest.raises(SealError):
        sealing.unseal_text(ring, sealing.TEXT_PREFIX + "not base64!", "x")
    with pytest.raises(SealError):
        sealing.unseal_text(ring, '{"name": "王小明"}', "x")
