"""config.yaml's ``vacancy:`` section: defaults, the per-reason limits, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import ConfigError, VacancySection, load_config
from tests.support import ROOT, hall_config, write_config


def test_defaults_and_limits_by_reason() -> None:
    v = VacancySection()
    assert (v.alert_after_min, v.notify_b, v.keypad_reason, v.check_every_s) == (
        10,
        True,
        "other",
        30,
    )
    assert v.limit_min(None) == 10 and v.limit_min("toilet") == 10
    assert v.limit_min("lunch_relief") == 30  # 午间轮换 takes longer
    shipped = load_config(ROOT / "config.yaml").vacancy
    assert shipped.alert_after_min_by_reason == {"lunch_relief": 30}


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"alert_after_min_by_reason": {"nap": 5}}, "vacancy.alert_after_min_by_reason.nap"),
        ({"alert_after_min": -1}, "vacancy.alert_after_min"),
        ({"keypad_reason": "coffee"}, "vacancy.keypad_reason"),
        ({"check_every_s": 0}, "vacancy.check_every_s"),
        ({"notify_c": True}, "vacancy.notify_c: unknown key"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, section: dict, expected: str) -> None:
    cfg = hall_config(vacancy=section)
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path / "config.yaml", cfg))
    assert expected in str(err.value), err.value
