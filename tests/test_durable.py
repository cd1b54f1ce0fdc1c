"""hall.durable: whole files or nothing, and the folder synced after a rename."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hall import durable


def test_write_atomic_replaces_the_whole_file_and_leaves_no_part(tmp_path: Path) -> None:
    target = tmp_path / "00.jpg"
    target.write_bytes(b"old")
    durable.write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00.jpg"]


def test_replace_moves_a_folder_into_place(tmp_path: Path) -> None:
    part = tmp_path / "case.part"
    part.mkdir()
    durable.write_synced(part / "00.jpg", b"\xff\xd8jpeg")
    durable.fsync_dir(part)
    durable.replace(part, tmp_path / "case")
    assert (tmp_path / "case" / "00.jpg").read_bytes() == b"\xff\xd8jpeg"
    assert not part.exists()


def test_fsync_dir_of_a_missing_folder_raises(tmp_path: Path) -> None:
    # A folder that cannot be synced is an error, never silently skipped.
    with pytest.raises(FileNotFoundError):
        durable.fsync_dir(tmp_path / "nowhere")


def test_replace_syncs_the_destination_folder(tmp_path: Path, monkeypatch) -> None:
    synced: list[str] = []
    real = durable.fsync_dir
    monkeypatch.setattr(durable, "fsync_dir", lambda p: (synced.append(str(p)), real(p)))
    (tmp_path / "a").write_bytes(b"x")
    (tmp_path / "dst").mkdir()
    durable.replace(tmp_path / "a", tmp_path / "dst" / "b")
    assert synced == [str(tmp_path / "dst")]
    assert os.listdir(tmp_path / "dst") == ["b"]
