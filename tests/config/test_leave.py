"""config.yaml's ``leave:`` and ``leaders:``: the seeds' rules by default, leaders checked.

"请假半天的,由单位负责人批准…请假3天以上应…确定顶岗接替人员"; "分管领导每月必须到中心
签到2次". The shipped config.yaml has two demo leaders whose PIN is the README's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import (
    DEMO_LEADER_PIN,
    ConfigError,
    LeaveSection,
    hash_pin,
    load_config,
    verify_pin,
)
from tests.support import ROOT, hall_config, write_config


def test_defaults_are_the_seeds_rules(tmp_path: Path) -> None:
    assert "leave" not in hall_config() and "leaders" not in hall_config()
    config = load_config(write_config(tmp_path / "config.yaml", hall_config()))
    assert config.leave == LeaveSection() and config.leaders == []
    # Half a day by the department head; from three working days a cover.
    assert (config.leave.head_max_days, config.leave.cover_from_days) == (0.5, 3)


def test_the_demo_hall_has_two_leaders_with_the_readmes_pin() -> None:
    config = load_config(ROOT / "config.yaml")
    assert len(config.leaders) == 2
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| 分管领导 "))
    assert f"PIN `{DEMO_LEADER_PIN}`" in row
    for leader in config.leaders:
        assert verify_pin(DEMO_LEADER_PIN, leader.pin_hash), leader.id
        assert f"{leader.id} ({leader.name})" in row
        assert leader.monthly_visits == 2
        assert f"leader {leader.id} PIN" in config.demo_secrets()


@pytest.mark.parametrize(
    ("leaders", "where"),
    [
        ([{"id": "L1", "name": "甲"}, {"id": "L1", "name": "乙"}], "leaders.1.id"),
        ([{"id": "L" * 25, "name": "甲"}], "leaders.0.id"),
        ([{"id": "L:1", "name": "甲"}], "leaders.0.id"),
        ([{"id": "L1", "name": "甲", "monthly_visits": -1}], "leaders.0.monthly_visits"),
    ],
)
def test_bad_leaders_are_named(tmp_path: Path, leaders: list[dict], where: str) -> None:
    pin_hash = hash_pin("246810")
    cfg = hall_config(leaders=[{**m, "pin_hash": pin_hash} for m in leaders])
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path / "config.yaml", cfg))
    assert where in str(err.value)


def test_a_typo_in_leave_is_an_error(tmp_path: Path) -> None:
    cfg = hall_config(leave={"head_max_day": 1})
    with pytest.raises(ConfigError, match=r"leave\.head_max_day: unknown key"):
        load_config(write_config(tmp_path / "config.yaml", cfg))
    cfg = hall_config(leave={"head_max_days": 1, "cover_from_days": 5})
    config = load_config(write_config(tmp_path / "config.yaml", cfg))
    assert (config.leave.head_max_days, config.leave.cover_from_days) == (1, 5)
