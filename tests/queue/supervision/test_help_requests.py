"""help_counts over a real SQLite store: calls per kiosk and hour, median and mean time to answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from hall.queue.core.schema import open_engine
from hall.queue.core.tables.supervision import help_requests_table as H
from hall.queue.supervision.help_requests import help_counts

#: (terminal, day, hour, answer_s): None = never taken.
ROWS = [
    ("kiosk-1", "2026-06-01", 9, 30.0),
    ("kiosk-1", "2026-06-01", 9, 90.0),
    ("kiosk-1", "2026-06-02", 14, 60.0),
    ("kiosk-1", "2026-06-02", 14, None),
    ("kiosk-2", "2026-06-02", 9, 10.0),
    ("kiosk-2", "2026-06-03", 10, 500.0),  # outside the period below
]


def test_counts_per_kiosk_and_hour_with_the_time_to_answer(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    with engine.connect() as conn, conn.begin():
        for n, (terminal, day, hour, answer_s) in enumerate(ROWS):
            conn.execute(
                insert(H).values(
                    terminal=terminal, ts=1e9 + n, day=day, hour=hour, answer_s=answer_s
                )
            )
    with engine.connect() as conn:
        got = help_counts(conn, "2026-06-01", "2026-06-02")
        empty = help_counts(conn, "2026-07-01", "2026-07-31")
        as_dates = help_counts(conn, dt.date(2026, 6, 1), dt.date(2026, 6, 2))
    engine.dispose()
    # In the period: 5 calls, 4 answered: 30, 90, 60, 10 → median (30+60)/2 = 45, mean 190/4 = 47.5.
    assert (got["count"], got["answered"]) == (5, 4)
    assert (got["median_s"], got["mean_s"]) == (45.0, 47.5)
    # kiosk-1: 4 calls, 3 answered (30, 90, 60): median 60, mean 60. kiosk-2: one of 10 s.
    assert got["by_terminal"] == {
        "kiosk-1": {"count": 4, "answered": 3, "median_s": 60.0, "mean_s": 60.0},
        "kiosk-2": {"count": 1, "answered": 1, "median_s": 10.0, "mean_s": 10.0},
    }
    assert got["by_hour"] == {9: 3, 14: 2}
    assert as_dates == {**got, "start": "2026-06-01", "end": "2026-06-02"}
    assert empty["count"] == 0 and empty["median_s"] is None and empty["by_terminal"] == {}
