"""enquiry_counts and form_options without HTTP: a real SQLite store, the test hall's config.

Periods are ISO days, both ends included: 2026-06-01 (Mon) to 2026-06-07 (Sun) below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from hall.catalogue import load_catalogue
from hall.config import HallConfig
from hall.queue.core.schema import open_engine
from hall.queue.core.tables.supervision import enquiries_table as E
from hall.queue.supervision.enquiries import enquiry_counts, form_options
from tests.queue.cases.case_helpers import register_config

#: (day, staff, matter, answer, channel)
ROWS = [
    ("2026-05-31", "S003", "BDC-ZY-001", "answered", "phone"),  # the day before: not counted
    ("2026-06-01", "S003", "BDC-ZY-001", "answered", "phone"),
    ("2026-06-03", "S003", "BDC-BF-001", "referred", "in_person"),
    ("2026-06-03", "S004", None, "guided", "in_person"),
    ("2026-06-07", "S004", "BDC-ZY-001", "recorded", "other"),  # the last day: counted
    ("2026-06-08", "S004", "BDC-ZY-001", "recorded", "other"),  # the day after: not counted
]


def test_counts_per_clerk_and_matter_over_a_period(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    with engine.connect() as conn, conn.begin():
        for n, (day, staff, matter, answer, channel) in enumerate(ROWS):
            conn.execute(
                insert(E).values(
                    ts=1e9 + n,
                    day=day,
                    staff_id=staff,
                    window=3,
                    channel=channel,
                    topic="咨询",
                    matter=matter,
                    answer=answer,
                )
            )
    with engine.connect() as conn:
        got = enquiry_counts(conn, "2026-06-01", "2026-06-07")
        as_dates = enquiry_counts(conn, dt.date(2026, 6, 1), dt.date(2026, 6, 7))
    engine.dispose()
    # Rows 2-5: S003 twice (BDC-ZY-001, BDC-BF-001), S004 twice (none, BDC-ZY-001).
    assert got["total"] == 4
    assert got["by_staff"] == {"S003": 2, "S004": 2}
    assert got["by_matter"] == {"": 1, "BDC-BF-001": 1, "BDC-ZY-001": 2}
    assert sorted((m["staff_id"], m["matter"], m["count"]) for m in got["by_staff_matter"]) == [
        ("S003", "BDC-BF-001", 1),
        ("S003", "BDC-ZY-001", 1),
        ("S004", "", 1),
        ("S004", "BDC-ZY-001", 1),
    ]
    assert got["by_answer"] == {"answered": 1, "guided": 1, "recorded": 1, "referred": 1}
    assert got["by_channel"] == {"in_person": 2, "other": 1, "phone": 1}
    assert as_dates == got  # the reports may pass dates


def test_the_form_offers_the_windows_departments_matters_by_name() -> None:
    config = HallConfig.model_validate(register_config())
    catalogue = load_catalogue()
    form = form_options(config, catalogue, 3)
    assert form["department"] == "bdc"
    assert [m["code"] for m in form["matters"]] == ["BDC-BF-001", "BDC-ZY-001"]
    assert form["matters"][0]["name"]["zh"] == catalogue["BDC-BF-001"].name
    everything = form_options(config, catalogue, None)  # a manager: every department's matters
    assert [m["code"] for m in everything["matters"]] == [
        "SJ-DJ-001",
        "SJ-SP-001",
        "BDC-BF-001",
        "BDC-ZY-001",
    ]
    assert form_options(config, catalogue, 2)["matters"] == []  # window 2: no department
