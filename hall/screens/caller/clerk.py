"""亮证上岗 on the caller panel: who is signed in, by name and public 工号, and their photo.

The login answer carries the clerk's public face (``clerk``: name, badge,
title); the photo comes from GET /windows/{n}/photo with the staff token. The
panel's own screen may name the sign-in id when a clerk has no public number
(it is the clerk's own id, on the clerk's own screen); displays never get it.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from kivy.core.image import Image as CoreImage
from kivy.uix.image import Image

_KINDS = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}


def staff_line(tr: Callable[..., str], login: dict) -> str:
    """当前登录 张敏（工号0231）, or the sign-in id when there is no public number."""
    clerk = login.get("clerk") or {}
    badge = clerk.get("badge")
    number = tr("caller.badge", badge=badge) if badge else login["staff_id"]
    return tr("caller.staff", name=login["name"], number=number)


class ClerkPhoto(Image):
    """The signed-in clerk's photo; takes no room while there is none."""

    def show(self, data: bytes | None) -> None:
        """Show a JPEG or PNG (as the daemon checked it at start), or nothing."""
        kind = next((k for magic, k in _KINDS.items() if data and data.startswith(magic)), None)
        if kind is None:
            self.texture = None
            return
        self.texture = CoreImage(io.BytesIO(data), ext=kind).texture
