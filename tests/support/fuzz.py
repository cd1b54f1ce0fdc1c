"""Schemathesis against a running daemon's ``/openapi.json``, as every role (issue 13).

The fast fuzz test (tests/queue/web/test_fuzz_schema.py) and ``make fuzz``
(bench/fuzz.py) share this runner. It fuzzes whatever ``/openapi.json`` lists,
so a route added tomorrow is fuzzed without a change here. For each operation
and each role (no token, kiosk, display, a staff session, manager) it sends:

- with ``coverage``: schemathesis' coverage cases, deterministic boundary and
  type-mutation values (the largest integers, missing and unknown fields, ...);
- ``examples`` valid and ``examples`` invalid requests drawn by Hypothesis
  (derandomized, or from ``seed``: the same run twice sends the same requests).

Every answer is checked: not a 5xx, a status and a content type the schema
declares, a body matching the declared schema (every 4xx: the house error
shape, hall/queue/web/errors.py), invalid input refused with a 4xx. The run does
not stop at the first finding: it keeps one per (operation, role, check,
status) with a curl command that reproduces it. ``budget_s`` bounds the run:
the coverage cases may take half of it, then each (operation, role) gets its
share of the rest for drawn examples; what the budget cuts short is listed
(``cut_short``).

Not fuzzed: ``*/logout`` (it ends the session under test). If another route
ends the staff session (a check-out), the staff member is logged in again
before the next operation. An event stream (an answer declared as
``text/event-stream``) is read for at most :data:`STREAM_READ_S`.
"""

from __future__ import annotations

import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
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
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
#: Operations left out, by path: logging out would end the session the run is using.
SKIP = re.compile(r"/logout$")
#: How long an event stream is read before the runner hangs up (seconds).
STREAM_READ_S = 0.5
#: A request that takes longer than this is a finding (seconds).
REQUEST_TIMEOUT_S = 15.0
#: With ``coverage``, the share of the budget the coverage cases may take.
COVERAGE_SHARE = 0.5
#: How many of the (operation, role) pairs the budget cut short a summary names.
LISTED = 20


@dataclass
class Finding:
    """One kind of failure: an operation as a role, a check, the status seen."""

    where: str
    check: str
    status: int | None
    message: str
    reproduce: str
    count: int = 1

    def line(self) -> str:
        """One paragraph: what, as whom, and how to reproduce it."""
        return (
            f"{self.where}: {self.check} (status {self.status}, {self.count}x)\n"
            f"    {self.message}\n    {self.reproduce}"
        )


