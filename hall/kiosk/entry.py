"""What a citizen types on the kiosk's on-screen keypads, checked as it is typed (no Kivy).

:class:`IdEntry` holds an 18-character ID number (GB 11643) and says what is
wrong as soon as it can: a character that cannot be there at once, the check
digit and birth date when all 18 are in. :class:`CodeEntry` holds an
appointment check-in code (预约码). Both are cleared when the kiosk goes idle.
"""

from __future__ import annotations

from hall.idnumber import IdNumberError, mask_id_number, partial_check, validate_id_number

#: Keys of the keypads besides the characters: delete the last one, clear all.
DELETE, CLEAR = "del", "clear"
ID_LENGTH = 18
#: Appointment codes are 8 digits (hall.queue.tickets.appointments.create_appointment).
CODE_LENGTH = 8
_BAD_CHARS_EN = "ID number: the first 17 characters must be digits, the last a digit or X"


class KeypadEntry:
    """Characters from an allowed set, up to a maximum length."""

    allowed = "0123456789"
    max_length = 32

    def __init__(self) -> None:
        self.value = ""

    def press(self, key: str) -> bool:
        """Apply one key (a character, DELETE or CLEAR); False if it changed nothing."""
        if key == DELETE:
            if not self.value:
                return False
            self.value = self.value[:-1]
        elif key == CLEAR:
            if not self.value:
                return False
            self.value = ""
        elif key in self.allowed and len(key) == 1 and len(self.value) < self.max_length:
            self.value += key
        else:
            return False
        return True

    def clear(self) -> None:
        """Forget what was typed."""
        self.value = ""

    @property
    def empty(self) -> bool:
        """Nothing typed."""
        return not self.value


class IdEntry(KeypadEntry):
    """An ID number typed on the keypad (0-9 and X)."""

    allowed = "0123456789X"
    max_length = ID_LENGTH

    def problem(self, lang: str) -> str | None:
        """What is wrong so far, in ``lang``; None while it can still become valid."""
        zh = partial_check(self.value)
        if zh is None:
            return None
        if len(self.value) == ID_LENGTH:
            try:
                validate_id_number(self.value)
            except IdNumberError as exc:
                return exc.message_zh if lang == "zh" else str(exc)
        return zh if lang == "zh" else _BAD_CHARS_EN

    @property
    def complete(self) -> bool:
        """All 18 characters typed and valid."""
        return len(self.value) == ID_LENGTH and partial_check(self.value) is None

    @property
    def acceptable(self) -> bool:
        """Nothing typed (the ID is optional) or a complete valid number."""
        return self.empty or self.complete

    def display(self) -> str:
        """Grouped for reading: area (6), birth date (8), sequence and check (4)."""
        v = self.value
        return " ".join(part for part in (v[:6], v[6:14], v[14:]) if part)

    def display_masked(self) -> str:
        """As :meth:`display` while typing; once all 18 are in, masked (1101**********123X).

        A complete number need not be read again, and stays on a public screen
        while an error is explained.
        """
        if len(self.value) == ID_LENGTH:
            return mask_id_number(self.value)
        return self.display()


class CodeEntry(KeypadEntry):
    """An appointment check-in code (digits)."""

    max_length = CODE_LENGTH

    @property
    def complete(self) -> bool:
        """All digits typed."""
        return len(self.value) == CODE_LENGTH

    @property
    def acceptable(self) -> bool:
        """Nothing typed (no appointment) or a complete code."""
        return self.empty or self.complete
