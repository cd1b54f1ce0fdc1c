"""Steps the caller's 办件 tests share: serve a ticket to 办结, open a case by taps."""

from __future__ import annotations

from typing import Any

from hall.catalogue import load_catalogue
from hall.config import load_config
from hall.queue.core.context import hall_calendar
from hall.screens.caller.root import CallerRoot
from tests.kivy_harness import by_id, idle_until, tap
from tests.screens.caller.test_panel import operate, sign_in
from tests.support import Daemon, make_id

#: 不动产登记中心 owns windows 3 (its chief S003) and 4 (a member, S004); 市场监督管理局 window 1.
DEPARTMENTS = [
    {
        "code": "bdc",
        "name_zh": "不动产登记中心",
        "name_en": "Real Estate Registration",
        "matters": ["BDC-BF-001", "BDC-ZY-001"],
        "windows": [3, 4],
        "chief": "S003",
        "members": ["S004"],
    },
    {
        "code": "scjg",
        "name_zh": "市场监督管理局",
        "name_en": "Market Regulation",
        "matters": ["SJ-DJ-001"],
        "windows": [1],
        "chief": "S001",
    },
]

#: The applicant of the tests (a valid check character, worked out by make_id).
APPLICANT_ID = make_id("11010519800101123")
MANAGER = "manager-token-1"


def case_context(daemon: Daemon) -> dict[str, Any]:
    """What ``run_kiosk.py --role caller`` adds for 办件: the catalogue, the hall's calendar."""
    return {
        "catalogue": load_catalogue(),
        "calendar": hall_calendar(load_config(daemon.config_path)),  # as the daemon counts
    }


def signed_in(root: CallerRoot, staff_id: str) -> None:
    """Sign ``staff_id`` in at the root's window and wait for the panel."""
    sign_in(root, staff_id)
    assert idle_until(lambda: root.current == "panel" and root.panel.services, 5)


def serve_and_finish(root: CallerRoot, daemon: Daemon, kind: str, service: str = "other") -> str:
    """A citizen takes a number, the window calls and finishes it as ``kind``; its ticket id."""
    issued = daemon.api("kiosk-token-1").post("/tickets", {"service": service}).json()
    operate(root, "btn-call")
    assert by_id(root, "current-number").text == issued["number"]
    operate(root, "btn-finish", kind)
    return issued["id"]


def open_by_taps(root: CallerRoot, matter: str) -> dict:
    """At the 登记办件 offer: open a case of ``matter`` with every material handed in."""
    tap(by_id(root, "choice-open-case"))
    assert root.current == "case-open"
    tap(by_id(root, f"matter-{matter}"))
    by_id(root, "case-name").text = "张三"
    by_id(root, "case-id-number").text = APPLICANT_ID
    tap(by_id(root, "case-all-present"))
    tap(by_id(root, "case-submit"))
    detail = root.cases.detail
    assert idle_until(lambda: root.current == "case-detail" and not detail.busy, 5), (
        root.cases.open_form.message
    )
    return detail.case


def case_of(daemon: Daemon, receipt: str) -> dict:
    """The case as the daemon has it (a manager's full view)."""
    r = daemon.api(MANAGER).get(f"/cases/{receipt}")
    assert r.status_code == 200, r.text
    return r.json()
