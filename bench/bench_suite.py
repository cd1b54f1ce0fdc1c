"""How long the whole test suite takes, for two commits side by side in one run (issue 12).

Each commit is checked out (``git worktree add --detach``) into a scratch folder with
``../shared`` linked beside it, as CI has it, and ``python -m pytest`` runs there exactly as
``make test`` runs it (the commit's own pytest options), with this venv. The runs follow
each other, so the two figures are taken under the same machine and the same load; the
load average before and after each run is printed with its figures, because these
machines are shared.

    python bench/bench_suite.py c4dcf36 HEAD          # before, after
    python bench/bench_suite.py HEAD --runs 2         # one commit, twice
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SUMMARY = re.compile(r"=+ (.*) in ([\d.]+)s")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_suite(commit: str, scratch: Path) -> dict[str, object]:
    """Check ``commit`` out under ``scratch`` and time its test suite; the figures."""
    sha = _git("rev-parse", "--short", commit)
    where = scratch / sha
    _git("worktree", "add", "--detach", "--force", str(where), sha)
    try:
        env = {**os.environ, "PYTHONPATH": str(where)}
        load_before = _load()
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=where,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.monotonic() - started
        # The whole output stays for a person to read (which tests failed, and why).
        saved = Path(tempfile.gettempdir()) / f"hall-suite-{sha}.log"
        saved.write_text(done.stdout + done.stderr, encoding="utf-8")
        tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
        found = SUMMARY.search(tail)
        return {
            "commit": sha,
            "wall_s": round(wall, 1),
            "pytest": found.group(1) if found else tail,
            "exit": done.returncode,
            "load_before": load_before,
            "load_after": _load(),
            "log": str(saved),
        }
    finally:
        _git("worktree", "remove", "--force", str(where))


def main(argv: list[str] | None = None) -> int:
    """Time the suite of each commit given, one after the other; print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("commits", nargs="+")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args(argv)
    # The commits look for ../shared (the ORL faces, the seeds) beside their root.
    scratch = Path(tempfile.mkdtemp(prefix="hall-suite-", dir=ROOT.parent))
    (scratch / "shared").symlink_to(SHARED)
    rows = []
    for _ in range(args.runs):
        for commit in args.commits:
            row = run_suite(commit, scratch)
            rows.append(row)
            print(row, flush=True)
    print(f"\n{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| commit | wall | pytest says | load before / after (1, 5, 15 min) |")
    print("| --- | ---: | --- | --- |")
    for r in rows:
        print(
            f"| {r['commit']} | {r['wall_s']} s | {r['pytest']} "
            f"| {r['load_before']} / {r['load_after']} |"
        )
    (scratch / "shared").unlink()
    scratch.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
