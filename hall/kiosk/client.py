"""The kiosk side of the daemon's HTTP API: requests calls and an SSE follower.

Screens never see ``requests``: every failure becomes :class:`DaemonError`
(the daemon said no, with a sentence to show) or :class:`DaemonUnavailable`
(the daemon cannot be reached; show "service temporarily unavailable").

An https daemon's certificate is verified against ``kiosk.ca_file`` (the hall's
CA; None: the system's CAs) by every client here, calls and event streams alike:
:func:`tls_verify` is the one place that says how. A certificate that does not
verify is a :class:`DaemonUnavailable` whose ``detail`` says so (the outbox's
health shows it) and one error in the log, never a crash.
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import requests

from hall.kiosk.tls import tls_verify, transport_problem

log = logging.getLogger(__name__)


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


class DaemonClient:
    """Blocking calls to the queue daemon with one bearer token (kiosk, display or staff).

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

    def sibling(self, token: str | None) -> DaemonClient:
        """A client of the same daemon with the same verification, its own session and ``token``."""
        return DaemonClient(self.base.removesuffix("/api/v1"), token, self.timeout, self.ca_file)

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

    # -- reads -----------------------------------------------------------------
    def health(self) -> dict:
        """Daemon liveness."""
        return self._request("GET", "/health")

    def services(self) -> list[dict]:
        """Services with waiting counts, estimates and whether they accept tickets now."""
        return self._request("GET", "/services")

    def ticket(self, ticket_id: str) -> dict:
        """One ticket with its place in line."""
        return self._request("GET", f"/tickets/{ticket_id}")

    def windows(self) -> list[dict]:
        """Every window's state and current ticket."""
        return self._request("GET", "/windows")

    def announcements_current(self) -> list[dict]:
        """GET /announcements/current: 公示/通报 in force now (display, kiosk)."""
        return self._request("GET", "/announcements/current")

    def public_figures(self) -> dict:
        """GET /figures/public: today's and this month's rates, 差评 put right (display, kiosk)."""
        return self._request("GET", "/figures/public")

    def window_queue(self, number: int) -> list[dict]:
        """Waiting tickets for a window in calling order."""
        return self._request("GET", f"/windows/{number}/queue")

    def clerk_photo(self, number: int) -> bytes | None:
        """The photo of the clerk signed in at a window (亮证上岗); None: there is none."""
        try:
            return self._request("GET", f"/windows/{number}/photo", raw=True)
        except DaemonError as exc:
            if exc.status == 404:
                return None
            raise

    # -- kiosk -----------------------------------------------------------------
    def issue(
        self,
        service: str,
        *,
        priority: bool = False,
        id_number: str | None = None,
        appointment_code: str | None = None,
        appointment: bool = False,
    ) -> dict:
        """取号: issue a ticket (``appointment``: check in the ID number's appointment)."""
        body: dict[str, Any] = {"service": service, "priority": priority}
        if id_number:
            body["id_number"] = id_number
        if appointment_code:
            body["appointment_code"] = appointment_code
        if appointment:
            body["appointment"] = True
        return self._request("POST", "/tickets", body)

    def appointment_faces(self, service: str) -> list[dict]:
        """Face templates of ``service``'s appointments open for check-in now (kiosk token)."""
        return self._request("GET", f"/appointments/faces?service={quote(service, safe='')}")

    def call_for_help(self, where: str) -> dict:
        """The citizen pressed "help": tell the staff which kiosk needs them."""
        return self._request("POST", "/help", {"where": where})

    def report_device(
        self,
        device_id: str,
        kind: str,
        status: str,
        detail: str = "",
        rejected: list[dict[str, str]] | None = None,
    ) -> dict:
        """Report a kiosk-attached device's state (e.g. the ticket printer) to the daemon.

        ``rejected`` (the terminal outbox): its cases refused for good, receipt and
        reason code only; the answer's ``acked`` names those a manager took up.
        """
        body: dict[str, Any] = {"id": device_id, "kind": kind, "status": status, "detail": detail}
        if rejected:
            body["rejected"] = rejected
        return self._request("POST", "/devices/report", body)

    def submit(
        self, body: dict[str, Any], timeout: float | tuple[float, float] | None = None
    ) -> dict:
        """Forward a stored submission; its id is the idempotency key (repeats are harmless).

        ``timeout``: (connect, read) for this upload (hall.kiosk.forwarding.upload_timeout).
        """
        key = {"Idempotency-Key": body["id"]}
        return self._request("POST", "/submissions", body, key, timeout, stream_body=True)

    def lodge_complaint(self, body: dict[str, Any]) -> dict:
        """投诉建议: lodge a complaint (channel kiosk); the receipt with its follow key."""
        return self._request("POST", "/complaints", body)

    def progress(self, receipt: str, id_number: str) -> dict:
        """办件查询: a case's status and history by receipt + ID number."""
        return self._request("POST", "/progress", {"receipt": receipt, "id_number": id_number})

    def rate_submission(
        self,
        submission_id: str,
        key: str,
        level: int,
        tags: list[str] | tuple[str, ...] = (),
        comment: str = "",
    ) -> dict:
        """好差评 of a self-service submission made on this terminal (its rating key proves it)."""
        body = {
            "submission_id": submission_id,
            "key": key,
            "level": level,
            "tags": list(tags),
            "comment": comment,
        }
        return self._request("POST", "/evaluations/kiosk", body)

    # -- staff -----------------------------------------------------------------
    def login(self, staff_id: str, pin: str, window: int) -> dict:
        """Log in at a window; this client then acts with the staff token."""
        data = self._request(
            "POST", "/staff/login", {"staff_id": staff_id, "pin": pin, "window": window}
        )
        self.token = data["token"]
        return data

    def logout(self) -> dict:
        """Log out and close the window."""
        return self._request("POST", "/staff/logout")

    def window_op(self, number: int, op: str, /, **body: Any) -> dict:
        """A window operation: call, recall, start, no-show, pause, resume, finish ..."""
        return self._request("POST", f"/windows/{number}/{op}", body or None)

    def vacancy(self) -> dict:
        """Empty windows and the open 空岗 alerts (GET /vacancy; staff and managers)."""
        return self._request("GET", "/vacancy")

    # -- 办件 (the case register, issue 15): a staff token --------------------------
    def open_case(self, body: dict) -> dict:
        """POST /cases: a case opened from the ticket served here (receipt, promised date)."""
        return self._request("POST", "/cases", body)

    def case_list(self, **filters: str) -> dict:
        """GET /cases: {cases, today}; ``department``, ``status``, ``due`` (yellow, red, open)."""
        query = urlencode({k: v for k, v in filters.items() if v})
        return self._request("GET", "/cases" + (f"?{query}" if query else ""))

    def cases(self, **filters: str) -> list[dict]:
        """The cases of :meth:`case_list` (no applicant data)."""
        return self.case_list(**filters)["cases"]

    def case(self, receipt: str) -> dict:
        """GET /cases/{receipt}: one case in full (its history, the applicant's ID)."""
        return self._request("GET", f"/cases/{quote(receipt, safe='')}")

    def case_action(self, receipt: str, action: str, body: dict | None = None) -> dict:
        """POST /cases/{receipt}/{action}: accept, return, supply, … (the daemon checks who)."""
        return self._request("POST", f"/cases/{quote(receipt, safe='')}/{action}", body or {})

    def case_notice(self, receipt: str, kind: str, key: str | None = None) -> dict:
        """GET /cases/{receipt}/notices/{kind}: a notice (promise, correction, …) as JSON.

        ``key``: the case's rating key (POST /cases answer): its QR then carries it.
        """
        return self._request("GET", self.case_notice_path(receipt, kind, key))

    def case_notice_page(self, receipt: str, kind: str, key: str | None = None) -> bytes:
        """The notice's A4 page (HTML bytes), read with this client's token."""
        return self._request("GET", self.case_notice_path(receipt, kind, key, ".html"), raw=True)

    @staticmethod
    def case_notice_path(receipt: str, kind: str, key: str | None = None, ext: str = "") -> str:
        """The notice's path under /api/v1 (``ext`` ".html": its A4 page)."""
        query = f"?{urlencode({'k': key})}" if key else ""
        return f"/cases/{quote(receipt, safe='')}/notices/{kind}{ext}{query}"

    def give_consent(self, staff_id: str, terminal: str, consent_version: str) -> dict:
        """Record the signed-in staff member's consent to face enrolment on ``terminal``."""
        body = {"staff_id": staff_id, "terminal": terminal, "consent_version": consent_version}
        return self._request("POST", "/attendance/consents", body)

    def withdraw_consent(self, staff_id: str) -> dict:
        """End the staff member's face consent (``withdrawn`` False: there was none)."""
        return self._request("DELETE", f"/attendance/consents/{staff_id}")

    # -- 首问 and 帮办代办 (issue 16): a staff token -------------------------------------
    def enquiry_form(self) -> dict:
        """GET /enquiries/form: quick topics, the window's department's matters, departments."""
        return self._request("GET", "/enquiries/form")

    def log_enquiry(self, body: dict) -> dict:
        """POST /enquiries: the signed-in clerk logs what they were first asked."""
        return self._request("POST", "/enquiries", body)

    def take_help(self, help_id: int) -> dict:
        """POST /help/{id}/ack: this clerk takes a kiosk's help call (409 once taken)."""
        return self._request("POST", f"/help/{int(help_id)}/ack")

    def leave_list(self) -> dict:
        """GET /leave: {requests, rules}; the clerk's own (a department head: the department's)."""
        return self._request("GET", "/leave")

    def request_leave(self, body: dict) -> dict:
        """POST /leave: the signed-in clerk asks for leave (their own staff id only)."""
        return self._request("POST", "/leave", body)

    def leave_decision(self, leave_id: int, what: str, note: str = "") -> dict:
        """POST /leave/{id}/approve, /refuse or /cancel, with an optional note."""
        if what not in ("approve", "refuse", "cancel"):
            raise ValueError(f"unknown leave decision {what!r}")
        return self._request("POST", f"/leave/{int(leave_id)}/{what}", {"note": note})

    def leader_sign_in(self, leader_id: str, pin: str) -> dict:
        """POST /leaders/sign-in: a 分管领导 signs in at this kiosk (kiosk token)."""
        return self._request("POST", "/leaders/sign-in", {"id": leader_id, "pin": pin})


