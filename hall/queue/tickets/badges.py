"""亮证上岗: what the hall shows in public of the clerk signed in at a window.

Staff names, their public 工号 (``badge``) and titles are public under 亮证上岗
("一律挂牌上岗"): the window board, the lobby, the caller panel and the citizen's
ticket page show them. The sign-in id (``staff.id``) never is: it is half of a
credential. :func:`public_clerk` is the one place that says which fields leave
the daemon for displays; GET /windows, the event stream's ``window.changed``
and the staff login's answer all use it.

Photos (``staff.photo``, under the data dir) are read once at start
(:func:`load_photos`): a missing, unreadable, oversized or non-JPEG/PNG file is
warned about and not shown, so a wrong path never keeps a hall from opening.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hall.config import HallConfig

log = logging.getLogger(__name__)

#: The clerk's fields a display, a kiosk or a citizen's page may see (never the id).
PUBLIC_CLERK = ("name", "badge", "title", "title_en")
#: A photo larger than this is refused at start (a badge photo is a few tens of kB).
MAX_PHOTO_BYTES = 2 * 1024 * 1024
_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def public_clerk(config: HallConfig, staff_id: str | None) -> dict[str, Any] | None:
    """The public face of a staff member (:data:`PUBLIC_CLERK`), or None (nobody, unknown)."""
    person = config.staff_member(staff_id) if staff_id else None
    if person is None:
        return None
    return {key: getattr(person, key) for key in PUBLIC_CLERK}


def clerk_line(clerk: dict[str, Any] | None, lang: str = "zh") -> str:
    """``张敏 工号0231`` (zh) or ``张敏 No. 0231`` (en); the name alone without a badge."""
    if not clerk:
        return ""
    if not clerk.get("badge"):
        return clerk["name"]
    number = f"工号{clerk['badge']}" if lang == "zh" else f"No. {clerk['badge']}"
    return f"{clerk['name']} {number}"


@dataclass(frozen=True)
class Photo:
    """A staff member's photo as read at start."""

    data: bytes
    media_type: str


def photo_path(data_dir: str | Path, photo: str) -> Path:
    """Where a configured photo is: relative paths are under the data dir."""
    path = Path(photo)
    return path if path.is_absolute() else Path(data_dir) / path


def _read_photo(path: Path) -> Photo | str:
    """The photo, or why it cannot be shown."""
    try:
        size = path.stat().st_size
        if size > MAX_PHOTO_BYTES:
            return f"{size / 1e6:.1f} MB, more than {MAX_PHOTO_BYTES / 1e6:.1f} MB"
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    kind = next((t for magic, t in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        return f"{path} is not a JPEG or PNG file"
    return Photo(data, kind)


def load_photos(config: HallConfig, data_dir: str | Path) -> dict[str, Photo]:
    """Staff id → photo, for every configured photo that can be shown; warn about the rest."""
    out: dict[str, Photo] = {}
    for i, person in enumerate(config.staff):
        if not person.photo:
            continue
        found = _read_photo(photo_path(data_dir, person.photo))
        if isinstance(found, Photo):
            out[person.id] = found
        else:
            log.warning("staff.%d.photo (%s): 照片无法显示 / not shown: %s", i, person.id, found)
    return out
