"""Encrypted face templates on the terminal: round trip, wrong key, no names, destroy."""

from __future__ import annotations

import numpy as np
import pytest

from hall.kiosk.face_store import CitizenFaces, FaceStore, FaceStoreError
from hall.vision.face import FaceTemplate

KEY = "11" * 32
OTHER = "22" * 32


def template(seed: int = 0) -> FaceTemplate:
    rng = np.random.default_rng(seed)
    return FaceTemplate("classic", rng.random((3, 64), dtype=np.float32))


def test_round_trip_and_nothing_readable_on_disk(tmp_path):
    store = FaceStore(tmp_path, KEY)
    t = template()
    store.save("S001", t, "2026-01")
    back = store.load("S001")
    assert np.array_equal(back.features, t.features) and back.engine == "classic"
    assert store.header("S001")["consent"] == "2026-01"
    (path,) = (tmp_path / "staff").glob("*.bin")
    blob = path.read_bytes()
    assert b"S001" not in path.name.encode() and b"S001" not in blob
    assert t.features.tobytes()[:32] not in blob
    assert path.stat().st_mode & 0o777 == 0o600


def test_wrong_key_and_moved_file_fail(tmp_path):
    FaceStore(tmp_path, KEY).save("S001", template(), "v1")
    with pytest.raises(FaceStoreError, match="cannot decrypt"):
        wrong = FaceStore(tmp_path, OTHER)
        # Same file name under the other key? Names are keyed too: move it there.
        src = next((tmp_path / "staff").glob("*.bin"))
        src.rename(wrong._path("S001"))
        wrong.load("S001")
    store = FaceStore(tmp_path / "b", KEY)
    store.save("S001", template(), "v1")
    store._path("S001").rename(store._path("S002"))
    with pytest.raises(FaceStoreError):
        store.load("S002")


def test_no_key_no_templates(tmp_path):
    with pytest.raises(FaceStoreError, match="template_key is not set"):
        FaceStore(tmp_path, None)


def test_delete_and_retain_only(tmp_path):
    store = FaceStore(tmp_path, KEY)
    for s in ("S001", "S002", "S003"):
        store.save(s, template(), "v1")
    assert store.delete("S002") and not store.delete("S002")
    assert store.retain_only(["S001"]) == 1
    assert list(store.gallery(["S001", "S002", "S003"])) == ["S001"]


def test_citizen_template_destroyed_after_slot_or_restart(tmp_path):
    faces = CitizenFaces(tmp_path, KEY)
    faces.enrol("AP1", template(1), "v1", expires_at=100.0)
    faces.enrol("AP2", template(2), "v1", expires_at=200.0)
    assert faces.purge(now=150.0) == 1
    assert faces.store.load("AP1") is None and faces.store.load("AP2") is not None
    CitizenFaces(tmp_path, KEY)  # a restart: earlier transactions are over
    assert list((tmp_path / "citizen").glob("*.bin")) == []