class TerminalClient(DaemonClient):
    """Daemon calls made with a face terminal's device token."""

    def face_checkin(self, staff_id: str, window: int, engine: str) -> dict:
        """Tell the daemon this staff member's face matched here; opens the window."""
        body = {"staff_id": staff_id, "window": window, "engine": engine}
        return self._request("POST", "/attendance/checkin/face", body)

    def consents(self) -> list[dict]:
        """Consents in force for this terminal's templates."""
        return self._request("GET", "/attendance/consents")


class EventFollower:
    """Follows ``/api/v1/events`` on a thread and hands each event to ``on_event``.

    Reconnects by itself with ``Last-Event-ID``, so after a daemon restart it
    misses nothing. ``on_event(type, data, id)`` and ``on_state(connected)``
    run on the follower thread: a Kivy screen must move them to the UI thread.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        on_event: Callable[[str, dict, int], None],
        on_state: Callable[[bool], None] | None = None,
        last_id: int | None = None,
        retry_s: float = 1.0,
        ca_file: str | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/events"
        self.ca_file = ca_file  # kiosk.ca_file, as DaemonClient
        self._session = requests.Session()
        self._problem: str | None = None
        self.token = token
        self.on_event = on_event
        self.on_state = on_state
        self.last_id = last_id
        self.retry_s = retry_s
        self.connected = False
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._thread = threading.Thread(target=self._run, name="event-follower", daemon=True)

    def start(self) -> EventFollower:
        """Start following."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following and close the stream."""
        self._stop.set()
        self._cut()
        self._thread.join(5)
        self._session.close()

    def _cut(self) -> None:
        resp = self._response
        if resp is not None:
            with contextlib.suppress(Exception):
                resp.raw.connection.sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(Exception):
                resp.close()

    def _set_connected(self, value: bool) -> None:
        if value != self.connected:
            self.connected = value
            if self.on_state:
                try:
                    self.on_state(value)
                except Exception:  # a screen bug must not stop following
                    log.exception("event state callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
                problem = transport_problem(exc, self.ca_file)
                if problem is None:
                    log.info("event stream interrupted: %s", type(exc).__name__)
                elif problem != self._problem:  # once, not at every retry
                    log.error("event stream: %s", problem)
                self._problem = problem
            self._set_connected(False)
            self._stop.wait(self.retry_s)

    def _follow(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        verify = tls_verify(self.ca_file)
        with self._session.get(
            self.url, headers=headers, stream=True, timeout=(3, 60), verify=verify
        ) as resp:
            self._response = resp
            if resp.status_code != 200:
                raise ValueError(f"HTTP {resp.status_code}")
            self._set_connected(True)
            fields: dict[str, str] = {}
            for line in resp.iter_lines(decode_unicode=True):
                if self._stop.is_set():
                    return
                if line:
                    if not line.startswith(":"):
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
                    continue
                if "data" in fields:
                    self._deliver(fields)
                fields = {}

    def _deliver(self, fields: dict[str, str]) -> None:
        event_id = int(fields["id"]) if fields.get("id", "").isdigit() else None
        try:
            self.on_event(fields.get("event", "message"), json.loads(fields["data"]), event_id)
        except Exception:  # a screen bug must not stop following
            log.exception("event handler failed for %s", fields.get("event"))
        if event_id is not None:
            self.last_id = event_id
