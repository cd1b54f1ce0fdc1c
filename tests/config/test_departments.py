"""config.yaml's ``departments:``: who owns which matters and windows, 首席代表 and 把关权.

Each department owns matter codes and windows, has a chief (首席代表) and an optional
deputy, both members implicitly, and its members. Errors name the key and say what is
wrong; the helpers answer which department a window, a matter or a clerk belongs to,
and who may use 把关权 (延期, 退件). The demo config has at least three departments whose
chiefs can sign in at one of their windows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hall.catalogue import load_catalogue
from hall.config import ConfigError, DepartmentConfig, load_config
from hall.config.departments import unknown_matters
from tests.support import ROOT, hall_config, write_config


def _departments() -> list[dict[str, Any]]:
    """Two departments of the test hall (windows 1-5, staff S001-S005 and SB)."""
    return [
        {
            "code": "scjg",
            "name_zh": "市场监督管理局",
            "name_en": "Market Regulation",
            "matters": ["SJ-DJ-001", "SJ-SP-001"],
            "windows": [1, 2],
            "chief": "S001",
            "deputy": "S002",
            "members": ["SB"],
        },
        {
            "code": "bdc",
            "name_zh": "不动产登记中心",
            "name_en": "Real Estate Registration",
            "matters": ["BDC-BF-001"],
            "windows": [3, 4],
            "chief": "S003",
            "members": ["S004"],
        },
    ]


def _load(tmp_path: Path, departments: list[dict[str, Any]]):
    cfg = hall_config(departments=departments)
    return load_config(write_config(tmp_path / "config.yaml", cfg))


def _refused(tmp_path: Path, departments: list[dict[str, Any]]) -> str:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, departments)
    return str(err.value)


def test_none_by_default_and_every_lookup_answers_none(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "config.yaml", hall_config()))
    assert config.departments == []
    assert config.department_of_window(1) is None
    assert config.department_of_matter("SJ-DJ-001") is None
    assert config.department_of_staff("S001") is None
    assert not config.may_gatekeep("S001", "scjg")


def test_lookups_by_window_matter_and_staff(tmp_path: Path) -> None:
    config = _load(tmp_path, _departments())
    scjg, bdc = config.departments
    assert isinstance(scjg, DepartmentConfig)
    assert (scjg.name_zh, scjg.name_en) == ("市场监督管理局", "Market Regulation")
    assert config.department("bdc") is bdc and config.department("nope") is None
    assert [config.department_of_window(n) for n in (1, 2, 3, 4, 5)] == [scjg, scjg, bdc, bdc, None]
    assert config.department_of_matter("SJ-SP-001") is scjg
    assert config.department_of_matter("BDC-BF-001") is bdc
    assert config.department_of_matter("MZ-HY-001") is None  # no department: 综合受理
    # The chief and the deputy are members without being listed again.
    assert [config.department_of_staff(s) for s in ("S001", "S002", "SB")] == [scjg] * 3
    assert config.department_of_staff("S003") is bdc and config.department_of_staff("S005") is None
    assert scjg.staff == ("S001", "S002", "SB") and bdc.staff == ("S003", "S004")


def test_only_the_chief_or_deputy_may_gatekeep_in_their_own_department(tmp_path: Path) -> None:
    config = _load(tmp_path, _departments())
    scjg, bdc = config.departments
    assert config.may_gatekeep("S001", "scjg") and config.may_gatekeep("S002", scjg)  # 把关权
    assert not config.may_gatekeep("SB", "scjg")  # a member: 即办权 only
    assert not config.may_gatekeep("S001", "bdc")  # another department's chief
    assert config.may_gatekeep("S003", bdc) and not config.may_gatekeep("S004", bdc)
    assert not config.may_gatekeep("S003", "nope") and not config.may_gatekeep("S099", "bdc")


def _with(index: int, **changes: Any) -> list[dict[str, Any]]:
    departments = _departments()
    departments[index].update(changes)
    return departments


@pytest.mark.parametrize(
    ("departments", "expected"),
    [
        (_with(0, chief="S099"), "departments.0.chief: no staff 'S099'"),
        (_with(1, deputy="X1"), "departments.1.deputy: no staff 'X1'"),
        (_with(1, members=["S004", "S098"]), "departments.1.members: no staff 'S098'"),
        (_with(0, windows=[1, 12]), "departments.0.windows: no window 12"),
        (_with(1, windows=[2, 3]), "departments.1.windows: window 2 belongs to department scjg"),
        (
            _with(1, matters=["BDC-BF-001", "SJ-DJ-001"]),
            "departments.1.matters: matter 'SJ-DJ-001' belongs to department scjg",
        ),
        (_with(1, code="scjg"), "departments.1.code: 'scjg' is used twice"),
        (
            _with(1, members=["S004", "SB"]),
            "departments.1.members: staff 'SB' is in department scjg",
        ),
        (_with(1, chief="S002"), "departments.1.chief: staff 'S002' is in department scjg"),
        (_with(0, deputy="S001"), "departments.0.deputy: the chief cannot be the deputy too"),
        (_with(0, windows=[1, 1]), "departments.0.windows: 1 is listed twice"),
        (
            _with(0, matters=["SJ-DJ-001", "SJ-DJ-001"]),
            "departments.0.matters: 'SJ-DJ-001' is listed twice",
        ),
        (_with(0, code="市场"), "departments.0.code"),
        (_with(0, name_en=""), "departments.0.name_en"),
        (_with(0, matters=["*"]), "departments.0.matters.0"),
        (_with(0, head="S001"), "departments.0.head: unknown key"),
    ],
)
def test_bad_departments_name_the_key(
    tmp_path: Path, departments: list[dict[str, Any]], expected: str
) -> None:
    assert expected in _refused(tmp_path, departments)


def test_unknown_matters_against_the_catalogue(tmp_path: Path) -> None:
    config = _load(tmp_path, _with(1, matters=["BDC-BF-001", "BDC-XX-009"]))
    codes = {"SJ-DJ-001", "SJ-SP-001", "BDC-BF-001"}
    assert unknown_matters(config.departments, codes) == [
        "departments.1.matters: matter 'BDC-XX-009' is not in the catalogue / 事项清单中没有此事项"
    ]
    assert unknown_matters(_load(tmp_path, _departments()).departments, codes) == []


def test_the_daemon_refuses_to_start_with_a_matter_not_in_the_catalogue(tmp_path: Path) -> None:
    cfg = hall_config(departments=_with(1, matters=["BDC-BF-001", "BDC-XX-009"]))
    path = write_config(tmp_path / "config.yaml", cfg)
    done = subprocess.run(
        [sys.executable, "-m", "hall.queue", "--config", str(path), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr
    assert "departments.1.matters: matter 'BDC-XX-009' is not in the catalogue" in done.stderr


def test_the_demo_hall_has_three_departments_whose_chiefs_sign_in_at_their_windows() -> None:
    config = load_config(ROOT / "config.yaml")
    assert len(config.departments) >= 3
    catalogue = load_catalogue(ROOT / config.submissions.catalogue)
    assert unknown_matters(config.departments, {m.code for m in catalogue.matters}) == []
    for dept in config.departments:
        assert dept.matters and dept.windows, dept.code
        chief = config.staff_member(dept.chief)
        assert chief is not None and set(chief.windows) & set(dept.windows), dept.code
        assert config.may_gatekeep(dept.chief, dept.code)
        for number in dept.windows:
            assert config.department_of_window(number) is dept
    # The README's credentials table says who is chief where.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| 首席代表 ")]
    for dept in config.departments:
        chief = f"首席代表 {dept.chief} "
        assert any(chief in row and dept.name_zh in row for row in rows), dept.code


def test_a_sessions_departments_are_the_windows_then_the_clerks_own(tmp_path: Path) -> None:
    config = _load(tmp_path, _departments())
    scjg, bdc = config.departments
    assert config.departments_of_session("S001", 1) == [scjg]  # chief at their own window
    # SB (B岗, a member of scjg) covering window 3 of bdc works for both, the window's first.
    assert config.departments_of_session("SB", 3) == [bdc, scjg]
    assert config.departments_of_session("S005", 5) == []  # no department's window or clerk
    assert config.departments_of_session("S005", 4) == [bdc]
