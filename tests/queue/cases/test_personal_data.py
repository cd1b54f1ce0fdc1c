"""Who handles a case's matter (``personal_data.handles``): window matters and departments.

A session at a window sees a case's applicant data in full when the window's
``matters`` name the matter, its catalogue department or ``*``, or, with
``departments:`` configured, when the window's department owns the matter; a manager
(window None) always. Against the demo catalogue, no daemon.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.catalogue import load_catalogue
from hall.config import load_config
from hall.queue.cases.personal_data import handles
from tests.support import ROOT, hall_config, write_config

CATALOGUE = load_catalogue(ROOT / "hall/data/matters.yaml")
DEPARTMENT = {
    "code": "bdc",
    "name_zh": "不动产登记中心",
    "name_en": "Real Estate Registration",
    "matters": ["BDC-BF-001"],
    "windows": [3, 4],
    "chief": "S003",
}


@pytest.fixture
def config(tmp_path: Path):
    """The test hall with one department (windows 3 and 4, matter BDC-BF-001)."""
    return load_config(write_config(tmp_path / "c.yaml", hall_config(departments=[DEPARTMENT])))


def test_a_department_window_handles_the_department_matters(config) -> None:
    # Windows 3 and 4 list no matters of their own: the department gives them BDC-BF-001.
    assert config.window(3).matters == [] and config.window(4).matters == []
    assert handles(config, CATALOGUE, 3, "BDC-BF-001")
    assert handles(config, CATALOGUE, 4, "BDC-BF-001")
    assert not handles(config, CATALOGUE, 3, "BDC-ZY-001")  # not the department's
    assert not handles(config, CATALOGUE, 2, "BDC-BF-001")  # a window of no department
    assert not handles(config, CATALOGUE, 3, "SJ-DJ-001")
    assert handles(config, None, 4, "BDC-BF-001")  # no catalogue: the codes still count


def test_window_matters_still_count_beside_departments(config) -> None:
    # Window 1 lists 市场监督管理局 (a catalogue department) in its own matters.
    assert handles(config, CATALOGUE, 1, "SJ-DJ-001") and handles(config, CATALOGUE, 1, "SJ-SP-001")
    assert not handles(config, CATALOGUE, 1, "BDC-BF-001")
    assert handles(config, CATALOGUE, None, "BDC-BF-001")  # a manager
    assert not handles(config, CATALOGUE, 99, "BDC-BF-001")  # no such window


def test_without_departments_a_window_handles_only_its_matters(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "c.yaml", hall_config()))
    assert not handles(config, CATALOGUE, 3, "BDC-BF-001")
    assert handles(config, CATALOGUE, 1, "SJ-DJ-001")
