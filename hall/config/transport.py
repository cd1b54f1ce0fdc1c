"""config.yaml's transport settings: ``api.tls`` (the daemon serves HTTPS) and ``api.docs``.

The kiosk side, ``kiosk.ca_file``, sits in :class:`hall.config.kiosk.KioskSection`.
Files are checked when the daemon starts (hall/queue/web/transport.py), not when
the config is read: the kiosk program reads the same config.yaml without them.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class TlsConfig(_Section):
    """The daemon's certificate and key (PEM), signed by the hall's CA (docs/SECURITY.md)."""

    cert_file: str = Field(
        min_length=1,
        description="PEM certificate for the daemon's address(es), the hall CA's chain after it",
    )
    key_file: str = Field(min_length=1, description="its PEM private key, no passphrase, mode 0600")
