"""红黄牌 and 表扬 on a real SQLite store: issued, withdrawn, counted only while in force."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.config import HallConfig
from hall.queue.core.domain import QueueError
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.core.writer import Tx
from hall.queue.supervision import cards, score_sources
from tests.support import hall_config

MAY_20 = dt.date(2026, 5, 20)


@pytest.fixture
def conn(tmp_path):
    engine = open_engine(sqlite_url(tmp_path))
    with engine.begin() as c:
        yield c
    engine.dispose()


def test_issue_and_withdraw(conn) -> None:
    config = HallConfig.model_validate(hall_config())
    tx = Tx(conn, 1_780_000_000.0)
    red = cards.issue(
        config,
        tx,
        kind="red",
        target_kind="staff",
        target="S002",
        day=MAY_20,
        reason="上班时间串岗聊天",
        actor="manager:m1",
    )
    cards.issue(
        config,
        tx,
        kind="yellow",
        target_kind="window",
        target="3",
        day=MAY_20,
        reason="x",
        actor="manager:m1",
    )
    # The event names the card, not the reason (managers see the reason in the register).
    assert tx.emitted[0].type == "card.issued"
    assert tx.emitted[0].data == {
        "card": {"id": red["id"], "kind": "red", "target_kind": "staff", "target": "S002"}
    }
    found = score_sources.cards(conn, MAY_20, MAY_20)
    assert sorted((ln.kind, ln.staff, ln.window) for ln in found) == [
        ("red_card", "S002", None),
        ("yellow_card", None, 3),
    ]
    withdrawn = cards.withdraw(Tx(conn, 1_780_000_100.0), red["id"], "manager:m2")
    assert (withdrawn["withdrawn"], withdrawn["withdrawn_by"]) == (True, "manager:m2")
    assert [ln.kind for ln in score_sources.cards(conn, MAY_20, MAY_20)] == ["yellow_card"]
    assert (
        score_sources.cards(conn, MAY_20 + dt.timedelta(days=1), MAY_20 + dt.timedelta(days=9))
        == []
    )
    with pytest.raises(QueueError) as err:
        cards.withdraw(Tx(conn, 1_780_000_200.0), red["id"], "manager:m2")
    assert (err.value.status, err.value.code) == (409, "already_withdrawn")
    assert [c["withdrawn"] for c in cards.listing(conn)] == [False, True]  # newest first


@pytest.mark.parametrize(
    ("target_kind", "target"), [("staff", "S999"), ("window", "9"), ("window", "x")]
)
def test_a_target_outside_the_config_is_refused(conn, target_kind, target) -> None:
    config = HallConfig.model_validate(hall_config())
    with pytest.raises(QueueError) as err:
        cards.issue(
            config,
            Tx(conn, 0.0),
            kind="red",
            target_kind=target_kind,
            target=target,
            day=MAY_20,
            reason="x",
            actor="manager:m1",
        )
    assert (err.value.status, err.value.code) == (422, "unknown_target")
