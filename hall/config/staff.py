"""config.yaml's ``staff:``: the clerks who sign in at windows, and their PIN hashes.

PINs are kept as ``scrypt$<salt hex>$<hash hex>`` (``python -m hall.queue hash-pin``);
:func:`hash_pin` and :func:`verify_pin` serve the staff, managers and leaders alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

from pydantic import Field

from hall.config.base import _Section


class StaffRole(StrEnum):
    """AB岗: A is the primary at a window, B the backup."""

    A = "A"
    B = "B"


class StaffConfig(_Section):
    """A staff member who may log in at windows."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1)
    pin_hash: str = Field(pattern=r"^scrypt\$", description="from `python -m hall.queue hash-pin`")
    windows: list[int] = Field(min_length=1)
    role: StaffRole = StaffRole.A
    # 亮证上岗: what the hall shows of whoever serves at a window (boards, lobby, /t page).
    title: str = Field("", max_length=24, description="职务 / 岗位 shown with the name: 综合受理员")
    title_en: str = Field("", max_length=48, description="the title in English")
    badge: str | None = Field(
        None,
        pattern=r"^[0-9A-Za-z-]{1,16}$",
        description="工号 shown in public (0231); never the sign-in id: null = none shown",
    )
    photo: str | None = Field(
        None,
        pattern=r"(?i)^[^\x00]+\.(jpe?g|png)$",
        description="JPEG or PNG, relative to the data dir; checked at start (warned, not shown)",
    )


# PINs: scrypt with a random salt. n=2**14 keeps a login under ~50 ms on the kiosk box.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_pin(pin: str) -> str:
    """Hash a staff PIN for config.yaml: ``scrypt$<salt hex>$<hash hex>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches a hash made by :func:`hash_pin`."""
    try:
        _, salt_hex, digest_hex = pin_hash.split("$")
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    return hmac.compare_digest(hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT), digest)
