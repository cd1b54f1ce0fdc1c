"""Estimated waits in whole minutes: one rule for the paper ticket, the kiosk and the phone.

The daemon gives a waiting ticket ``est_wait_s`` and, since issue 11, an
``est_wait_range_s`` [low, high] (its uncertainty). Everything a citizen reads
goes through :func:`wait_minutes_range`, so the same ticket says the same
minutes on paper, on the kiosk screen and on the phone page (910 s is 15
minutes everywhere):

* seconds round to the nearest minute (half a minute rounds up), never negative;
* a range whose ends round to the same minute is one figure;
* with someone ahead the wait is never under a minute: "soon" would be a
  promise nobody can keep. (0, 0) is the only "soon" / "nearly your turn".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def wait_minutes(seconds: float | None) -> int:
    """An estimated wait in whole minutes (to the nearest), never negative."""
    return int((max(seconds or 0, 0) + 30) // 60)


def wait_minutes_range(
    ahead: int, est_wait_s: float | None, est_wait_range_s: tuple[float, float] | None = None
) -> tuple[int, int]:
    """The wait as (low, high) whole minutes; (0, 0) means "soon".

    Without a range from the daemon, its single estimate; a range given the
    wrong way round is put right.
    """
    low_s, high_s = est_wait_range_s or (est_wait_s, est_wait_s)
    low, high = sorted((wait_minutes(low_s), wait_minutes(high_s)))
    if ahead > 0:
        low, high = max(low, 1), max(high, 1)
    return low, high


def range_of(view: Mapping[str, Any]) -> tuple[int, int] | None:
    """The ``est_wait_range_s`` [low, high] of a daemon ticket view; None when absent or bad."""
    value = view.get("est_wait_range_s")
    if isinstance(value, list | tuple) and len(value) == 2:
        try:
            return int(value[0]), int(value[1])
        except (TypeError, ValueError):
            return None
    return None


def view_minutes(view: Mapping[str, Any]) -> tuple[int, int]:
    """(low, high) minutes of a daemon ticket view (``ahead``, ``est_wait_s``, the range)."""
    return wait_minutes_range(
        int(view.get("ahead") or 0), view.get("est_wait_s") or 0, range_of(view)
    )
