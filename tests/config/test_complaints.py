"""config.yaml's ``supervision: complaints:``: defaults from the seeds, bounds checked."""

from __future__ import annotations

import pytest

from hall.config import ConfigError, load_config
from tests.support import hall_config, write_config


def test_defaults_need_no_config_and_bad_values_name_the_field(tmp_path) -> None:
    plain = load_config(write_config(tmp_path / "a.yaml", hall_config()))
    assert plain.supervision.complaints.reply_days == 3  # "一般3日内做出答复"
    set_ = hall_config(supervision={"complaints": {"reply_days": 5, "public_per_address": 9}})
    custom = load_config(write_config(tmp_path / "b.yaml", set_)).supervision.complaints
    assert (custom.reply_days, custom.public_per_address) == (5, 9)
    for bad in ({"reply_days": 0}, {"reply_days": "three"}, {"unknown": 1}):
        cfg = hall_config(supervision={"complaints": bad})
        with pytest.raises(ConfigError, match="supervision"):
            load_config(write_config(tmp_path / "c.yaml", cfg))
