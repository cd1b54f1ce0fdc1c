"""The register's rules: case statuses, which action moves a case from where, who may take it.

Statuses (``cases.status``): received 已收件 → accepted 已受理 → finished 已办结 → ready
待领取 → delivered 已领取/已寄出, with returned 待补正 (补正, back to received on
``supply``), suspended 暂停计时 (听证, 专家评审…; back to accepted on ``resume``) and
rejected 不予受理 on the way. A wrong state is a 409 naming the case's status.

Who may act (the seeds: "即办件授予即办权…退办件授予把关权"):

- a clerk (a staff session) acts for the departments of :func:`who_staff`: their own
  department (config ``departments:``) **and** the department owning the window they
  are signed in at. Decision: a B岗 clerk covering another department's window acts
  for both while signed in there (the window's cases come to them; their own stay
  theirs). They list, read and take the 即办权 actions on those departments' cases;
- 把关权 (``extend``, ``reject``) needs the chief or the deputy of the case's department
  (``may_gatekeep``); managers read every case and take every other action (recorded
  as ``manager:<id>``), never the 把关 ones;
- a case no department claims (a hall without ``departments:``, a matter no department
  owns) has no 首席代表 and keeps the rule from before the register: every clerk and
  every manager lists it and takes every action on it, 把关 included (decision:
  nobody else could ever refuse it); the applicant is shown in full only at a window
  handling its matter (window ``matters``, hall/queue/cases/personal_data.py);
- kiosk and display tokens: nothing here (a kiosk opens cases through ``/submissions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hall.config import HallConfig
from hall.queue.cases import personal_data
from hall.queue.core.domain import QueueError, conflict, forbidden

STATUSES = (
    "received",
    "returned",
    "accepted",
    "suspended",
    "finished",
    "ready",
    "delivered",
    "rejected",
)
LABELS = {
    "received": ("已收件（待受理）", "Received"),
    "returned": ("待补正", "Needs correction"),
    "accepted": ("已受理（办理中）", "In progress"),
    "suspended": ("暂停计时", "Suspended"),
    "finished": ("已办结", "Finished"),
    "ready": ("待领取", "Ready for pickup"),
    "delivered": ("已领取/已寄出", "Delivered"),
    "rejected": ("不予受理（退件）", "Refused"),
}
#: Cases the hall still works on (listings of open cases, warnings).
OPEN = ("received", "returned", "accepted", "suspended")
IMMEDIATE = "即办件"
KINDS = ("即办件", "承诺件", "联办件", "上报件")

#: action → (statuses it may start from, the status after it; None: unchanged).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": (("received",), "accepted"),
    "return": (("received", "accepted"), "returned"),
    "supply": (("returned",), "received"),
    "extend": (("accepted", "suspended"), None),
    "suspend": (("accepted",), "suspended"),
    "resume": (("suspended",), "accepted"),
    "finish": (("accepted",), "finished"),
    "ready": (("finished",), "ready"),
    "deliver": (("ready",), "delivered"),
    "reject": (("received", "returned", "accepted", "suspended"), "rejected"),
    # 联办件 / 上报件 steps (hall/queue/cases/case_steps.py): the status stays.
    "step": (("accepted", "suspended"), None),
    "report_up": (("accepted",), None),
    "answered": (("accepted", "suspended"), None),
}
ACTIONS = tuple(TRANSITIONS)
#: 把关权: only the chief or the deputy of the case's department.
GATEKEEPING = ("extend", "reject")
#: Actions that are events of the clock (deadline.ClockEvent kinds); reject ends it as finish.
CLOCK_KINDS = {
    "return": "return",
    "supply": "supply",
    "suspend": "suspend",
    "resume": "resume",
    "extend": "extend",
    "finish": "finish",
    "reject": "finish",
}

ACTION_LABELS = {
    "open": ("收件", "opened"),
    "accept": ("受理", "accepted"),
    "return": ("退回补正", "returned for correction"),
    "supply": ("补齐材料", "materials supplied"),
    "extend": ("延期", "extended"),
    "suspend": ("暂停计时", "suspended"),
    "resume": ("恢复计时", "resumed"),
    "finish": ("办结", "finished"),
    "ready": ("待领取", "ready for pickup"),
    "deliver": ("领取/寄出", "delivered"),
    "reject": ("不予受理", "refused"),
    "step": ("联办环节办结", "joint step done"),
    "report_up": ("上报", "reported up"),
    "answered": ("上级答复", "answered from above"),
}


def label(status: str) -> dict[str, str]:
    """A status as {"zh", "en"}."""
    zh, en = LABELS[status]
    return {"zh": zh, "en": en}


def next_status(action: str, status: str, kind: str) -> str:
    """The status after ``action`` on a case in ``status``, or a 409 naming the status."""
    allowed, new = TRANSITIONS[action]
    if action == "finish" and kind == IMMEDIATE:
        allowed = ("received", "accepted")  # 即办件: 当场办结
    if status not in allowed:
        zh, en = LABELS[status]
        act_zh, act_en = ACTION_LABELS[action]
        raise conflict(
            "bad_state",
            f"该件当前状态为“{zh}”，不能{act_zh}",
            f"The case is {en.lower()}: it cannot be {act_en}",
            case_status=status,
        )
    return new or status


@dataclass(frozen=True)
class Who:
    """The caller of a register operation, as the rules see it.

    ``actor`` is how history records them (staff id, ``manager:<id>``);
    ``departments`` the clerk's (empty for a manager); ``window`` the clerk's window.
    """

    role: str  # staff | manager
    actor: str
    staff_id: str | None = None
    window: int | None = None
    departments: frozenset[str] = frozenset()

    def holder(self, department: str) -> str:
        """The department recorded with an action on a case of ``department``.

        The case's own when the clerk acts for it, else the clerk's single department
        (a 联办 co-department), else "" (a manager, or a case of no department).
        """
        if self.role != "staff" or department in self.departments or not self.departments:
            return department if self.role == "staff" else ""
        return min(self.departments)


def who_staff(config: HallConfig, staff_id: str, window: int) -> Who:
    """A clerk signed in at ``window``: their department and the window's (B岗: both)."""
    found = (config.department_of_staff(staff_id), config.department_of_window(window))
    codes = frozenset(d.code for d in found if d is not None)
    return Who("staff", staff_id, staff_id, window, codes)


