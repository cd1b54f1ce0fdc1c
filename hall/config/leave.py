"""config.yaml's ``leave:`` and ``leaders:``: who approves leave, when a cover is named, leaders.

The seeds' rules are the defaults, so config.yaml needs no ``leave:`` section:
"请假半天的,由单位负责人批准" — leave of up to ``head_max_days`` working days may be
approved by the clerk's department head (the 首席代表 or the deputy of
``departments:``) or a manager, longer leave by a manager only; "请假3天以上应…确定顶岗
接替人员" — from ``cover_from_days`` working days on, the request must name a cover
(顶岗), who may then open the clerk's windows while the leave lasts.

``leaders:`` are the 分管领导 who have no window but sign in at the hall
("分管领导每月必须到中心签到2次"): id + PIN (a hash like the staff's), and the visits a
month each owes (``monthly_visits``, 2 by default). Their sign-in failures are counted
under ``leader:<id>`` (hall/queue/tickets/sign_in_limits.py), apart from staff ids.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section

#: How a leader's id is told apart from a staff id where both are counted (sign-in
#: failures and locks): staff ids never contain ":".
LEADER_PREFIX = "leader:"
#: The demo leaders' PIN in config.yaml; the daemon warns at start while one still has it.
DEMO_LEADER_PIN = "246810"


class LeaveSection(_Section):
    """请假: who approves leave of which length, and from how long a cover (顶岗) is needed."""

    head_max_days: float = Field(
        0.5,
        ge=0,
        le=30,
        description="working days a department head may approve (请假半天的,由单位负责人批准)",
    )
    cover_from_days: float = Field(
        3,
        gt=0,
        le=30,
        description="leave of this many working days or more names a cover (顶岗接替人员)",
    )


class LeaderConfig(_Section):
    """分管领导: signs in at the hall (no window), counted each month."""

    # 24 characters: with the "leader:" prefix it fits where a staff id is counted (32).
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    name: str = Field(min_length=1, max_length=32)
    title: str = Field("", max_length=32, description="职务: 分管副县长")
    pin_hash: str = Field(pattern=r"^scrypt\$", description="from `python -m hall.queue hash-pin`")
    monthly_visits: int = Field(
        2, ge=0, le=31, description="sign-ins a month required (分管领导每月必须到中心签到2次)"
    )
