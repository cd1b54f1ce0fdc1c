"""The sign-in answer names the departments a clerk's session works for (issue 15).

The caller panel opens cases for the matters of the window's department, lists the
cases of every department the session works for, and shows 延期/退件 only where the
clerk holds 把关权; it learns all three from the sign-in answer.
"""

from __future__ import annotations

from tests.support import PIN, Daemon, hall_config

DEPARTMENTS = [
    {
        "code": "bdc",
        "name_zh": "不动产登记中心",
        "name_en": "Real Estate Registration",
        "matters": ["BDC-BF-001"],
        "windows": [3, 4],
        "chief": "S003",
        "members": ["S004", "SB"],
    },
    {
        "code": "scjg",
        "name_zh": "市场监督管理局",
        "name_en": "Market Regulation",
        "matters": ["SJ-DJ-001", "SJ-SP-001"],
        "windows": [1],
        "chief": "S001",
    },
]


def _login(daemon: Daemon, staff_id: str, window: int) -> dict:
    body = {"staff_id": staff_id, "pin": PIN, "window": window}
    r = daemon.api(None).post("/staff/login", body)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_sign_in_answer_names_the_sessions_departments(make_daemon) -> None:
    daemon = make_daemon(hall_config(departments=DEPARTMENTS))
    chief = _login(daemon, "S003", 3)["departments"]
    assert chief == [
        {
            "code": "bdc",
            "name": {"zh": "不动产登记中心", "en": "Real Estate Registration"},
            "matters": ["BDC-BF-001"],
            "window": True,
            "gatekeeper": True,
        }
    ]
    member = _login(daemon, "S004", 4)["departments"]
    assert [(d["code"], d["gatekeeper"]) for d in member] == [("bdc", False)]
    # The B岗 member of bdc covering window 1 of scjg: the window's department first.
    covering = _login(daemon, "SB", 1)["departments"]
    assert [(d["code"], d["window"], d["gatekeeper"]) for d in covering] == [
        ("scjg", True, False),
        ("bdc", False, False),
    ]
    assert _login(daemon, "S002", 2)["departments"] == []  # nobody's window, nobody's clerk
    # Every department by name, for the co-departments of a 联办件.
    assert _login(daemon, "S002", 2)["hall_departments"] == [
        {"code": "bdc", "name": {"zh": "不动产登记中心", "en": "Real Estate Registration"}},
        {"code": "scjg", "name": {"zh": "市场监督管理局", "en": "Market Regulation"}},
    ]


def test_a_hall_without_departments_answers_an_empty_list(daemon: Daemon) -> None:
    answer = _login(daemon, "S003", 3)
    assert answer["departments"] == [] and answer["hall_departments"] == []
