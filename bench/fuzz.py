"""The long API fuzz run (``make fuzz``): schemathesis against a real daemon, every role.

A real ``python -m hall.queue`` subprocess on loopback (the test hall, a fresh
data dir). The runner is the fast test's (tests/support/fuzz.py) with more of
everything: schemathesis' coverage cases (boundary values, wrong types,
missing and unknown fields) for each operation and role, then as many
Hypothesis examples as the time budget allows (``--examples`` per operation,
role and mode, seeded). Prints the figures (operations, requests, statuses,
failures) and every failure with a curl command; exits 1 if there is one.
Record the result in bench/RESULTS.md under "API fuzzing".

Usage: ``python bench/fuzz.py [--minutes 10] [--examples 50] [--seed 13] [--roles none,kiosk]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import new_daemon  # noqa: E402
from tests.support.fuzz import ROLES, fuzz, roles_for  # noqa: E402


def main() -> int:
    """Start a daemon, fuzz it within the budget, print the summary; 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget of the run")
    parser.add_argument("--examples", type=int, default=50, help="per operation, role and mode")
    parser.add_argument("--seed", type=int, default=13, help="Hypothesis seed")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated")
    args = parser.parse_args()
    roles = tuple(args.roles.split(","))
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        daemon = new_daemon(Path(tmp) / "d", process=True).start()
        try:
            report = fuzz(
                roles_for(daemon),
                examples=args.examples,
                seed=args.seed,
                budget_s=args.minutes * 60,
                only_roles=roles,
                coverage=True,
            )
        finally:
            daemon.stop()
    print(f"API fuzzing, {started.isoformat()}, load before: {load}, after: ", end="")
    print(" ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"roles: {', '.join(roles)}; examples: {args.examples}; seed: {args.seed}")
    print(report.summary())
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
