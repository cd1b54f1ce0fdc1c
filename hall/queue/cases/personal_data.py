"""A case's personal data in views: who sees it in full, and every read recorded.

The applicant of a self-service case (name, ID number, phone) and the form are
shown only in the single-case view (``GET /api/v1/submissions/{id}`` and the
answer of a staff action); lists, events and exports carry none of it
(:func:`hall.queue.cases.submissions.summary`). In the single-case view:

- the staff *handling* the case see it in full: a staff session at a window
  whose ``matters`` (config.yaml) name the case's matter code, its department
  in the catalogue, or ``*``, or at a window of the config's department
  (``departments:``) that owns the matter; managers too;
- any other staff see the applicant masked (王*明, 110105********002X,
  139****5678) and no form (it holds addresses, incomes, a spouse's ID).

Each such view is recorded in ``personal_data_reads`` in the transaction that
reads the case (who, when, which case, full or masked, window or address),
never the data itself; managers list the reads (``GET /api/v1/personal-data/reads``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from hall.config import HallConfig
from hall.idnumber import mask_id, mask_name
from hall.queue.core.tables.cases import submissions_table
from hall.queue.core.tables.security import personal_data_reads_table as R
from hall.queue.core.writer import Tx

ANY_MATTER = "*"


@dataclass(frozen=True)
class Reader:
    """Who reads a case: ``staff:<id>`` at a window, or ``manager:<name>`` (window None)."""

    actor: str
    window: int | None
    address: str


def handles(config: HallConfig, catalogue: Any, window: int | None, matter: str) -> bool:
    """True when a session at ``window`` handles cases of ``matter`` (None: a manager).

    The window's own ``matters`` (codes, catalogue departments, ``*``) and the matters
    of the department owning the window (config ``departments:``) both count.
    """
    if window is None:
        return True
    found = config.window(window)
    if found is None:
        return False
    names = set(found.matters)
    if ANY_MATTER in names or matter in names:
        return True
    department = config.department_of_window(window)  # config.yaml departments:
    if department is not None and matter in department.matters:
        return True
    entry = catalogue.get(matter) if catalogue is not None else None
    return entry is not None and entry.department in names


def mask_phone(phone: str) -> str:
    """139****5678: the first 3 and last 4 digits of a phone number (shorter: all hidden)."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def view(case: dict[str, Any], full: bool) -> dict[str, Any]:
    """The single-case view for a reader: in full, or masked for staff not handling it."""
    if full:
        return {**case, "personal_data": "full"}
    applicant = case["applicant"]
    masked = {
        "name": mask_name(str(applicant.get("name", ""))),
        "id_number": mask_id(str(applicant.get("id_number", ""))),
        "phone": mask_phone(str(applicant["phone"])) if applicant.get("phone") else None,
    }
    return {**case, "applicant": masked, "form": None, "personal_data": "masked"}


def record(tx: Tx, reader: Reader, case_id: str, what: str, full: bool) -> None:
    """Record one read of a case's personal data (in the reading transaction)."""
    tx.conn.execute(
        insert(R).values(
            ts=tx.now,
            actor=reader.actor,
            case_id=case_id,
            what=what,
            full=int(full),
            window=reader.window,
            address=reader.address,
        )
    )


def reads(
    tx: Tx, case_id: str | None, actor: str | None, limit: int, tz: dt.tzinfo
) -> dict[str, Any]:
    """The latest reads, newest first, by case and actor, times in the hall's zone."""
    query = (
        select(R, submissions_table.c.receipt)
        .join(submissions_table, submissions_table.c.id == R.c.case_id, isouter=True)
        .order_by(R.c.id.desc())
        .limit(limit)
    )
    if case_id:
        query = query.where(R.c.case_id == case_id)
    if actor:
        query = query.where(R.c.actor == actor)
    return {
        "reads": [
            {
                "at": dt.datetime.fromtimestamp(r.ts, tz).isoformat("T", "seconds"),
                "actor": r.actor,
                "case": r.case_id,
                "receipt": r.receipt,
                "what": r.what,
                "full": bool(r.full),
                "window": r.window,
                "address": r.address,
            }
            for r in tx.conn.execute(query)
        ]
    }
