"""Schemathesis against a running daemon's ``/openapi.json``, as every role (issue 13).

The fast fuzz test (tests/queue/web/test_fuzz_schema.py) and ``make fuzz``
(bench/fuzz.py) share this runner. It fuzzes whatever ``/openapi.json`` lists,
so a route added tomorrow is fuzzed without a change here. For each operation
and each role (no token, kiosk, display, a staff session, manager) Hypothesis
draws ``examples`` valid and ``examples`` invalid requests from the schema
(seeded: the same run twice sends the same requests) and every answer is
checked: not a 5xx, a status and a content type the schema declares, a body
matching the declared schema, invalid input refused with a 4xx. The run does
not stop at the first finding: it keeps one per (operation, check, status)
with a way to reproduce it.

Not fuzzed: ``*/logout`` (it ends the session under test). If another route
ends the staff session (a check-out), the staff member is logged in again
before the next operation. An event stream (an answer declared as
``text/event-stream``) is read for at most :data:`STREAM_READ_S`.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from hall.config import load_config
from tests.support.config import PIN
from tests.support.daemon import Daemon

ROLES = ("none", "kiosk", "display", "staff", "manager")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
#: Operations left out, by path: logging out would end the session the run is using.
SKIP = re.compile(r"/logout$")
#: How long an event stream is read before the runner hangs up (seconds).
STREAM_READ_S = 0.5
#: A request that takes longer than this is a finding (seconds).
REQUEST_TIMEOUT_S = 15.0


@dataclass
class Finding:
    """One kind of failure: an operation, a role, a check and the status seen."""

    operation: str
    role: str
    check: str
    status: int | None
    message: str
    reproduce: str
    count: int = 1

    def line(self) -> str:
        """One paragraph: what, as whom, and how to reproduce it."""
        return (
            f"{self.operation} as {self.role}: {self.check} (status {self.status}, "
            f"{self.count}x)\n    {self.message}\n    {self.reproduce}"
        )


@dataclass
class Report:
    """What a run did and found."""

    operations: int = 0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: dict[tuple, Finding] = field(default_factory=dict)
    seconds: float = 0.0
    out_of_time: bool = False

    def summary(self) -> str:
        """The figures of the run and every finding."""
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        head = (
            f"operations: {self.operations}, requests: {self.requests}, "
            f"failures: {len(self.findings)}, seconds: {self.seconds:.1f}"
            f"{' (time budget spent)' if self.out_of_time else ''}\nstatuses: {codes}"
        )
        return "\n".join([head, *(f.line() for f in self.findings.values())])


class Roles:
    """The ``Authorization`` header of each role; the staff session is kept alive."""

    def __init__(
        self, base: str, tokens: dict[str, str], staff: tuple[str, str, int], manager: str
    ) -> None:
        self.base = base + "/api/v1"
        self.tokens: dict[str, str | None] = {"none": None, **tokens}
        self.staff = staff
        self.manager = manager
        self.http = requests.Session()

    def headers(self, role: str) -> dict[str, str]:
        """The headers a request of ``role`` carries."""
        token = self.tokens[role]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def ensure_staff(self) -> None:
        """Log the staff member in if the fuzzing ended the session (or never started it)."""
        if self.tokens.get("staff"):
            r = self.http.get(self.base + "/windows", headers=self.headers("staff"), timeout=30)
            if r.status_code == 200:
                return
        staff_id, pin, window = self.staff
        # The fuzzing's own wrong PINs lock the address and perhaps the id: a manager unlocks.
        for kind, subject in (("address", "127.0.0.1"), ("staff", staff_id)):
            self.http.post(
                self.base + "/sign-in/unlock",
                json={"kind": kind, "subject": subject},
                headers={"Authorization": f"Bearer {self.manager}"},
                timeout=30,
            )
        login = {"staff_id": staff_id, "pin": pin, "window": window}
        r = self.http.post(self.base + "/staff/login", json=login, timeout=30)
        assert r.status_code == 200, f"the staff login for the fuzz run failed: {r.text}"
        self.tokens["staff"] = r.json()["token"]


def roles_for(daemon: Daemon, staff: tuple[str, int] = ("S001", 1)) -> Roles:
    """The roles of a test daemon: the first token of each role in its config, a staff login."""
    config = load_config(daemon.config_path)
    tokens: dict[str, str] = {}
    for t in config.api.tokens:
        tokens.setdefault(t.role.value, t.token)
    return Roles(daemon.base, tokens, (staff[0], PIN, staff[1]), tokens["manager"])


class _OutOfTime(Exception):
    """The run's time budget is spent: stop drawing examples."""


def _streams(operation: schemathesis.APIOperation) -> bool:
    for response in operation.definition.raw.get("responses", {}).values():
        if "text/event-stream" in response.get("content", {}):
            return True
    return False


def _record(report: Report, op: str, role: str, case, exc: BaseException) -> None:
    failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
    for failure in failures:
        if isinstance(failure, Failure):
            check, status = failure.title, getattr(failure, "status_code", None)
            message = failure.message.splitlines()
        else:  # no answer at all: a timeout, a dropped connection
            check, status, message = "no answer", None, [f"{type(failure).__name__}: {failure}"]
        key = (op, role, check, status)
        if key in report.findings:
            report.findings[key].count += 1
            continue
        try:
            curl = case.as_curl_command()
        except Exception:  # noqa: BLE001 - a case whose curl cannot be written is still a finding
            curl = f"{case.method} {case.formatted_path}"
        report.findings[key] = Finding(op, role, check, status, " / ".join(message)[:400], curl)


def fuzz(
    roles: Roles,
    *,
    examples: int = 3,
    seed: int | None = None,
    budget_s: float = 600.0,
    only_roles: tuple[str, ...] = ROLES,
) -> Report:
    """Fuzz every operation of the daemon's schema as each role; return what was found.

    ``seed`` None: Hypothesis draws derandomized (the same requests every run).
    ``budget_s`` bounds the whole run; what was not reached is left out (``out_of_time``).
    """
    start = time.monotonic()
    report = Report()
    schema = schemathesis.openapi.from_url(roles.base.removesuffix("/api/v1") + "/openapi.json")
    session = requests.Session()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if SKIP.search(operation.path):
                continue
            report.operations += 1
            for role in only_roles:
                if role == "staff":
                    roles.ensure_staff()
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    run = _one_run(report, session, operation, role, roles.headers(role), mode)
                    _given(run, operation, mode, examples, seed, start + budget_s)()
    except _OutOfTime:
        report.out_of_time = True
    report.seconds = time.monotonic() - start
    return report


def _one_run(report: Report, session, operation, role: str, headers: dict, mode) -> Callable:
    """The body of one Hypothesis run: send a drawn case as ``role``, check, record."""
    timeout = STREAM_READ_S if _streams(operation) else REQUEST_TIMEOUT_S

    def send(case) -> None:
        report.requests += 1
        try:
            response = case.call(session=session, headers=headers, timeout=timeout)
            report.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, Failure, requests.RequestException) as exc:
            _record(report, operation.label, role, case, exc)

    return send


def _given(send: Callable, operation, mode, examples: int, seed: int | None, end: float):
    """``send`` as a Hypothesis test of ``examples`` cases of ``operation`` (seeded)."""

    @settings(
        max_examples=examples,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def test(case) -> None:
        if time.monotonic() > end:
            raise _OutOfTime
        send(case)

    if seed is not None:
        test = hypothesis.seed(seed)(test)

    def run() -> None:
        try:
            test()
        except Unsatisfiable:
            pass  # nothing to draw (an invalid request of an operation without inputs)

    return run