@dataclass
class Report:
    """What a run did and found."""

    operations: int = 0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: dict[tuple, Finding] = field(default_factory=dict)
    cut_short: list[str] = field(default_factory=list)
    passes: dict[str, tuple[int, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """The figures of the run, every finding and what the budget cut short."""
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        lines = [
            f"operations: {self.operations}, requests: {self.requests}, "
            f"failures: {len(self.findings)}, seconds: {self.seconds:.1f}",
            f"statuses: {codes}",
            *(f.line() for f in self.findings.values()),
        ]
        for name, (sent, seconds) in self.passes.items():
            cut = sum(1 for where in self.cut_short if where.startswith(name + ":"))
            lines.append(
                f"{name}: {sent} requests in {seconds:.0f} s, {cut} cut short by the budget"
            )
        if self.cut_short:
            lines += [f"    {where}" for where in self.cut_short[:LISTED]]
            if len(self.cut_short) > LISTED:
                lines.append(f"    ... and {len(self.cut_short) - LISTED} more")
        return "\n".join(lines)


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
    """The share of the time budget is spent: stop sending."""


def _streams(operation: APIOperation) -> bool:
    for response in operation.definition.raw.get("responses", {}).values():
        if "text/event-stream" in response.get("content", {}):
            return True
    return False


def _record(report: Report, where: str, status: int | None, case: Case, exc: BaseException) -> None:
    failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
    for failure in failures:
        if isinstance(failure, Failure):
            check, message = failure.title, failure.message.splitlines()
        else:  # no answer at all: a timeout, a dropped connection
            check, message = "no answer", [f"{type(failure).__name__}: {failure}"]
        key = (where, check, status)
        if key in report.findings:
            report.findings[key].count += 1
            continue
        try:
            curl = case.as_curl_command()
        except Exception:  # a case whose curl cannot be written is still a finding
            curl = f"{case.method} {case.formatted_path}"
        report.findings[key] = Finding(where, check, status, " / ".join(message)[:400], curl)


def _sender(
    report: Report, session: requests.Session, operation: APIOperation, role: str, roles: Roles
) -> Callable[[Case], None]:
    """Send a case as ``role``, check the answer, record what fails."""
    headers = roles.headers(role)
    timeout = STREAM_READ_S if _streams(operation) else REQUEST_TIMEOUT_S
    where = f"{operation.label} as {role}"

    def send(case: Case) -> None:
        report.requests += 1
        status = None
        try:
            response = case.call(session=session, headers=headers, timeout=timeout)
            status = response.status_code
            report.statuses[status] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, Failure, requests.RequestException) as exc:
            _record(report, where, status, case, exc)

    return send


def _coverage(operation: APIOperation) -> Iterable[Case]:
    schema = operation.schema
    config = schema.config.generation_for(operation=operation)
    return schema.iter_coverage_cases(
        operation, generation_modes=list(MODES), generation_config=config
    )


def _drawn(
    send: Callable[[Case], None],
    operation: APIOperation,
    examples: int,
    seed: int | None,
    end: float,
) -> None:
    """Send ``examples`` valid and as many invalid cases drawn by Hypothesis."""
    for mode in MODES:

        @settings(
            max_examples=examples,
            derandomize=seed is None,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def test(case: Case) -> None:
            if time.monotonic() > end:
                raise _OutOfTime
            send(case)

        if seed is not None:
            test = hypothesis.seed(seed)(test)
        try:
            with warnings.catch_warnings():
                # schemathesis' own invalid-case strategies use `random` (its code, not
                # ours): under filterwarnings=error, Hypothesis' deprecation notice of
                # that would fail the run now and then.
                warnings.filterwarnings(
                    "ignore", message="Do not use the `random` module inside strategies"
                )
                test()
        except Unsatisfiable:
            pass  # nothing to draw (an invalid request of an operation without inputs)


def fuzz(
    roles: Roles,
    *,
    examples: int = 3,
    seed: int | None = None,
    budget_s: float = 240.0,
    only_roles: tuple[str, ...] = ROLES,
    coverage: bool = False,
    fair: bool = True,
) -> Report:
    """Fuzz every operation of the daemon's schema as each role; return what was found.

    ``fair``: each (operation, role) gets its share of the budget (a long run, where the
    number of examples is what the budget allows). Without it, a slow operation may use
    what the others leave: the fast suite's fixed few examples are cut only when the whole
    budget is spent, not because one slot was slow on a busy machine.
    """
    start = time.monotonic()
    report = Report()
    url = roles.base.removesuffix("/api/v1") + "/openapi.json"
    operations = [r.ok() for r in schemathesis.openapi.from_url(url).get_all_operations()]
    operations = [op for op in operations if not SKIP.search(op.path)]
    report.operations = len(operations)
    slots = [(op, role) for op in operations for role in only_roles]
    session = requests.Session()

    def each_slot(name: str, share_s: float, fair: bool, body: Callable) -> None:
        begin, sent = time.monotonic(), report.requests
        for k, (operation, role) in enumerate(slots):
            # fair: each slot's share, unspent time passing to the next; else the pass's end
            end = begin + share_s * ((k + 1) / len(slots) if fair else 1)
            if role == "staff":
                roles.ensure_staff()
            try:
                body(_sender(report, session, operation, role, roles), operation, end)
            except _OutOfTime:
                report.cut_short.append(f"{name}: {operation.label} as {role}")
        report.passes[name] = (report.requests - sent, time.monotonic() - begin)

    if coverage:  # a fixed number of cases: only the pass as a whole is bounded

        def cover(send: Callable, operation: APIOperation, end: float) -> None:
            for case in _coverage(operation):
                if time.monotonic() > end:
                    raise _OutOfTime
                send(case)

        each_slot("coverage", budget_s * COVERAGE_SHARE, False, cover)
    left = budget_s - (time.monotonic() - start)
    each_slot("examples", left, fair, lambda send, op, end: _drawn(send, op, examples, seed, end))
    report.seconds = time.monotonic() - start
    return report
