"""回访 of finished cases: the seeded draw, the list, the results and their figures."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hall.queue.cases import callbacks
from hall.queue.core.domain import QueueError
from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from tests.queue.cases.case_rows import case_row, insert_cases

DONE = {"status": "finished", "clock_state": "finished", "finished_on": "2026-05-08"}


@pytest.fixture
def engine(tmp_path: Path):
    engine = open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    insert_cases(engine, [case_row(f"r{i:03d}", **DONE) for i in range(400)])
    yield engine
    engine.dispose()


def draw(engine: Engine, receipts: list[str], rate: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    with engine.connect() as conn, conn.begin():
        tx = Tx(conn, 1.0)
        return [
            r for r in receipts if callbacks.maybe_sample(tx, r, "bdc", "2026-05-08", rate, rng)
        ]


def test_the_sample_follows_the_rate_and_the_seed(engine) -> None:
    receipts = [f"r{i:03d}" for i in range(400)]
    # What a Random(15) draws, by the rule "drawn when random() < rate", worked out apart.
    rng = random.Random(15)
    expected = [r for r in receipts if rng.random() < 0.05]
    drawn = draw(engine, receipts, 0.05, 15)
    assert drawn == expected and 8 <= len(drawn) <= 35  # about 20 of 400
    # A case is drawn once: drawing the drawn ones again, certain to hit, adds nothing.
    assert draw(engine, drawn, 1.0, 1) == []
    with engine.connect() as conn:
        listed = callbacks.listing(conn)
    assert [c["receipt"] for c in listed] == sorted(drawn)
    assert listed[0]["matter"] == "BDC-BF-001" and listed[0]["finished_on"] == "2026-05-08"
    assert listed[0]["result"] is None and listed[0]["result_label"]["zh"] == "待回访"


def test_rate_zero_draws_none_and_one_draws_all(engine) -> None:
    assert draw(engine, ["r001", "r002"], 0.0, 3) == []
    assert draw(engine, ["r001", "r002"], 1.0, 3) == ["r001", "r002"]


def test_results_close_a_callback_and_are_counted(engine) -> None:
    draw(engine, ["r001", "r002", "r003", "r004"], 1.0, 0)
    with engine.connect() as conn, conn.begin():
        tx = Tx(conn, 100.0)
        first = callbacks.record(tx, "r001", "unreached", "无人接听", "manager:m1")
        callbacks.record(tx, "r001", "satisfied", "第二次接通，满意", "manager:m1")
        callbacks.record(tx, "r002", "unsatisfied", "等太久", "manager:m1")
        callbacks.record(tx, "r003", "unreached", "", "manager:m1")
        with pytest.raises(QueueError) as closed:
            callbacks.record(tx, "r001", "unsatisfied", "", "manager:m1")
        with pytest.raises(QueueError) as missing:
            callbacks.record(tx, "r399", "satisfied", "", "manager:m1")
        with pytest.raises(QueueError) as bad:
            callbacks.record(tx, "r004", "maybe", "", "manager:m1")
    assert first["open"] is True and first["recorded_by"] == "manager:m1"
    assert (closed.value.status, closed.value.code) == (409, "callback_closed")
    assert (missing.value.status, missing.value.code) == (404, "no_callback")
    assert bad.value.status == 422
    with engine.connect() as conn:
        still_open = [c["receipt"] for c in callbacks.listing(conn)]
        every = callbacks.listing(conn, only_open=False)
        found = callbacks.figures(conn, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
        june = callbacks.figures(conn, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert still_open == ["r003", "r004"]  # unreached: to be called again
    assert [c["result"] for c in every] == ["satisfied", "unsatisfied", "unreached", None]
    # 4 drawn on 05-08; reached r001 (satisfied), r002 (not); r003 unreached; r004 to call.
    want = {"sampled": 4, "reached": 2, "satisfied": 1, "unsatisfied": 1, "unreached": 1}
    assert found["hall"] == {**want, "satisfaction": 0.5}
    assert found["department"] == [{"department": "bdc", **want, "satisfaction": 0.5}]
    assert june["hall"]["sampled"] == 0 and june["hall"]["satisfaction"] is None
