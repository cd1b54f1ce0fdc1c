"""Keypad entries of the self-service screens (no Kivy): phone, date, number, receipt.

Each is a :class:`~hall.kiosk.entry.KeypadEntry` with the keys its field type
allows; :func:`entry_for` picks one for a catalogue field type, so the form
screen types numbers, dates, phones and ID numbers on one on-screen keypad.
``text`` is the value as submitted (a date gets its dashes), ``display()`` is
what the screen shows while typing.
"""

from __future__ import annotations

import re

from hall.idnumber import mask_id  # noqa: F401 - one rule for ID numbers, re-exported
from hall.kiosk.entry import IdEntry, KeypadEntry

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
#: Receipt numbers from hall.kiosk.outbox: "ZZ" + terminal code (2) + YYYYMMDD + 4 digits.
RECEIPT_LENGTH = 16
#: What every receipt number begins with (hall.kiosk.outbox); 办件查询 types it already.
RECEIPT_PREFIX = "ZZ"


class PhoneEntry(KeypadEntry):
    """A phone number: digits, and "-" after an area code (landlines)."""

    allowed = "0123456789-"
    max_length = 20

    @property
    def text(self) -> str:
        """The value as submitted."""
        return self.value

    def display(self) -> str:
        """As typed."""
        return self.value

    @property
    def is_mobile(self) -> bool:
        """An 11-digit mainland mobile number (1[3-9]...)."""
        return bool(_MOBILE.match(self.value))


class MobileEntry(PhoneEntry):
    """The applicant's mobile number: 11 digits."""

    allowed = "0123456789"
    max_length = 11

    def display(self) -> str:
        """138 1234 5678: grouped as people read it aloud."""
        v = self.value
        return " ".join(part for part in (v[:3], v[3:7], v[7:]) if part)


class DateEntry(KeypadEntry):
    """A date typed as 8 digits (YYYYMMDD); shown and submitted as YYYY-MM-DD."""

    max_length = 8

    @property
    def text(self) -> str:
        """YYYY-MM-DD (as far as typed)."""
        v = self.value
        return "-".join(part for part in (v[:4], v[4:6], v[6:]) if part)

    def display(self) -> str:
        """The date with its dashes."""
        return self.text


class NumberEntry(KeypadEntry):
    """A decimal number: digits and one decimal point."""

    allowed = "0123456789."
    max_length = 12

    def press(self, key: str) -> bool:
        """A second decimal point is refused."""
        if key == "." and "." in self.value:
            return False
        return super().press(key)

    @property
    def text(self) -> str:
        """The value as submitted."""
        return self.value

    def display(self) -> str:
        """As typed."""
        return self.value


class IdFieldEntry(IdEntry):
    """An ID number typed into a form field (another person's, e.g. a spouse's)."""

    @property
    def text(self) -> str:
        """The value as submitted."""
        return self.value


class ReceiptEntry(KeypadEntry):
    """A receipt number for 办件查询: the letter Z and digits."""

    allowed = "Z0123456789"
    max_length = RECEIPT_LENGTH

    @property
    def complete(self) -> bool:
        """Long enough to be a receipt number."""
        return len(self.value) == RECEIPT_LENGTH


#: Keypad keys for each keypad field type, in keypad order (always 11 + delete).
KEYS = {
    "number": "123456789.0",
    "date": "123456789-0",  # "-" shown greyed: the dashes come by themselves
    "phone": "123456789-0",
    "id_number": "123456789X0",
}


def entry_for(field_type: str, max_length: int | None = None) -> KeypadEntry:
    """A fresh entry for a keypad field type (number, date, phone, id_number)."""
    entry: KeypadEntry = {
        "number": NumberEntry,
        "date": DateEntry,
        "phone": PhoneEntry,
        "id_number": IdFieldEntry,
    }[field_type]()
    if max_length and field_type in ("number", "phone"):
        entry.max_length = min(entry.max_length, max_length)
    return entry
