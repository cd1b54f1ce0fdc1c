"""ID card readers (身份证阅读器) that present as a serial line.

Vendor SDKs (termb.dll and the like) are closed, but many readers can be set
to send each card as one text line on a serial port: the 18-character number,
optionally a comma and the holder's name, then CR/LF (UTF-8, or GBK on older
firmware). Readers that type the number as a keyboard need no driver: the
kiosk's ID entry takes it like the keypad. The photo is not available this
way; a reader that gives one needs its SDK (documented gap).

Nothing read from a card is logged: only counts and reasons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from hall.idnumber import IdNumberError, validate_id_number

log = logging.getLogger(__name__)

MAX_LINE = 256  # a card line is short; anything longer is noise


@dataclass(frozen=True)
class IdCard:
    """One card as the reader sent it (checked number, name if given)."""

    number: str
    name: str | None = None

    def __repr__(self) -> str:  # never print personal data by accident
        return "IdCard(<redacted>)"


class IdCardReader:
    """Turns the reader's byte stream into :class:`IdCard` events.

    Wire ``link.on_bytes = reader.feed`` (a :class:`hall.drivers.port.SerialLink`);
    ``on_card`` and ``on_error`` run on the link's reader thread.
    """

    def __init__(
        self,
        on_card: Callable[[IdCard], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.on_card = on_card
        self.on_error = on_error
        self._buf = bytearray()
        self.cards = 0
        self.bad_lines = 0
        self.last_error: str | None = None

    def feed(self, data: bytes) -> None:
        """Take bytes from the port; complete lines become cards or counted errors."""
        self._buf += data
        while True:
            cut = min(
                (i for i in (self._buf.find(b"\r"), self._buf.find(b"\n")) if i >= 0), default=-1
            )
            if cut < 0:
                if len(self._buf) > MAX_LINE:
                    self._bad("line too long")
                    self._buf.clear()
                return
            line = bytes(self._buf[:cut])
            del self._buf[: cut + 1]
            if line.strip():
                self._line(line.strip())

    def _line(self, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gbk")
            except UnicodeDecodeError:
                self._bad("not UTF-8 or GBK text")
                return
        number, _, name = text.partition(",")
        try:
            checked = validate_id_number(number)
        except IdNumberError as exc:
            self._bad(str(exc))
            return
        self.cards += 1
        self.on_card(IdCard(checked, name.strip() or None))

    def _bad(self, reason: str) -> None:
        self.bad_lines += 1
        self.last_error = reason
        log.warning("ID card reader: unreadable card line (%s)", reason)
        if self.on_error:
            self.on_error(reason)