def who_manager(actor: str) -> Who:
    """A manager (``manager:<id>``): reads every case, takes every non-把关 action."""
    return Who("manager", actor)


def may_read(who: Who, department: str) -> bool:
    """True if ``who`` may read and work a case of ``department`` ("" : of none)."""
    return who.role == "manager" or not department or department in who.departments


def full_view(config: HallConfig, catalogue: Any, who: Who, department: str, matter: str) -> bool:
    """True if ``who`` sees the applicant in full: the department's staff, managers.

    A case of no department: the clerks whose window handles its matter.
    """
    if who.role == "manager":
        return True
    if department:
        return department in who.departments
    return personal_data.handles(config, catalogue, who.window, matter)


def check_read(
    config: HallConfig,
    catalogue: Any,
    who: Who,
    department: str,
    matter: str,
    co: frozenset[str] = frozenset(),
) -> None:
    """403 unless ``who`` may read a case of ``department`` (``co``: its 联办 departments)."""
    if not may_read(who, department) and not (co & who.departments):
        raise forbidden(
            f"该件属于{_name(config, department)}，您无权查看或办理",
            f"This case belongs to {department or 'another window'}: not yours to read or act on",
            department=department,
        )


def check_action(
    config: HallConfig,
    catalogue: Any,
    who: Who,
    action: str,
    department: str,
    matter: str,
    co: frozenset[str] = frozenset(),
) -> None:
    """403 unless ``who`` may take ``action`` on a case of ``department`` (把关权 included).

    A 联办 co-department (``co``) reads the case and marks its own ``step`` done only.
    """
    check_read(config, catalogue, who, department, matter, co if action == "step" else frozenset())
    if action not in GATEKEEPING or not department:
        return  # 即办权; an unclaimed case has no chief (see the module docstring)
    if who.role == "staff" and config.may_gatekeep(who.staff_id or "", department):
        return
    act_zh, act_en = ACTION_LABELS[action]
    raise QueueError(
        403,
        "gatekeeping",
        f"{act_zh}须由{_name(config, department)}首席代表或其授权的副职办理（把关权）",
        f"Only the chief representative of {department} or the deputy may do this"
        f" ({act_en}: 把关权)",
        department=department,
    )


def check_department_filter(who: Who, department: str | None) -> None:
    """403 when a clerk asks for the list of a department that is not theirs."""
    if who.role == "staff" and department and department not in who.departments:
        raise forbidden(
            f"您无权查看部门“{department}”的办件",
            f"You may not list the cases of department {department}",
            department=department,
        )


def _name(config: HallConfig, code: str) -> str:
    found = config.department(code) if code else None
    return found.name_zh if found is not None else (code or "其他窗口")
