"""Files that survive a power cut: write, fsync, rename, fsync the folder.

A hall's kiosks and daemon are switched off at the wall, so "written" has to
mean "on the disk". Two things are needed for that, and both are easy to forget:

* ``fsync`` of the file itself, or its bytes may still sit in the page cache;
* ``fsync`` of the folder after a create or a rename, or the *name* may be
  lost: after the power comes back the file (or the renamed folder) is simply
  not there, although its bytes were synced.

Files are written under a temporary name and renamed into place, so a reader
(or a recovery after a crash) sees the old state or the new one, never half a
file. Only after :func:`write_atomic` / :func:`replace` return may a database
row that points at the file commit, and only then may a receipt be shown.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make the entries of a folder (names created, renamed, removed) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Write ``data`` to ``path`` and fsync the file (the folder entry is the caller's).

    ``mode`` (less the umask) applies when the file is made: 0o600 for a private file.
    """
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def replace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` (replacing it) and fsync the folder of ``dst``."""
    src.replace(dst)
    fsync_dir(dst.parent)


def write_atomic(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Write a whole file durably: a synced ``.part`` file renamed into place."""
    tmp = path.with_suffix(".part")
    write_synced(tmp, data, mode)
    replace(tmp, path)
