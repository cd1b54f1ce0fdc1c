"""A kiosk case's submission kept in step with the register (the kiosk's flows read it).

Since issue 15 a kiosk submission is a case of the register (same receipt); the
``submissions`` row keeps its own, older vocabulary, which the kiosk's 办件查询, the
citizen's page and the upstream forwarding know. After every register action on a
kiosk case its submission gets the matching status and a history line:

  received → received · returned → needs_correction · accepted, suspended → accepted ·
  finished, ready, delivered → finished · rejected → returned (已退回)
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from hall.queue.core.tables.cases import submission_history_table, submissions_table
from hall.queue.core.writer import Tx

#: register status → submissions.status
SUBMISSION_STATUS = {
    "received": "received",
    "returned": "needs_correction",
    "accepted": "accepted",
    "suspended": "accepted",
    "finished": "finished",
    "ready": "finished",
    "delivered": "finished",
    "rejected": "returned",
}


def history_note(action: str, body: dict[str, Any]) -> str:
    """The submission history's note for a register action (as the old routes wrote it)."""
    note = str(body.get("note") or "")
    extra = ""
    if action == "return":
        extra = "缺少：" + "、".join(body.get("missing") or [])
    elif action in ("extend", "suspend") and body.get("reason"):
        days = f"{body['days']}个工作日，" if action == "extend" else ""
        extra = ("延期" if action == "extend" else "暂停计时") + f"：{days}{body['reason']}"
    elif action == "reject" and body.get("basis"):
        extra = f"不予受理：{body.get('reason') or ''}（依据：{body['basis']}）"
    return "；".join(p for p in (note, extra) if p)


def sync(tx: Tx, case: Any, action: str, body: dict[str, Any], actor: str) -> Any:
    """Put a kiosk case's submission in step after ``action``; the submission row (or None)."""
    if case.submission_id is None:
        return None
    t = submissions_table
    sid = case.submission_id
    status = SUBMISSION_STATUS[case.status]
    values: dict[str, Any] = {"status": status, "updated_at": tx.now, "missing": case.missing}
    if case.clock_state != "finished":
        # None while stopped (补正, suspended): never 超时 while the clock does not run.
        values["promised_date"] = case.promised_date
    tx.conn.execute(t.update().where(t.c.id == sid), values)
    tx.conn.execute(
        submission_history_table.insert(),
        {
            "submission_id": sid,
            "ts": tx.now,
            "status": status,
            "note": history_note(action, body),
            "actor": actor,
        },
    )
    return tx.conn.execute(select(t).where(t.c.id == sid)).one()


def missing_of(row: Any) -> list[str]:
    """The open 补正 items of a submission row."""
    return json.loads(row.missing)
