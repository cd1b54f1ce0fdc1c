"""季度优秀窗口 on a real SQLite store: who is proposed, ties, grades, the announcement text.

The test hall's five windows start at 100 in a period (windows carry no absences);
cards alone move them here. ``excellence_top`` is set to 2.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hall.config import HallConfig
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.core.writer import Tx
from hall.queue.supervision import cards, excellence
from tests.support import TZ, hall_config

NOW = dt.datetime(2026, 7, 2, 10, 0, tzinfo=TZ).timestamp()  # 2026Q2 is over


@pytest.fixture
def hall(tmp_path):
    engine = open_engine(sqlite_url(tmp_path))
    ctx = Context.open(
        HallConfig.model_validate(hall_config(assessment={"excellence_top": 2})), b"k" * 32
    )
    with engine.begin() as conn:
        yield ctx, conn
    engine.dispose()


def _card(ctx, conn, kind: str, window: int) -> None:
    cards.issue(
        ctx.config,
        Tx(conn, NOW),
        kind=kind,
        target_kind="window",
        target=str(window),
        day=dt.date(2026, 5, 20),
        reason="x",
        actor="manager:m1",
    )


def test_a_tie_at_the_boundary_keeps_both_and_only_excellent_windows(hall) -> None:
    ctx, conn = hall
    _card(ctx, conn, "commendation", 1)  # 103, rank 1
    for n in (3, 4, 5):  # 100 - 5 - 2 = 93: 称职, below 优秀
        _card(ctx, conn, "red", n)
        _card(ctx, conn, "yellow", n)
    # Window 2 alone at 100, rank 2: proposed with window 1 (top 2).
    assert [c["window"] for c in excellence.candidates(ctx, conn, "2026Q2", NOW)["candidates"]] == [
        1,
        2,
    ]
    _card(ctx, conn, "yellow", 3)
    _card(ctx, conn, "commendation", 3)
    _card(ctx, conn, "commendation", 3)  # 3: 93 - 2 + 6 = 97 (优秀), rank 3: not proposed
    assert [c["window"] for c in excellence.candidates(ctx, conn, "2026Q2", NOW)["candidates"]] == [
        1,
        2,
    ]
    _card(ctx, conn, "yellow", 1)
    _card(ctx, conn, "yellow", 2)
    _card(ctx, conn, "yellow", 2)
    _card(ctx, conn, "commendation", 2)  # 1: 101; 2: 100 - 4 + 3 = 99; 3: 97
    _card(ctx, conn, "yellow", 1)  # 1: 99, tied with 2 at rank 1; 3 is rank 3
    proposal = excellence.candidates(ctx, conn, "2026Q2", NOW)["candidates"]
    assert [(c["window"], c["score"], c["rank"]) for c in proposal] == [(1, 99, 1), (2, 99, 1)]


def test_confirming_without_publishing_and_a_month_text(hall) -> None:
    ctx, conn = hall
    tx = Tx(conn, NOW)
    done = excellence.confirm(ctx, tx, "2026-05", [2, 1], publish=False, actor="manager:m1")
    assert done["announcement"] is None
    assert sorted(c["window"] for c in done["confirmed"]) == [1, 2]
    assert [e.type for e in tx.emitted] == ["excellence.confirmed"]
    assert tx.emitted[0].data == {"period": "2026-05", "windows": [1, 2]}
    published = excellence.confirm(
        ctx, Tx(conn, NOW), "2026-06", [1], publish=True, actor="manager:m1"
    )
    assert published["announcement"]["text_zh"] == "2026年6月优秀窗口:1号窗口"
    assert published["announcement"]["text_en"] == "Excellent windows of 2026-06: window 1"
    assert published["confirmed"][0]["announcement_id"] == published["announcement"]["id"]
