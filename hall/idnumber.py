"""GB 11643 citizen ID numbers (居民身份证号码): check digit and birth date.

Shared by the daemon (validation at issue) and the kiosk (validation as the
citizen types). Only ever keep what is needed: :func:`id_fingerprint` turns a
number into a keyed hash for the per-person daily limit, so no raw ID number is
stored by the queue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

# GB 11643-1999: weights of the first 17 digits, check char = _CHECK[sum mod 11].
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


#: The code of the one 422 every API answers a bad ID number with.
BAD_ID_NUMBER = "bad_id_number"


class IdNumberError(ValueError):
    """The ID number is not valid; ``message_zh`` is for the citizen."""

    code = BAD_ID_NUMBER

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh

    def api_error(self, field: str = "id_number") -> tuple[str, str, str]:
        """(code, zh, en) of the 422 for this number, the same at every endpoint.

        The Chinese sentence is the citizen's (a kiosk shows it as it is); the
        English one names the request field it was in.
        """
        return self.code, self.message_zh, f"{field}: {self}"


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_id_number(number: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number or raise IdNumberError saying why."""
    value = number.strip().upper()
    if len(value) != 18:
        raise IdNumberError(
            f"ID number must have 18 characters, got {len(value)}",
            f"身份证号码应为18位,当前为{len(value)}位",
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError(
            "ID number: the first 17 characters must be digits, the last a digit or X",
            "身份证号码前17位应为数字,最后一位为数字或X",
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            "ID number check digit is wrong: please check the number",
            "身份证号码校验位不正确,请核对号码",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(
            "ID number contains an impossible birth date",
            "身份证号码中的出生日期不存在",
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < today.year - 130:
        raise IdNumberError(
            "ID number birth date is not plausible",
            "身份证号码中的出生日期不合理",
        )
    return value


def partial_check(prefix: str) -> str | None:
    """Check a number while it is typed: None if fine so far, else the zh reason."""
    value = prefix.upper()
    if len(value) > 18:
        return "身份证号码应为18位"
    if any(not c.isdigit() for c in value[:17]) or (
        len(value) == 18 and value[17] not in "0123456789X"
    ):
        return "身份证号码前17位应为数字,最后一位为数字或X"
    if len(value) == 18:
        try:
            validate_id_number(value)
        except IdNumberError as exc:
            return exc.message_zh
    return None


def id_fingerprint(number: str, key: bytes) -> str:
    """A keyed hash of a valid ID number: enough to count tickets, useless to read it back."""
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]


def mask_id_number(number: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """1101**********123X: an ID number for a screen others may see (first 4, last 4 kept)."""
    if len(number) <= keep_start + keep_end:
        return number
    hidden = len(number) - keep_start - keep_end
    return number[:keep_start] + "*" * hidden + number[-keep_end:]


def mask_id(number: str) -> str:
    """110105********002X: an ID number as a list or another clerk may see it.

    18 characters keep the region (6) and the last 4; a 15-digit first-generation
    number keeps the region and its 3-digit sequence; the birth date never shows.
    Anything else (a typo, a foreign document) keeps 2 characters at each end, and
    fewer than 8 characters are hidden whole.
    """
    value = number.strip().upper()
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) == 15:
        return value[:6] + "*" * 6 + value[-3:]
    if len(value) < 8:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_name(name: str) -> str:
    """张三 → 张*, 王小明 → 王*明: the name on an ID card, for a view others may see."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
