"""config.yaml's ``cases:`` section: the case register's 黄牌, 回访 sample and 联办 steps.

``yellow_days``: a running case is 黄牌 (电子监察 "预警") while no more than this many
working days are left (hall/queue/cases/deadline.py). ``callback_rate``: the share of
finished cases drawn at random into the 回访 list ("设立回访制度", "随机抽取参与评价的企业
和群众"). ``co_step_days``: a 联办件's co-department has this many working days from the
day it gets the case, never past the case's promised date (0: the case's whole time,
split evenly between the co-departments in turn: hall/queue/cases/case_steps.py).
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class CasesSection(_Section):
    """The case register's warnings, callback sample and 联办 step deadlines."""

    yellow_days: int = Field(
        2, ge=0, le=30, description="黄牌 when this many working days or fewer are left"
    )
    callback_rate: float = Field(
        0.05, ge=0.0, le=1.0, description="share of finished cases sampled for 回访 (0.05 = 5 %)"
    )
    co_step_days: int = Field(
        0,
        ge=0,
        le=365,
        description="联办件: working days each co-department has (0: split the case's time evenly)",
    )
