r"""ID card readers (身份证阅读器) that present as a serial line.

Vendor SDKs (termb.dll and the like) are closed, but many readers can be set
to send each card as one text line on a serial port::

    <18-character number>[,<name>[,<photo as base64>]]\r\n

in UTF-8 (or GBK on older firmware). The chip stores the holder's photo as a
WLT file that only the vendor's decoder library turns into a picture; readers
whose vendor middleware decodes it to an image file (usually a 102 x 126 BMP)
can be set to append that file, base64-encoded, as the third field. Readers
that type the number as a keyboard need no driver: the kiosk's ID entry takes
it like the keypad (no photo that way). A photo makes the line long: a 38 KB
BMP is 51 KB of base64, about 4.5 s on the wire at 115200 baud and almost a
minute at 9600, so set such a reader to its highest rate (``id_reader.baudrate``)
and, where it offers one, a compressed format (a PNG or JPEG of the portrait is
a few KB).

A photo that is not base64 or not a decodable image does not lose the card:
the number and name are still read, without the photo, and a log line names
the problem. Nothing read from a card is logged: only counts and reasons.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from hall.idnumber import IdNumberError, validate_id_number

log = logging.getLogger(__name__)

#: The largest photo file taken (a decoded WLT photo is a ~38 KB BMP; a JPEG far less).
MAX_PHOTO_BYTES = 48 * 1024
#: Number, name and a photo of MAX_PHOTO_BYTES in base64; anything longer is noise.
MAX_LINE = MAX_PHOTO_BYTES * 4 // 3 + 256
#: An ID card portrait is ~102 x 126 px; far larger is not a card photo.
MAX_PHOTO_SIDE = 1024


@dataclass(frozen=True)
class IdCard:
    """One card as the reader sent it (checked number, name and photo if given).

    ``photo`` is the card's portrait as a BGR array (read-only), or None.
    """

    number: str
    name: str | None = None
    photo: np.ndarray | None = field(default=None, compare=False)

    def __repr__(self) -> str:  # never print personal data by accident
        return "IdCard(<redacted>)"


def decode_photo(field_b64: str) -> np.ndarray:
    """The photo of a card line's third field as a BGR array; ValueError says what is wrong."""
    try:
        data = base64.b64decode(field_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("photo is not base64") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError(f"photo larger than {MAX_PHOTO_BYTES} bytes")
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise ValueError("photo is not an image OpenCV can decode")
    if max(image.shape[:2]) > MAX_PHOTO_SIDE:
        raise ValueError(f"photo larger than {MAX_PHOTO_SIDE} px")
    image.setflags(write=False)
    return image


class IdCardReader:
    """Turns the reader's byte stream into :class:`IdCard` events.

    Wire ``link.on_bytes = reader.feed`` (a :class:`hall.drivers.port.SerialLink`);
    ``on_card`` and ``on_error`` run on the link's reader thread. ``on_error``
    is for lines that gave no card; a card with an unusable photo is a card
    (counted in ``bad_photos``).
    """

    def __init__(
        self,
        on_card: Callable[[IdCard], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.on_card = on_card
        self.on_error = on_error
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for an end of line
        self._overlong = False  # dropping the rest of a line that was too long
        self.cards = 0
        self.bad_lines = 0
        self.bad_photos = 0
        self.last_error: str | None = None

    def feed(self, data: bytes) -> None:
        """Take bytes from the port; complete lines become cards or counted errors."""
        self._buf += data
        while True:
            # Only the new bytes are searched: a photo line comes in many small reads.
            ends = (self._buf.find(b"\r", self._scanned), self._buf.find(b"\n", self._scanned))
            cut = min((i for i in ends if i >= 0), default=-1)
            if cut < 0:
                self._scanned = len(self._buf)
                if len(self._buf) > MAX_LINE:
                    if not self._overlong:
                        self._bad("line too long")
                    self._overlong = True  # its tail up to the end of line is dropped too
                    self._buf.clear()
                    self._scanned = 0
                return
            line = bytes(self._buf[:cut])
            del self._buf[: cut + 1]
            self._scanned = 0
            if self._overlong:
                self._overlong = False
            elif len(line) > MAX_LINE:
                self._bad("line too long")
            elif line.strip():
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
        number, _, rest = text.partition(",")
        name, _, photo_field = rest.partition(",")
        try:
            checked = validate_id_number(number)
        except IdNumberError as exc:
            self._bad(str(exc))
            return
        photo = None
        if photo_field.strip():
            try:
                photo = decode_photo(photo_field.strip())
            except ValueError as exc:
                self.bad_photos += 1
                log.warning("ID card reader: card read without its photo (%s)", exc)
        self.cards += 1
        self.on_card(IdCard(checked, name.strip() or None, photo))

    def _bad(self, reason: str) -> None:
        self.bad_lines += 1
        self.last_error = reason
        log.warning("ID card reader: unreadable card line (%s)", reason)
        if self.on_error:
            self.on_error(reason)
