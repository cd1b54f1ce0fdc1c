"""A case's personal data as it is stored: sealed JSON columns and sealed image files.

The ``applicant`` and ``form`` columns of ``submissions`` hold
:func:`hall.secrets.sealing.seal_text` values bound to the case and the
column (``submission:<id>:applicant``); the form is sealed too because the
catalogue's forms ask for personal data (配偶姓名 and 身份证号码, 户籍地址,
家庭月收入 ...). The material images are files ``<id>/NN.jpg.sealed`` under
``data_dir/submissions``, bound to their path (``submission:<id>/NN.jpg``), and
written mode 0600. The ``materials`` column (names, sha256 of the plain JPEG,
file) and the staff notes stay plain: no personal data.

Older stores hold plain JSON and plain ``NN.jpg`` files; they are still read
here, and :func:`hall.queue.cases.retention.seal_plain_cases` seals them at start.
A case past its retention holds :data:`ARCHIVED` in both columns.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from hall import durable
from hall.queue.core.domain import QueueError
from hall.secrets import sealing
from hall.secrets.keyring import Keyring

log = logging.getLogger(__name__)
#: ``applicant`` and ``form`` of a case whose personal data was deleted (retention).
ARCHIVED = "archived"
SEALED_SUFFIX = ".sealed"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class UnreadableCase(QueueError):
    """A case's sealed data does not open (wrong key file, or altered): a 500 that says so."""

    def __init__(self, sid: str, what: str) -> None:
        super().__init__(
            500,
            "sealed_data_unreadable",
            f"申报件{sid}的{what}无法解密:密钥文件不符或数据已被改动,请联系系统管理员",
            f"case {sid}: its {what} does not open with this hall's key file"
            " (another hall's key file, or the data was altered)",
        )


def _aad(sid: str, column: str) -> str:
    return f"submission:{sid}:{column}"


def seal_json(ring: Keyring, sid: str, column: str, value: Any) -> str:
    """``value`` as JSON, sealed for column ``column`` of case ``sid``."""
    return sealing.seal_text(ring, json.dumps(value, ensure_ascii=False), _aad(sid, column))


def open_json(ring: Keyring, sid: str, column: str, stored: str) -> Any:
    """The value of a sealed (or older plain) JSON column; ``{}`` once archived."""
    if stored == ARCHIVED:
        return {}
    if not sealing.is_sealed_text(stored):
        return json.loads(stored)  # an older store's plain row, not yet sealed
    try:
        return json.loads(sealing.unseal_text(ring, stored, _aad(sid, column)))
    except sealing.SealError as exc:
        log.error("case %s: %s", sid, exc)  # an operator's problem: the key file or the disk
        raise UnreadableCase(sid, column) from exc


def is_plain(stored: str) -> bool:
    """Whether a column value is an older store's plain JSON (neither sealed nor archived)."""
    return stored != ARCHIVED and not sealing.is_sealed_text(stored)


def image_name(index: int) -> str:
    """The file name of a case's material image ``index``."""
    return f"{index:02d}.jpg{SEALED_SUFFIX}"


def _image_aad(file: str) -> str:
    # Bound to "<case id>/NN.jpg": a file moved to another case or number does not open.
    return "submission:" + file.removesuffix(SEALED_SUFFIX)


def write_image(ring: Keyring, folder: Path, file: str, jpeg: bytes) -> None:
    """Seal ``jpeg`` into ``folder`` as the last part of ``file`` (``<id>/NN.jpg.sealed``)."""
    blob = sealing.seal(ring, jpeg, _image_aad(file))
    durable.write_atomic(folder / Path(file).name, blob, PRIVATE_FILE)


def read_image(ring: Keyring, root: Path, file: str) -> bytes:
    """The JPEG of a material (``file`` relative to ``root``); plain files of older stores too.

    OSError if it cannot be read or does not open (the forwarder keeps the case and
    tells staff, as for a missing file).
    """
    data = (root / file).read_bytes()
    if not file.endswith(SEALED_SUFFIX):
        return data
    try:
        return sealing.unseal(ring, data, _image_aad(file))
    except sealing.SealError as exc:
        raise OSError(f"{file}: {exc}") from exc
