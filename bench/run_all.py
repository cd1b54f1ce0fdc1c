"""Run every benchmark script in bench/ in turn (``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run bench_*.py one after another; stop at the first failure."""
    for script in sorted(HERE.glob("bench_*.py")):
        sys.stdout.write(f"== {script.name}\n")
        sys.stdout.flush()
        if subprocess.call([sys.executable, str(script)]) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
