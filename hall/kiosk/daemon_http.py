"""The HTTP core under hall/kiosk/client.py: one request sent, its answer read, the errors.

Screens never see ``requests``: every failure becomes :class:`DaemonError` (the
daemon said no, with a sentence to show) or :class:`DaemonUnavailable` (the daemon
cannot be reached; show "service temporarily unavailable"). A refusal carries the
seconds the daemon asked to wait (``Retry-After``) for the outbox's backoff.

An https daemon's certificate is verified against ``kiosk.ca_file`` (the hall's
CA; None: the system's CAs) by every request, calls and event streams alike:
:func:`tls_verify` is the one place that says how. A certificate that does not
verify is a :class:`DaemonUnavailable` whose ``detail`` says so (the outbox's
health shows it) and one error in the log, never a crash.
"""

from __future__ import annotations

import email.utils
import io
import json
import logging
from collections.abc import Mapping
from typing import Any

import requests

from hall.kiosk.tls import tls_verify, transport_problem

# The name it had before the split: log filters and readers keep working.
log = logging.getLogger("hall.kiosk.client")


class DaemonError(Exception):
    """The daemon refused a request; ``message`` (zh) and ``message_en`` are for the screen."""

    def __init__(
        self, status: int, code: str, message: str, message_en: str, details: dict | None = None
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details or {}
        self.retry_after: float | None = None  # seconds the daemon asked to wait (Retry-After)

    def text(self, lang: str) -> str:
        """The message in a UI language ("zh" or "en")."""
        return self.message if lang == "zh" else self.message_en


class DaemonUnavailable(DaemonError):
    """The daemon cannot be reached (down, restarting, network cut)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            503, "unavailable", "服务暂时不可用，请稍候", "Service temporarily unavailable", {}
        )
        self.detail = detail


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds, or a date against ``Date``)."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    try:  # an HTTP-date: relative to the answer's own Date, never to this machine's clock
        until = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(headers.get("Date") or "")
    except (TypeError, ValueError):
        return None
    return max(0.0, (until - sent).total_seconds())


def answer(r: requests.Response, raw: bool = False) -> Any:
    """An answer's JSON body (``raw``: a 200's bytes), or the error it stands for.

    A 5xx or a body that is not JSON: :class:`DaemonUnavailable`; a 4xx: the
    daemon's refusal as :class:`DaemonError` with its code and both sentences.
    """
    if r.status_code >= 500:
        unavailable = DaemonUnavailable(f"HTTP {r.status_code}")
        unavailable.retry_after = retry_after(r.headers)
        raise unavailable
    if raw and r.status_code == 200:
        return r.content
    try:
        data = r.json()
    except ValueError:
        raise DaemonUnavailable(f"HTTP {r.status_code}: not JSON") from None
    if r.status_code >= 400:
        err = data.get("error", {}) if isinstance(data, dict) else {}
        refused = DaemonError(
            r.status_code,
            err.get("code", f"http_{r.status_code}"),
            err.get("message", "请求失败"),
            err.get("message_en", "Request failed"),
            err.get("details"),
        )
        refused.retry_after = retry_after(r.headers)
        raise refused
    return data


class DaemonHttp:
    """One daemon, one bearer token, one session: ``_request`` for hall/kiosk/client.py.

    The named calls are :class:`hall.kiosk.client.DaemonClient`'s; nothing but that
    file calls ``_request`` (tests/kiosk/test_client_boundary.py).
    ``ca_file``: kiosk.ca_file, what an https daemon's certificate must verify against.
    """

    def __init__(
        self, base_url: str, token: str | None, timeout: float = 3.0, ca_file: str | None = None
    ) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.ca_file = ca_file
        self.session = requests.Session()
        self.token = token
        self._transport_problem: str | None = None  # logged once until it changes or mends

    @property
    def token(self) -> str | None:
        """The bearer token in use."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value
        if value:
            self.session.headers["Authorization"] = f"Bearer {value}"
        else:
            self.session.headers.pop("Authorization", None)

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float | tuple[float, float] | None = None,
        stream_body: bool = False,
        raw: bool = False,
    ) -> Any:
        # ``raw``: a 200's body as bytes (a photo); refusals are JSON as always.
        # ``stream_body``: sent from a file object, block by block, so the connect timeout
        # bounds a stalled block rather than the whole upload (one sendall of tens of MB).
        kwargs: dict[str, Any] = {"json": body}
        if stream_body:
            kwargs = {"data": io.BytesIO(json.dumps(body).encode())}
            headers = {**(headers or {}), "Content-Type": "application/json"}
        try:
            r = self.session.request(
                method,
                self.base + path,
                timeout=timeout or self.timeout,
                headers=headers,
                verify=tls_verify(self.ca_file),
                **kwargs,
            )
        except (requests.RequestException, OSError) as exc:  # OSError: kiosk.ca_file unusable
            problem = transport_problem(exc, self.ca_file)
            if problem is None:
                raise DaemonUnavailable(type(exc).__name__) from None
            if problem != self._transport_problem:
                log.error("%s", problem)
                self._transport_problem = problem
            raise DaemonUnavailable(problem) from None
        self._transport_problem = None
        return answer(r, raw)
