"""Schemathesis against a real daemon's /openapi.json, as each role: no 5xx, no schema violation.

A few seeded examples per operation, valid and invalid, so it stays in the
fast suite; ``make fuzz`` runs the same with many more (bench/fuzz.py). The
runner and what it checks: tests/support/fuzz.py. Hand-written junk per
field: test_fuzz_api.py.
"""

from __future__ import annotations

import pytest

from tests.support import Daemon
from tests.support.fuzz import ROLES, fuzz, roles_for

#: Examples per operation, role and mode (valid, invalid): ~250 requests a role.
EXAMPLES = 3
#: Seconds a role may take: ~10 s of CPU each; the rest is a busy machine's margin,
#: inside pytest's 300 s timeout so a slow run says what it did not reach.
BUDGET_S = 240


@pytest.mark.parametrize("role", ROLES)
def test_the_schema_holds_under_fuzzing(daemon: Daemon, role: str) -> None:
    report = fuzz(
        roles_for(daemon), examples=EXAMPLES, budget_s=BUDGET_S, only_roles=(role,), fair=False
    )
    if report.findings or report.cut_short:
        pytest.fail(report.summary(), pytrace=False)
    assert report.operations >= 40 and report.requests >= 5 * report.operations, report.summary()
    assert daemon.api(None).get("/health").json()["status"] == "ok"
