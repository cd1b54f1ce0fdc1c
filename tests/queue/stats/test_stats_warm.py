"""The statistics day cache is filled in the background, never over a late rating."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from hall.config import HallConfig
from hall.queue.core.daemon import HallDaemon
from hall.queue.core.tables.daemon import stats_days_table
from hall.queue.core.tables.ratings import ledger_table
from hall.queue.stats.warmer import _store_unless_rated
from hall.queue.tickets import issuing
from tests.support import START, hall_config


@pytest.fixture
def service(tmp_path):
    five_days_ago = START.timestamp() - 5 * 86400
    clock = {"now": five_days_ago}
    svc = HallDaemon(
        HallConfig.model_validate(hall_config()), str(tmp_path), clock=lambda: clock["now"]
    )
    loop = asyncio.new_event_loop()
    svc.start(loop)
    yield svc, clock
    svc.stop()
    loop.close()


def cached_days(svc: HallDaemon) -> list[str]:
    return svc.writer.call(
        lambda tx: list(tx.conn.execute(select(stats_days_table.c.day)).scalars())
    )


def test_closed_days_are_filled_once(service) -> None:
    svc, clock = service
    day = svc.writer.call(lambda tx: issuing.issue(svc.ctx, tx, issuing.IssueRequest("general")))[
        "day"
    ]
    clock["now"] += 5 * 86400  # five days on: the warmer reads the service's clock
    svc.warmer.fill_once()  # the background round may have done it already
    assert day in cached_days(svc)
    assert svc.warmer.fill_once() == 0  # nothing left to do


def test_a_rating_during_the_read_keeps_the_day_out(service) -> None:
    svc, clock = service
    started = clock["now"]

    def late_rating_then_store(tx):
        tx.conn.execute(
            ledger_table.insert(),
            {
                "kind": "rating",
                "subject": "ticket:x",
                "number": "A001",
                "channel": "online",
                "day": "2026-01-05",
                "ts": started + 1,
                "level": 1,
                "tags": "[]",
                "comment": "",
                "four_key": 0,
                "prev_hash": "0" * 64,
                "hash": "1" * 64,
            },
        )
        return _store_unless_rated(tx, "2026-01-05", {"vectors": {}, "hists": {}}, started)

    assert svc.writer.call(late_rating_then_store) is False
    assert "2026-01-05" not in cached_days(svc)
