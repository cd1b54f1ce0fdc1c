"""The kiosk's calls to the daemon's HTTP API: one named method per request.

Every request a screen or a face terminal makes is a method of :class:`DaemonClient`
or :class:`TerminalClient` here, so that API reads in one file. Under them:
hall/kiosk/daemon_http.py (sending, TLS verification, :class:`DaemonError` and
:class:`DaemonUnavailable`); beside them, the event stream: hall/kiosk/events.py
(:class:`EventFollower`). Those names are importable from here as before.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from hall.kiosk.daemon_http import (  # noqa: F401 - re-exported
    DaemonError,
    DaemonHttp,
    DaemonUnavailable,
    retry_after,
)
from hall.kiosk.events import EventFollower  # noqa: F401 - re-exported

#: Read timeout of a PIN sign-in. The daemon runs scrypt on one thread with up to 16
#: sign-ins queued behind it (config ``sign_in``), so on a busy box an answer can take
#: longer than the 3 s of other calls: the CI run of 2026-12-03 saw a leader's sign-in
#: at a kiosk give up while the daemon was still checking the PIN.
SIGN_IN_TIMEOUT_S = 15.0


class DaemonClient(DaemonHttp):
    """Blocking calls to the queue daemon with one bearer token (kiosk, display or staff).

    ``ca_file``: kiosk.ca_file, what an https daemon's certificate must verify against.
    """

    def sibling(self, token: str | None) -> DaemonClient:
        """A client of the same daemon with the same verification, its own session and ``token``."""
        return DaemonClient(self.base.removesuffix("/api/v1"), token, self.timeout, self.ca_file)

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
            "POST",
            "/staff/login",
            {"staff_id": staff_id, "pin": pin, "window": window},
            timeout=(self.timeout, SIGN_IN_TIMEOUT_S),
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

    def my_score(self, period: str) -> dict:
        """GET /assessment/me?period=: the signed-in clerk's own score, grade, rank and lines."""
        return self._request("GET", "/assessment/me?" + urlencode({"period": period}))

    def leader_sign_in(self, leader_id: str, pin: str) -> dict:
        """POST /leaders/sign-in: a 分管领导 signs in at this kiosk (kiosk token)."""
        body = {"id": leader_id, "pin": pin}
        return self._request(
            "POST", "/leaders/sign-in", body, timeout=(self.timeout, SIGN_IN_TIMEOUT_S)
        )


class TerminalClient(DaemonClient):
    """Daemon calls made with a face terminal's device token."""

    def face_checkin(self, staff_id: str, window: int, engine: str) -> dict:
        """Tell the daemon this staff member's face matched here; opens the window."""
        body = {"staff_id": staff_id, "window": window, "engine": engine}
        return self._request("POST", "/attendance/checkin/face", body)

    def consents(self) -> list[dict]:
        """Consents in force for this terminal's templates."""
        return self._request("GET", "/attendance/consents")
