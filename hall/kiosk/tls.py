"""How the kiosk program verifies the daemon (``kiosk.ca_file``) and words a TLS failure.

hall/kiosk/daemon_http.py and events.py pass :func:`tls_verify` with every request to the daemon
(calls and event streams) and turns a failure into :func:`transport_problem`'s
sentence (docs/SECURITY.md, "Transport").
"""

from __future__ import annotations

import re
import ssl

import requests


def tls_verify(ca_file: str | None) -> str | bool:
    """Requests' ``verify`` for the daemon: ``ca_file`` (kiosk.ca_file), else the system's CAs.

    The one place that says how the daemon is verified; it is passed with every
    request, because a session's own ``verify`` loses to REQUESTS_CA_BUNDLE in the
    environment. Never False: a kiosk that cannot verify the daemon must not send
    it tokens, PINs or ID numbers.
    """
    return ca_file or True


def _ssl_reason(exc: BaseException) -> str:
    """OpenSSL's own words inside a requests/urllib3 exception chain."""
    todo: list[BaseException] = [exc]
    visited: set[int] = set()
    while todo:
        e = todo.pop()
        if id(e) in visited:
            continue
        visited.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            return e.verify_message or str(e)
        if isinstance(e, ssl.SSLError) and not isinstance(e, requests.RequestException):
            return e.reason or str(e)
        linked = (*e.args, e.__cause__, e.__context__, getattr(e, "reason", None))
        todo += [x for x in linked if isinstance(x, BaseException)]  # urllib3: MaxRetryError.reason
    found = re.search(r"\[SSL: [A-Z_]+\][^'\")]*", str(exc))
    return found.group(0) if found else type(exc).__name__


def transport_problem(exc: BaseException, ca_file: str | None) -> str | None:
    """The sentence for a TLS failure or an unusable ``kiosk.ca_file`` (None: another failure)."""
    trust = f"kiosk.ca_file {ca_file}" if ca_file else "the system CAs (kiosk.ca_file: null)"
    if isinstance(exc, requests.exceptions.SSLError):
        return (
            f"守护进程证书未通过验证 / the daemon's certificate does not verify against"
            f" {trust}: {_ssl_reason(exc)}"
        )
    if isinstance(exc, OSError) and not isinstance(exc, requests.RequestException) and ca_file:
        return f"无法读取CA证书 / cannot use kiosk.ca_file {ca_file}: {exc.strerror or exc}"
    return None
