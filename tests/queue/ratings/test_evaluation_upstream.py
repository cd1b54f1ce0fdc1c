"""Ratings, appeals and 差评 outcomes reach the provincial 好差评 system through the outbox."""

from __future__ import annotations

import pytest

from tests.queue.ratings.rating_helpers import rate, serve
from tests.support import hall_config, wait_until


@pytest.mark.process  # kill -9: a real subprocess
def test_everything_arrives_once_after_an_outage_and_a_kill(make_daemon, upstream) -> None:
    cfg = hall_config()
    cfg["upstream"] = {
        "evaluation": {
            "url": upstream.url,
            "timeout_s": 0.5,
            "retry_initial_s": 0.1,
            "retry_max_s": 0.3,
        }
    }
    d = make_daemon(cfg)
    staff = d.staff("S002", 2)
    good, bad = serve(d, staff, 2, n=2)
    first = rate(d, good["id"], 5)
    worst = rate(d, bad["id"], 1, comment="态度差")
    manager = d.api("manager-token-1")
    case = worst["rectification"]
    manager.post(f"/rectifications/{case}/verify", {"note": "属实"})
    manager.post(f"/rectifications/{case}/fix", {"action": "fixed"})
    manager.post(f"/rectifications/{case}/callback", {"answer": "satisfied"})
    manager.post(f"/evaluations/{first['id']}/appeal", {"decision": "rejected", "reason": "无依据"})
    d.kill()  # the platform was down all along; the outbox is on disk
    upstream.fail_next = 2
    upstream.start()
    d.start()
    want = {
        f"rating-{first['id']}",
        f"rating-{worst['id']}",
        f"rating-{worst['id'] + 1}",  # the appeal, the next ledger record
        f"rect-{case}-verify",
        f"rect-{case}-fix",
        f"rect-{case}-callback",
    }
    assert wait_until(lambda: upstream.keys() == want, 20), upstream.keys()
    bodies = {k: b for k, b in upstream.deliveries}
    rating = bodies[f"rating-{worst['id']}"]
    assert (rating["type"], rating["level"], rating["label"], rating["comment"]) == (
        "rating",
        1,
        "非常不满意",
        "态度差",
    )
    assert rating["hall"] == "测试大厅" and len(rating["hash"]) == 64
    assert bodies[f"rating-{worst['id'] + 1}"]["type"] == "appeal"
    callback = bodies[f"rect-{case}-callback"]
    assert callback["type"] == "rectification" and callback["data"]["answer"] == "satisfied"
    assert callback["case"]["state"] == "closed"
    status = next(x for x in manager.get("/devices").json() if x["id"] == "upstream:evaluation")
    assert wait_until(
        lambda: (
            next(x for x in manager.get("/devices").json() if x["id"] == "upstream:evaluation")[
                "backlog"
            ]
            == 0
        ),
        5,
    ), status
