"""The receipt number in a scanned notice QR code (办件查询 by scanning, no Kivy, no cv2).

The 受理/补正 notices print ``kiosk.progress_url`` with the receipt filled in
(``http://…/progress?receipt=ZZ01202509300001``). :func:`receipt_from_qr` takes
the receipt back out of such a text: from the configured pattern, from any
``…/progress?receipt=…`` link (a notice printed before the hall moved its
address), or a bare receipt number. Anything else — the QR code of a queue
ticket, a payment code, a web address — is refused with :class:`ForeignCode`,
so the field is never filled with something that is not a receipt number.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from hall.kiosk.form_entry import RECEIPT_LENGTH, RECEIPT_PREFIX

#: "ZZ" + terminal code (2) + YYYYMMDD + 4 digits (hall.kiosk.outbox).
RECEIPT = re.compile(rf"^{RECEIPT_PREFIX}\d{{{RECEIPT_LENGTH - len(RECEIPT_PREFIX)}}}$")


class ForeignCode(ValueError):
    """A QR code that is not a notice's progress code (the message says what was seen)."""


def _from_template(payload: str, template: str) -> str | None:
    if "{receipt}" not in template:
        return None
    before, _, after = template.partition("{receipt}")
    match = re.fullmatch(re.escape(before) + r"(?P<receipt>[^&#/?]+)" + re.escape(after), payload)
    return match["receipt"] if match else None


def _from_link(payload: str) -> str | None:
    parts = urlsplit(payload)
    if parts.scheme not in ("http", "https") or not parts.path.rstrip("/").endswith("/progress"):
        return None
    values = parse_qs(parts.query).get("receipt", [])
    return values[0] if len(values) == 1 else None


def receipt_from_qr(payload: str, url_template: str) -> str:
    """The receipt number in ``payload`` (a scanned QR text); :class:`ForeignCode` if none.

    ``url_template`` is ``kiosk.progress_url`` (with ``{receipt}``).
    """
    text = payload.strip()
    for found in (text, _from_template(text, url_template), _from_link(text)):
        if found and RECEIPT.match(found):
            return found
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise ForeignCode(
        f"二维码不是受理或补正通知书上的查询码：{shown!r}；"
        f"the QR code is not the progress code of a notice: {shown!r}"
    )
