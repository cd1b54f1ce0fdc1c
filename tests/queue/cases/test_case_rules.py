"""The register's rules without a daemon: states, departments of a session (B岗), 把关权."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from hall.config import load_config
from hall.queue.cases import case_rules
from hall.queue.core.domain import QueueError
from tests.queue.cases.case_helpers import DEPARTMENTS, register_config
from tests.support import write_config


@pytest.fixture
def config(tmp_path: Path):
    departments = copy.deepcopy(DEPARTMENTS)
    departments[0]["members"] = []  # SB: a B岗 clerk of 不动产 who covers window 1 (scjg)
    departments[1]["members"] = ["SB"]
    return load_config(write_config(tmp_path / "c.yaml", register_config(departments=departments)))


def test_a_b_post_clerk_acts_for_their_department_and_the_windows(config) -> None:
    assert case_rules.who_staff(config, "SB", 1).departments == {"bdc", "scjg"}
    assert case_rules.who_staff(config, "SB", 2).departments == {"bdc"}  # window 2: none
    assert case_rules.who_staff(config, "S002", 2).departments == frozenset()


def test_the_gatekeeping_actions_need_the_chief_or_the_deputy(config) -> None:
    deputy = case_rules.who_staff(config, "S004", 4)
    member = case_rules.who_staff(config, "SB", 3)
    for action in ("extend", "reject"):
        case_rules.check_action(config, None, deputy, action, "bdc", "BDC-BF-001")
        with pytest.raises(QueueError) as refused:
            case_rules.check_action(config, None, member, action, "bdc", "BDC-BF-001")
        assert refused.value.status == 403 and refused.value.code == "gatekeeping"
        with pytest.raises(QueueError):
            case_rules.check_action(
                config, None, case_rules.who_manager("manager:m"), action, "bdc", "x"
            )
    case_rules.check_action(config, None, member, "finish", "bdc", "BDC-BF-001")  # 即办权
    # A case of no department: anyone, 把关 included (no chief exists).
    nobody = case_rules.who_staff(config, "S002", 2)
    case_rules.check_action(config, None, nobody, "reject", "", "MZ-DB-001")


def test_wrong_states_are_409_naming_the_status() -> None:
    with pytest.raises(QueueError) as refused:
        case_rules.next_status("accept", "returned", "承诺件")  # 补正 first: supply
    assert refused.value.status == 409 and "待补正" in refused.value.zh
    assert refused.value.details["case_status"] == "returned"
    assert case_rules.next_status("supply", "returned", "承诺件") == "received"
    assert case_rules.next_status("finish", "received", "即办件") == "finished"  # 当场办结
    with pytest.raises(QueueError):
        case_rules.next_status("finish", "received", "承诺件")
    assert case_rules.next_status("extend", "suspended", "承诺件") == "suspended"
    for closed in ("finished", "ready", "delivered", "rejected"):
        with pytest.raises(QueueError):
            case_rules.next_status("reject", closed, "承诺件")
