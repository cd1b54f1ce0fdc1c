"""Fills the statistics day cache in the background, so no request pays for it.

A closed business day's tickets no longer change, so its figures are worked
out once (``stats_day.day_figures``) and kept in ``stats_days``. Without this,
the first request for a month reads a month of tickets (~10 s at 1,000,000
tickets). Here a thread computes missing closed days on a read-only
connection of its own (SQLite WAL: readers never block the writer), one day
at a time, and hands each result to the writer to store — unless a rating or
appeal for that day arrived meanwhile (then the day is left for next round).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from sqlalchemy import func, select

from hall.queue.core.tables.daemon import stats_days_table
from hall.queue.core.tables.ratings import ledger_table
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.core.writer import Tx
from hall.queue.stats import day_cache

log = logging.getLogger(__name__)

DAYS_BACK = 62  # two months of closed days


class StatsWarmer:
    """A background thread keeping the last DAYS_BACK closed days cached."""

    def __init__(self, daemon: Any, every_s: float = 300.0) -> None:
        self.daemon = daemon
        self.every_s = every_s
        self.filled = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stats-warm", daemon=True)
        self._engine = daemon.read_engine  # autocommit reads: never the write lock

    def start(self) -> StatsWarmer:
        """Start filling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the day under way."""
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.fill_once()
            except Exception:  # statistics are a cache: try again next round
                log.exception("filling the statistics cache failed")
            self._stop.wait(self.every_s)

    def fill_once(self) -> int:
        """Compute and store every missing closed day with tickets; return how many."""
        ctx = self.daemon.ctx
        today = ctx.schedule.local(dt.datetime.fromtimestamp(self.daemon.clock(), dt.UTC)).date()
        last_closed = today - dt.timedelta(days=2)  # the day before yesterday and older
        first = last_closed - dt.timedelta(days=DAYS_BACK)
        done = 0
        with self._engine.connect() as conn:
            have = set(conn.execute(select(stats_days_table.c.day)).scalars())
            busy = (
                conn.execute(
                    select(tickets_table.c.day)
                    .where(
                        tickets_table.c.day >= first.isoformat(),
                        tickets_table.c.day <= last_closed.isoformat(),
                    )
                    .group_by(tickets_table.c.day)
                )
                .scalars()
                .all()
            )
            for day in sorted(set(busy) - have):
                if self._stop.is_set():
                    break
                started = self.daemon.clock()
                figures = day_cache.day_figures(conn, day)
                if self.daemon.writer.call(
                    lambda tx, d=day, f=figures, s=started: _store_unless_rated(tx, d, f, s)
                ):
                    done += 1
        self.filled += done
        if done:
            log.info("statistics cache: %d closed day(s) filled", done)
        return done


def _store_unless_rated(tx: Tx, day: str, figures: dict[str, Any], since: float) -> bool:
    newer = tx.conn.execute(
        select(func.count()).where(ledger_table.c.day == day, ledger_table.c.ts >= since)
    ).scalar_one()
    if newer:
        return False  # a rating for that day came in while it was being read
    day_cache.store(tx, {day: figures})
    return True
