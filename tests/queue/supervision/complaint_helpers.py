"""A real store, key file and hall config for the 投诉 register's tests, with a settable clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hall.config import load_config
from hall.queue.core.context import Context
from hall.queue.core.schema import open_engine
from hall.queue.core.writer import Tx
from hall.queue.supervision import complaints
from hall.secrets.keyring import Keyring
from tests.support.config import hall_config, write_config

TZ = dt.timezone(dt.timedelta(hours=8))  # the test hall's Asia/Shanghai


def at(day: str, hour: int = 10) -> float:
    """A hall-local moment as the daemon's clock reads it."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ).timestamp()


@dataclass
class Register:
    """A context over a real SQLite store; :meth:`tx` is one transaction at a moment."""

    ctx: Context
    engine: Any

    def run(self, day: str, op: Any, hour: int = 10) -> Any:
        """``op(tx)`` in one transaction at ``hour`` on ``day``, committed unless it raises."""
        with self.engine.connect() as conn, conn.begin():
            return op(Tx(conn, at(day, hour)))

    def lodge(self, day: str, **kw: Any) -> Any:
        fields = {"channel": "phone", "taken_by": "S001", "summary": "窗口人员态度生硬"}
        new = complaints.NewComplaint(**{**fields, **kw})
        return self.run(day, lambda tx: complaints.lodge(self.ctx, tx, new))

    def act(self, day: str, cid: str, action: str, **body: Any) -> Any:
        return self.run(
            day, lambda tx: complaints.act(self.ctx, tx, "manager:m1", cid, action, body)
        )


def open_register(folder: Path, **complaint_cfg: Any) -> Register:
    """The test hall (tests/support/config.py) with ``supervision.complaints`` overrides."""
    cfg = hall_config()
    if complaint_cfg:
        cfg["supervision"] = {"complaints": complaint_cfg}
    config = load_config(write_config(folder / "config.yaml", cfg))
    ring = Keyring.open(folder / "hall.keys")
    ctx = Context.open(config, b"k" * 32, keyring=ring)
    return Register(ctx, open_engine(f"sqlite:///{folder / 'hall.sqlite3'}"))
