"""config.yaml's ``enquiries:`` section: the caller form's quick topics, defaults without config."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hall.config import HallConfig
from tests.support import hall_config


def test_the_defaults_need_no_config() -> None:
    topics = HallConfig.model_validate(hall_config()).enquiries.quick_topics
    assert topics[0].zh == "办事材料" and topics[0].en == "Materials needed"
    assert all(t.zh and t.en for t in topics)


def test_a_hall_sets_its_own_topics_and_bad_ones_are_refused() -> None:
    mine = {"quick_topics": [{"zh": "公积金提取", "en": "Housing fund"}]}
    cfg = HallConfig.model_validate(hall_config(enquiries=mine))
    assert [t.zh for t in cfg.enquiries.quick_topics] == ["公积金提取"]
    with pytest.raises(ValidationError, match="quick_topics"):
        HallConfig.model_validate(hall_config(enquiries={"quick_topics": [{"zh": "x"}]}))
    with pytest.raises(ValidationError, match="quick_topics"):
        HallConfig.model_validate(
            hall_config(enquiries={"quick_topics": [{"zh": "x", "en": "x"}] * 13})
        )
