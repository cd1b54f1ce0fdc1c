"""HTTPS for the daemon (config ``api.tls``) and the warning about plain HTTP on the LAN.

Tokens, staff PINs, ID numbers and material images cross the hall's network:
with ``api.tls`` the daemon serves HTTPS with a certificate of the hall's own CA,
and the kiosks verify it (``kiosk.ca_file``, hall/kiosk/client.py). The files are
checked before uvicorn starts, so a wrong path, a key of another certificate or a
key with a passphrase is one sentence naming the file (:class:`TlsError`), not a
traceback. docs/SECURITY.md ("Transport") says how to make and rotate them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from hall.config import TlsConfig

#: Warn at start when the certificate ends within this many days (time to rotate it).
EXPIRY_WARNING_DAYS = 30


class TlsError(Exception):
    """The TLS files cannot be used; the message names the setting and the file."""


def _read(setting: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise TlsError(f"{setting}: {path}: 文件不存在 / no such file") from None
    except IsADirectoryError:
        raise TlsError(f"{setting}: {path}: 是目录 / is a directory, not a file") from None
    except OSError as exc:
        raise TlsError(f"{setting}: {path}: 无法读取 / cannot read: {exc.strerror}") from None


def check_tls(tls: TlsConfig, now: dt.datetime | None = None) -> list[str]:
    """Check ``api.tls``'s files; :class:`TlsError` if unusable, else warnings (mode, expiry).

    ``now``: the daemon's clock, for the expiry warning (None: no date check).
    """
    cert_pem = _read("api.tls.cert_file", tls.cert_file)
    key_pem = _read("api.tls.key_file", tls.key_file)
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise TlsError(
            f"api.tls.cert_file: {tls.cert_file}: 不是PEM证书 / not a PEM certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:  # encrypted: the daemon starts unattended and cannot ask for it
        raise TlsError(
            f"api.tls.key_file: {tls.key_file}: 私钥有口令 / the key has a passphrase"
            " (the daemon starts unattended: store it without one, mode 0600)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise TlsError(
            f"api.tls.key_file: {tls.key_file}: 不是PEM私钥 / not a PEM private key"
        ) from None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    if key.public_key().public_bytes(pem, spki) != cert.public_key().public_bytes(pem, spki):
        raise TlsError(
            f"api.tls.key_file: {tls.key_file} 与证书不匹配 / does not match the certificate"
            f" api.tls.cert_file: {tls.cert_file}"
        )
    try:  # what uvicorn will do with them (chain order, key type OpenSSL takes)
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            tls.cert_file, tls.key_file
        )
    except ssl.SSLError as exc:
        raise TlsError(
            f"api.tls.cert_file: {tls.cert_file}, api.tls.key_file: {tls.key_file}:"
            f" OpenSSL 拒绝 / refused by OpenSSL: {exc.reason or exc}"
        ) from None
    warnings = []
    if Path(tls.key_file).stat().st_mode & 0o077:
        warnings.append(
            f"api.tls.key_file: {tls.key_file}: 其他用户可读 / readable by other users:"
            " chmod 0600 it"
        )
    if now is None:
        return warnings
    ends = cert.not_valid_after_utc
    if ends <= now:
        warnings.append(
            f"api.tls.cert_file: {tls.cert_file}: 证书已过期 / expired on {ends:%Y-%m-%d}"
        )
    elif ends - now <= dt.timedelta(days=EXPIRY_WARNING_DAYS):
        warnings.append(
            f"api.tls.cert_file: {tls.cert_file}: 证书将于{ends:%Y-%m-%d}过期 / expires on"
            f" {ends:%Y-%m-%d}: rotate it (docs/SECURITY.md)"
        )
    return warnings


def tls_options(tls: TlsConfig | None) -> dict[str, Any]:
    """The uvicorn settings for ``api.tls`` (None: plain HTTP); :func:`check_tls` checks the files."""
    if tls is None:
        return {}
    return {"ssl_certfile": tls.cert_file, "ssl_keyfile": tls.key_file}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the daemon on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it resolves to whatever the network says
        return False


def plain_lan_warning(host: str, tls: TlsConfig | None) -> str | None:
    """The start-up warning for plain HTTP on a non-loopback address (None: nothing to say)."""
    if tls is not None or is_loopback(host):
        return None
    return (
        f"PLAIN HTTP ON {host}: tokens, staff PINs, ID numbers and material images cross the"
        " network in clear; set api.tls (docs/SECURITY.md, Transport) /"
        f" 在{host}上以明文HTTP服务:令牌、密码、身份证号和材料图片以明文在网络上传输,请配置api.tls"
    )
