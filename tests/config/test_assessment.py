"""config.yaml's ``assessment:`` section: the seeds' scheme by default, checked values."""

from __future__ import annotations

import pytest

from hall.config import ConfigError, load_config
from hall.queue.supervision.assessment import grade, points_of
from tests.support import hall_config, write_config


def _load(tmp_path, **section):
    return load_config(write_config(tmp_path / "config.yaml", hall_config(assessment=section)))


def test_the_default_is_the_seeds_scheme(tmp_path) -> None:
    config = load_config(write_config(tmp_path / "config.yaml", hall_config()))
    a = config.assessment
    assert a.base == 100
    # "无故迟到、早退、离岗的每次扣2分;旷工半天(含半天)扣5分"
    assert (a.points.late, a.points.early, a.points.pause_over, a.points.absent) == (2, 2, 2, 5)
    assert (a.points.overdue_case, a.points.commendation) == (5, 3)
    assert (a.grades.excellent, a.grades.competent, a.grades.fair) == (95, 85, 70)
    assert [grade(config, s)["grade_zh"] for s in (95, 94.5, 85, 84, 70, 69.5)] == [
        "优秀",
        "称职",
        "称职",
        "基本称职",
        "基本称职",
        "不称职",
    ]
    assert (points_of(config, "late"), points_of(config, "commendation")) == (-2, 3)


def test_a_hall_changes_the_scheme(tmp_path) -> None:
    config = _load(tmp_path, base=120, points={"late": 1}, grades={"excellent": 110})
    assert points_of(config, "late") == -1 and points_of(config, "absent") == -5
    assert grade(config, 109)["grade"] == "competent"


@pytest.mark.parametrize(
    ("section", "named"),
    [
        ({"bogus": 1}, "bogus"),
        ({"points": {"late": -1}}, "late"),
        ({"grades": {"excellent": 80}}, "excellent >= competent >= fair"),
        ({"repeat_bad_ratings": 0}, "repeat_bad_ratings"),
    ],
)
def test_bad_values_are_named(tmp_path, section, named) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, **section)
    assert named in str(err.value)
