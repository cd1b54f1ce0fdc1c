"""How long a case's personal data lives at the daemon, and the one-off sealing of older stores.

* :func:`purge_closed`: ``submissions.retention_days`` after a case closed
  (办结 ``finished`` or 退回 ``returned``, the two states no action leaves), its
  material images are deleted and its applicant data, form and ID fingerprint
  are replaced by :data:`hall.queue.cases.sealed.ARCHIVED`. The case row stays
  (receipt, matter, terminal, dates, status, history, material names) for the
  statistics. A case still waiting to be forwarded upstream keeps its data
  until it is sent. Counter cases of the register (no form, no images) lose
  their applicant and ID fingerprint the same time after delivery or refusal.
  The images are unlinked, not overwritten: on flash storage
  an overwrite does not reach the old blocks, and the files were sealed, so
  without the key file what is left on the disk opens for no one.
  The daemon runs it at start and then once a day (:meth:`HallDaemon.housekeeping`).
* :func:`seal_plain_cases` + :func:`remove_plain_images`: a store written by an
  older version holds plain JSON and plain ``NN.jpg`` files; the daemon seals
  them once at start, logging how many.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import and_, not_, select

from hall.queue.cases import sealed
from hall.queue.cases.submissions import UPSTREAM, SubmissionStatus
from hall.queue.core.tables.cases import cases_table, submissions_table
from hall.queue.core.tables.daemon import outbox_table
from hall.queue.core.writer import Tx
from hall.secrets.keyring import Keyring

log = logging.getLogger(__name__)

CLOSED_STATES = (SubmissionStatus.FINISHED, SubmissionStatus.RETURNED)
DAY_S = 86400.0
_subs = submissions_table


def purge_closed(tx: Tx, root: Path, days: int) -> int:
    """Delete the personal data of cases closed more than ``days`` ago; return how many.

    A closed case is changed by nothing else, so its ``updated_at`` is when it closed.
    Files are removed inside the transaction: if it does not commit, the next
    round finds the case again and finishes.
    """
    cutoff = tx.now - days * DAY_S
    unsent = select(outbox_table.c.ref).where(
        outbox_table.c.target == UPSTREAM, outbox_table.c.sent_at.is_(None)
    )
    due = and_(
        _subs.c.status.in_(list(CLOSED_STATES)),
        _subs.c.updated_at < cutoff,
        _subs.c.applicant != sealed.ARCHIVED,
    )
    rows = tx.conn.execute(
        select(_subs.c.id, _subs.c.materials).where(due, _subs.c.id.not_in(unsent))
    ).all()
    for row in rows:
        names = [
            {k: m[k] for k in ("name", "mandatory", "sha256")} for m in json.loads(row.materials)
        ]
        tx.conn.execute(
            _subs.update()
            .where(_subs.c.id == row.id)
            .values(
                applicant=sealed.ARCHIVED,
                form=sealed.ARCHIVED,
                id_fp="",  # 办件查询 then answers "archived" (hall/queue/cases/submissions.py)
                materials=json.dumps(names, ensure_ascii=False),
            )
        )
        shutil.rmtree(root / row.id, ignore_errors=True)
    waiting = tx.conn.execute(
        select(_subs.c.id).where(due, _subs.c.id.in_(unsent)).limit(1000)
    ).all()
    if rows:
        log.info(
            "retention: personal data of %d closed cases deleted (closed more than %d days"
            " ago: images, applicant, form, ID fingerprint; submissions.retention_days)",
            len(rows),
            days,
        )
    if waiting:
        log.warning(
            "retention: %d closed cases past the retention keep their data until they are"
            " forwarded upstream",
            len(waiting),
        )
    _purge_counter_cases(tx, cutoff, days)
    return len(rows)


def _purge_counter_cases(tx: Tx, cutoff: float, days: int) -> None:
    """The same for counter cases of the register once delivered or refused (their last states)."""
    c = cases_table
    done = tx.conn.execute(
        c.update()
        .where(
            c.c.source == "window",
            c.c.status.in_(("delivered", "rejected")),
            c.c.updated_at < cutoff,
            c.c.applicant != sealed.ARCHIVED,
        )
        .values(applicant=sealed.ARCHIVED, id_fp="")
    ).rowcount
    if done:
        log.info(
            "retention: personal data of %d closed counter cases deleted (closed more than %d"
            " days ago: applicant, ID fingerprint; submissions.retention_days)",
            done,
            days,
        )


def seal_plain_cases(tx: Tx, ring: Keyring, root: Path) -> int:
    """Seal the plain applicant, form and images an older version stored; return how many cases.

    The sealed image files are written (fsynced) before the row points at them;
    the plain files go only after the commit (:func:`remove_plain_images`).
    """
    plain = not_(_subs.c.applicant.startswith("sealed:")) & (_subs.c.applicant != sealed.ARCHIVED)
    rows = tx.conn.execute(
        select(_subs.c.id, _subs.c.applicant, _subs.c.form, _subs.c.materials).where(plain)
    ).all()
    for row in rows:
        values: dict[str, Any] = {
            "applicant": sealed.seal_json(ring, row.id, "applicant", json.loads(row.applicant)),
        }
        if sealed.is_plain(row.form):
            values["form"] = sealed.seal_json(ring, row.id, "form", json.loads(row.form))
        materials = json.loads(row.materials)
        for m in materials:
            file = m.get("file")
            if not file or file.endswith(sealed.SEALED_SUFFIX) or not (root / file).exists():
                continue  # a missing file stays missing: the forwarder tells staff
            target = file + sealed.SEALED_SUFFIX
            jpeg = (root / file).read_bytes()
            sealed.write_image(ring, (root / target).parent, target, jpeg)
            m["file"] = target
        values["materials"] = json.dumps(materials, ensure_ascii=False)
        if (root / row.id).is_dir():
            (root / row.id).chmod(sealed.PRIVATE_DIR)  # was 0755
        tx.conn.execute(_subs.update().where(_subs.c.id == row.id).values(**values))
    if rows:
        log.warning(
            "personal data at rest: sealed %d case(s) an older version stored in plain", len(rows)
        )
    return len(rows)


def remove_plain_images(root: Path) -> int:
    """Delete every plain ``NN.jpg`` whose sealed copy exists (after the sealing committed)."""
    removed = 0
    for plain in root.glob("*/*.jpg"):
        if plain.with_name(plain.name + sealed.SEALED_SUFFIX).exists():
            plain.unlink(missing_ok=True)
            removed += 1
    return removed
