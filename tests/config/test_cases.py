"""config.yaml's ``cases:`` section and the counter's receipt code."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import ConfigError, load_config
from tests.support import hall_config, write_config


def test_the_section_has_defaults_and_is_validated(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "a.yaml", hall_config()))
    assert (config.cases.yellow_days, config.cases.callback_rate) == (2, 0.05)
    set_ = load_config(
        write_config(tmp_path / "b.yaml", hall_config(cases={"yellow_days": 3, "co_step_days": 2}))
    )
    assert set_.cases.yellow_days == 3 and set_.cases.co_step_days == 2
    for bad in ({"yellow_days": -1}, {"callback_rate": 1.5}, {"colour": "red"}):
        with pytest.raises(ConfigError, match="cases"):
            load_config(write_config(tmp_path / "c.yaml", hall_config(cases=bad)))


def test_terminal_code_00_is_the_counters(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="terminal_code"):
        load_config(write_config(tmp_path / "k.yaml", hall_config(kiosk={"terminal_code": "00"})))
