"""The tables live in hall/queue/core/tables/, by concern, all on schema's one ``metadata``."""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import Table

from hall.queue.core import schema, tables

# Every table of the store. A new table is added here too: the list is what
# open_engine must create, so a table module that schema.py forgets shows up.
ALL_TABLES = {
    "case_callbacks",
    "case_events",
    "case_steps",
    "cases",
    "cards",
    "complaint_events",
    "complaints",
    "enquiries",
    "help_requests",
    "leader_visits",
    "leave",
    "selections",
    "announcements",
    "appointment_checkin",
    "appointments",
    "attendance",
    "evaluations",
    "events",
    "face_consents",
    "ledger",
    "manager_sessions",
    "meta",
    "outbox",
    "outbox_acks",
    "personal_data_reads",
    "progress_failures",
    "progress_locks",
    "rating_keys",
    "rectification_steps",
    "rectifications",
    "sign_in_failures",
    "sign_in_locks",
    "staff_sessions",
    "stats_days",
    "submission_history",
    "submissions",
    "tickets",
    "token_refusals",
    "vacancy_alerts",
    "window_pauses",
    "windows",
}


def _table_modules() -> list:
    return [
        importlib.import_module(f"{tables.__name__}.{info.name}")
        for info in pkgutil.iter_modules(tables.__path__)
    ]


def test_schema_registers_every_table_module() -> None:
    """open_engine's create_all sees a table only if schema.py imported its module."""
    found = {m.__name__ for m in _table_modules()}
    assert found == {m.__name__ for m in schema.TABLE_MODULES}


def test_every_table_is_on_the_one_metadata_and_named_table() -> None:
    """Each ``*_table`` of a table module is on ``schema.metadata``; nothing is left out."""
    assert schema.metadata is tables.metadata
    seen: set[str] = set()
    for module in _table_modules():
        for name, value in vars(module).items():
            if isinstance(value, Table):
                assert name == f"{value.name}_table", (module.__name__, name)
                assert value.metadata is schema.metadata, (module.__name__, name)
                assert value.name not in seen, value.name
                seen.add(value.name)
    assert seen == ALL_TABLES
    assert set(schema.metadata.tables) == ALL_TABLES


def test_open_engine_creates_every_table(tmp_path) -> None:
    """A new store gets every table, and the added columns (ADDED_COLUMNS) are declared."""
    engine = schema.open_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    try:
        with engine.connect() as conn:
            names = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name != 'sqlite_sequence'"
                )
            }
    finally:
        engine.dispose()
    assert names == ALL_TABLES
    for table, column in schema.ADDED_COLUMNS:
        assert column in schema.metadata.tables[table].c
