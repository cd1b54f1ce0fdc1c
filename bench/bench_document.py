"""Document capture benchmark: find + rectify + assess one 1280x720 frame.

Frames are generated scenes (``tests/vision/doc_scenes.py``): a page on wood,
a dark counter or a plaid cloth, clean, blurred, with glare or dim, and some
with no page at all. Scene generation is not timed; each timing is one call of
``capture()`` (detection at 640x360, perspective warp to a 1240 px wide page,
quality measures), the work the kiosk does per preview frame it evaluates.

Usage: ``python bench/bench_document.py [--frames 100] [--out-width 1240]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall.vision.document import capture, find_document  # noqa: E402
from tests.vision.doc_scenes import KINDS, make_scene  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (q in 0..100)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def main() -> None:
    """Time capture() and find_document() on generated frames and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--out-width", type=int, default=1240)
    args = ap.parse_args()
    # Mostly pages (the common case at the kiosk), a fifth of each fault kind.
    frames = [make_scene(1000 + i, KINDS[i % len(KINDS)]).image for i in range(args.frames)]
    capture(frames[0], out_width=args.out_width)  # warm up OpenCV's thread pool and caches
    total, detect = [], []
    for frame in frames:
        t0 = time.perf_counter()
        capture(frame, out_width=args.out_width)
        t1 = time.perf_counter()
        find_document(frame)
        t2 = time.perf_counter()
        total.append((t1 - t0) * 1000)
        detect.append((t2 - t1) * 1000)
    print(f"{args.frames} frames 1280x720, out_width {args.out_width}, {os.cpu_count()} CPUs")
    for name, v in (("capture (find+rectify+assess)", total), ("find_document only", detect)):
        print(
            f"{name:32s} median {statistics.median(v):6.1f} ms   p99 {percentile(v, 99):6.1f} ms"
            f"   max {max(v):6.1f} ms"
        )


if __name__ == "__main__":
    main()
