"""Rows of the register's ``cases`` table written straight into a real store.

For tests of what reads the register (figures, digest, 回访) before the register's
own API is there: every column the table requires, with defaults a test overrides.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from hall.queue.core.schema import open_engine
from hall.queue.core.tables.cases import cases_table

TS = dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC).timestamp()  # 10:00 in Beijing


def case_row(receipt: str, **values: Any) -> dict[str, Any]:
    """A ``cases`` row: an open 承诺件 of bdc received 2026-05-06, unless told otherwise."""
    row: dict[str, Any] = {
        "receipt": receipt,
        "source": "window",
        "matter": "BDC-BF-001",
        "department": "bdc",
        "kind": "承诺件",
        "status": "accepted",
        "received_at": TS,
        "received_on": "2026-05-06",
        "limit_days": 10,
        "window": 4,
        "opened_by": "S004",
        "id_fp": "0" * 32,
        "applicant": "{}",
        "materials": "[]",
        "missing": "[]",
        "clock_state": "running",
        "clock_reason": "",
        "extended_days": 0,
        "extensions": 0,
        "suspensions": 0,
        "returns": 0,
        "updated_at": TS,
    }
    # Every row has every column: an executemany takes its columns from the first row.
    for column in cases_table.c:
        row.setdefault(column.name, None)
    row.update(values)
    return row


def insert_cases(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Insert the rows in one transaction."""
    with engine.connect() as conn, conn.begin():
        conn.execute(cases_table.insert(), rows)


def store_with_cases(data_dir: Path, rows: list[dict[str, Any]]) -> None:
    """A daemon's store (``data_dir/hall.sqlite3``, made if new) holding ``rows``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(f"sqlite:///{data_dir / 'hall.sqlite3'}")
    try:
        insert_cases(engine, rows)
    finally:
        engine.dispose()
