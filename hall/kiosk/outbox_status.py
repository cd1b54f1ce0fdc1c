"""The kiosk's line about its outbox, for staff (the home screen's foot), without Kivy.

The outbox's health (hall/kiosk/forwarding.py ``OutboxHealth``) becomes one
short line in the kiosk's language, worded for the staff who pass by and not to
alarm a citizen: which of four things is wrong, most urgent first.

- the terminal's own store cannot be read: "本机申报存储故障" (disk failure);
- the daemon refuses this kiosk's token: "令牌无效" (nothing can be forwarded);
- cases refused for good wait for staff: "1 件申报被拒收，请联系工作人员";
- cases wait to be forwarded (an attempt failed): "3 件申报待上传（最早已等 25 分钟）",
  every pending case counted, the oldest failing one's wait.

Nothing (None) while everything is forwarded.
"""

from __future__ import annotations

from dataclasses import dataclass

from hall.kiosk.forwarding import OutboxHealth


@dataclass(frozen=True)
class StatusLine:
    """A string key of ``kiosk.yaml`` and its values."""

    key: str
    values: dict[str, int]


def status_line(health: OutboxHealth | None, now: float) -> StatusLine | None:
    """The line the home screen shows for ``health`` at ``now`` (None: nothing to say)."""
    if health is None:
        return None
    if health.status == "broken":
        return StatusLine("home.outbox_broken", {})
    if health.token_refused:
        return StatusLine("home.outbox_token", {"count": health.waiting})
    if health.rejected:
        return StatusLine("home.outbox_refused", {"count": len(health.rejected)})
    if health.failing:
        minutes = max(0, int((now - (health.since or now)) // 60))
        return StatusLine("home.outbox_waiting", {"count": health.waiting, "minutes": minutes})
    return None
