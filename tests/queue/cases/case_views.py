"""Case views by hand (the register's GET /api/v1/cases/{receipt} dict), for the notice tests.

One 承诺件 of the demo hall's 不动产登记中心 (bdc: chief S004 刘洋, deputy S005 陈静),
received Tuesday 2026-09-29 with a limit of 5 working days. Worked out by hand on
the 2026 calendar (National Day 10-01..10-07 off, Saturday 10-10 a make-up workday):
09-30 is day 1, 10-08 day 2, 10-09 day 3, 10-10 day 4, 10-12 (Monday) day 5, so it
is promised for 2026-10-12. The notice code only shows these dates: it computes none.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support import make_id

ID_NUMBER = make_id("11010519491231002")
RECEIPT = "W0420260929001"

_BASE: dict[str, Any] = {
    "receipt": RECEIPT,
    "source": "window",
    "matter": "BDC-BF-001",
    "matter_name": {"zh": "不动产权证书补发", "en": "Reissue of a real estate certificate"},
    "department": "bdc",
    "department_name": {"zh": "不动产登记中心", "en": "Real Estate Registration Center"},
    "kind": "承诺件",
    "status": "accepted",
    "status_label": {"zh": "已受理(办理中)", "en": "In progress"},
    "received_at": "2026-09-29T10:15:00+08:00",
    "received_on": "2026-09-29",
    "limit_days": 5,
    "window": 4,
    "opened_by": "S004",
    "clock": {
        "state": "running",
        "used": 0,
        "left": 5,
        "limit": 5,
        "extended": 0,
        "promised_date": "2026-10-12",
        "since": None,
        "reason": "",
        "warning": None,
        "why": {"zh": "", "en": ""},
    },
    "applicant": {"name": "王小明", "id_number": ID_NUMBER, "phone": "13800138000"},
    "materials": [
        {"name": "身份证", "mandatory": True, "present": True},
        {"name": "遗失声明", "mandatory": True, "present": True},
    ],
    "missing": [],
    "extension": None,
    "rejection": None,
    "delivery": None,
    "steps": [],
    "history": [
        {
            "ts": 1790648100.0,
            "day": "2026-09-29",
            "action": "open",
            "status": "received",
            "actor": "S011",
            "department": "bdc",
            "detail": {},
        },
        {
            "ts": 1790649000.0,
            "day": "2026-09-29",
            "action": "accept",
            "status": "accepted",
            "actor": "S011",
            "department": "bdc",
            "detail": {},
        },
    ],
}


def case_view(**changes: Any) -> dict[str, Any]:
    """The base case with top-level ``changes``; ``clock`` changes are merged into its clock."""
    case = copy.deepcopy(_BASE)
    clock = changes.pop("clock", {})
    case.update(changes)
    case["clock"].update(clock)
    return case


def event(day: str, action: str, status: str, actor: str = "S011", **detail: Any) -> dict:
    """One history entry of the case view."""
    return {
        "ts": 0.0,
        "day": day,
        "action": action,
        "status": status,
        "actor": actor,
        "department": "bdc",
        "detail": detail,
    }


def returned_case() -> dict[str, Any]:
    """Returned for 补正 on 2026-09-30: two items missing; the clock waits, no date."""
    case = case_view(
        status="returned",
        missing=["不动产权证书遗失声明原件", "申请人户口簿复印件"],
        clock={
            "state": "waiting",
            "promised_date": None,
            "since": "2026-09-30",
            "why": {"zh": "等待补正材料，补齐次日起重新计时", "en": "waiting for materials"},
        },
    )
    case["history"].append(
        event("2026-09-30", "return", "returned", missing=case["missing"], note="原件须核对")
    )
    return case


def extended_case() -> dict[str, Any]:
    """Extended by 3 working days on 2026-10-09 by the chief S004.

    Promised 10-12, plus 3 working days: 10-13 (Tue), 10-14 (Wed), 10-15 (Thu): 2026-10-15.
    """
    case = case_view(
        extension={"days": 3, "reason": "需外调档案核实"},
        clock={"limit": 8, "extended": 3, "promised_date": "2026-10-15"},
    )
    case["history"].append(
        event("2026-10-09", "extend", "accepted", "S004", days=3, reason="需外调档案核实")
    )
    return case


def refused_case() -> dict[str, Any]:
    """Refused on 2026-09-30 by the deputy S005."""
    rejection = {"reason": "申请人非不动产权利人", "basis": "《不动产登记暂行条例》第二十二条"}
    case = case_view(
        status="rejected",
        rejection=rejection,
        clock={"state": "finished", "promised_date": None},
    )
    case["history"].append(event("2026-09-30", "reject", "rejected", "S005", **rejection))
    return case


def ready_case(**changes: Any) -> dict[str, Any]:
    """Finished 2026-10-09, ready for pickup the same day."""
    case = case_view(**({"status": "ready", "clock": {"state": "finished"}} | changes))
    case["history"].append(event("2026-10-09", "finish", "finished"))
    case["history"].append(event("2026-10-09", "ready", "ready"))
    return case


def posted_case() -> dict[str, Any]:
    """Sent by express mail on 2026-10-10 (the make-up Saturday)."""
    case = ready_case(status="delivered", delivery={"by": "post", "tracking": "SF1234567890"})
    case["history"].append(event("2026-10-10", "deliver", "delivered", by="post"))
    return case
