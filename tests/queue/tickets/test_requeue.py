"""过号回队 (issue 11): a returning no-show goes behind those already waiting, as a setting."""

from __future__ import annotations

import pytest

from tests.queue.tickets.test_api_calling import call, finish, issue
from tests.support import Daemon, hall_config


def no_show_then_requeue(d: Daemon) -> tuple[dict, list[dict], dict]:
    """A priority ticket called and missed while two ordinary tickets wait; brought back."""
    kiosk = d.api("kiosk-token-1")
    prio = issue(kiosk, priority=True)
    waiting = [issue(kiosk), issue(kiosk)]
    staff = d.staff("S002", 2)
    assert call(staff, 2)["id"] == prio["id"]
    assert staff.post("/windows/2/no-show").status_code == 200
    back = staff.post("/windows/2/requeue", {"number": prio["number"]})
    assert back.status_code == 200, back.text
    return prio, waiting, back.json()


@pytest.mark.process  # a restart: a real subprocess
def test_a_returning_no_show_goes_behind_those_waiting(make_daemon) -> None:
    d = make_daemon(hall_config())
    prio, waiting, back = no_show_then_requeue(d)
    assert back["status"] == "waiting" and back["ahead"] == 2  # where it went, for the panel
    assert back["kind"] == "priority"  # still shown as a priority ticket
    d.restart()  # the order comes from the store alone
    kiosk = d.api("kiosk-token-1")
    assert kiosk.get(f"/tickets/{prio['id']}").json()["ahead"] == 2
    later = issue(kiosk)  # came after the requeue: behind it
    assert later["ahead"] == 3
    staff = d.staff("S002", 2)
    got = []
    for _ in range(4):
        got.append(call(staff, 2)["id"])
        finish(staff, 2)
    assert got == [waiting[0]["id"], waiting[1]["id"], prio["id"], later["id"]]


@pytest.mark.process  # a restart: a real subprocess
def test_keep_rank_brings_a_priority_no_show_back_first(make_daemon) -> None:
    d = make_daemon(hall_config(calling={"requeue_position": "keep_rank"}))
    prio, waiting, back = no_show_then_requeue(d)
    assert back["ahead"] == 0
    d.restart()
    staff = d.staff("S002", 2)
    assert call(staff, 2)["id"] == prio["id"]


def test_the_setting_is_checked(tmp_path) -> None:
    import pytest
    from pydantic import ValidationError

    from hall.config import HallConfig

    with pytest.raises(ValidationError, match="requeue_position"):
        HallConfig.model_validate(hall_config(calling={"requeue_position": "front"}))
