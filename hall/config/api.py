"""config.yaml's ``api:`` and ``storage:``: where the daemon listens, who may call it, its data.

``api.tokens`` are the bearer tokens of kiosks, displays and the bootstrap manager;
staff and managers sign in for session tokens of their own (docs/SECURITY.md).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from hall.config.base import _Section
from hall.config.limits import LimitsSection
from hall.config.transport import TlsConfig


class TokenRole(StrEnum):
    """What an API bearer token may do."""

    KIOSK = "kiosk"
    DISPLAY = "display"
    MANAGER = "manager"


class TokenConfig(_Section):
    """A bearer token for a kiosk, display or manager."""

    name: str = Field(min_length=1)
    token: str = Field(min_length=8)
    role: TokenRole


class ApiSection(_Section):
    """Where the daemon listens and who may talk to it."""

    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    tokens: list[TokenConfig] = Field(min_length=1)
    staff_session_hours: float = Field(12, gt=0, le=24)
    manager_session_hours: float = Field(
        8, gt=0, le=24, description="a manager's sign-in (POST /manager/login) lasts this long"
    )
    limits: LimitsSection = LimitsSection()
    trusted_proxies: list[str] = Field(
        default_factory=list,
        max_length=16,
        description=(
            "addresses of the hall's reverse proxies whose X-Forwarded-For names the client;"
            " empty: no header is believed, the TCP peer is the client (sign-in and lookup"
            " limits count per client address, a forged header must not reset them)"
        ),
    )
    tls: TlsConfig | None = Field(
        None, description="serve HTTPS with this certificate and key; null = plain HTTP"
    )
    docs: bool = Field(
        True, description="/docs, /redoc and /openapi.json (assets served locally); false = 404"
    )


class StorageSection(_Section):
    """Where the daemon keeps its data."""

    url: str | None = Field(None, description="SQLAlchemy URL; null = SQLite file in data_dir")
    data_dir: str = "data"
    key_file: str | None = Field(
        None,
        description=(
            "the daemon's secret keys (hall/secrets/keyring.py), mode 0600, made at the"
            " first start; null = keys/hall.keys under data_dir. Back it up apart from the"
            " database: neither is readable or verifiable without the other"
        ),
    )
