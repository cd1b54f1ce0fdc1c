"""The ratings ledger anchored outside the box: older rows MACed, the head published and checked.

The MAC chain (:mod:`hall.queue.ratings.ledger`) shows that every row was
written by a holder of the ledger key. Two things it cannot show from inside
the box: that rows were cut off the end (the row before is still a sound end
of the chain), and that every MAC was stripped, the rows forged, and the next
start anchored them as an older store's. So the head, the last row's id and
MAC, leaves the box as it grows:

- every record forwarded upstream carries ``head`` as of itself (upstream.py),
  so the provincial platform holds a trail of heads;
- the statistics export and the manager page carry the head at that moment,
  the page as a short fingerprint (台账校验码: the row id and 16 hex digits of
  its MAC, :meth:`Head.fingerprint`) to print or write down;
- ``python -m hall.queue ledger-head`` prints it (one line, for a cron to mail).

``verify-ledger --against <id>:<hex>`` then checks the chain AND that row
``<id>`` still has the MAC (or hash) the published prefix begins with. What a
match proves: rows 1..id are byte for byte what they were when that head was
published, whoever holds the key, since their content fixes the row's hash
and so its MAC (a forger would have to find a different ledger whose MAC
begins with the same 16+ hex digits: 2**64 tries at 16, and without the key
not even one can be checked offline). It says nothing about rows after
``<id>`` (a later head does), nor that the rows were true when written: the
daemon holds the key, and so does anyone who can read the key file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from hall.queue.core.tables.daemon import meta_table
from hall.queue.core.tables.ratings import ledger_table
from hall.queue.core.writer import Tx
from hall.queue.ratings import ledger
from hall.queue.tickets import views
from hall.secrets.keyring import Keyring

log = logging.getLogger(__name__)

ANCHORED_KEY = "ledger_anchored"  # meta: "<first row MACed as written>:<ISO time>"
_BATCH = 10_000  # rows MACed per statement when an older store is anchored
MIN_PREFIX = 16  # hex digits of a published MAC or hash that --against accepts
_AGAINST = re.compile(rf"^(\d{{1,18}}):([0-9a-fA-F]{{{MIN_PREFIX},64}})$")


@dataclass(frozen=True)
class Head:
    """The last row of the ledger as published: its id, hash and MAC."""

    id: int
    hash: str
    mac: str | None  # None only in a store that could not be anchored

    @property
    def published(self) -> str:
        """``<id>:<mac>``, as ``ledger-head`` prints it and ``--against`` takes it."""
        return f"{self.id}:{self.mac or self.hash}"

    @property
    def fingerprint(self) -> str:
        """台账校验码: the id and the first 16 hex digits of the MAC, to print or write down."""
        return self.published[: len(str(self.id)) + 1 + MIN_PREFIX]

    def to_json(self) -> dict[str, Any]:
        """The head as forwarded upstream and shown to managers."""
        return {"id": self.id, "hash": self.hash, "mac": self.mac}


def head(conn: Connection) -> Head | None:
    """The ledger's last row, or None while it is empty."""
    t = ledger_table
    row = conn.execute(select(t.c.id, t.c.hash, t.c.mac).order_by(t.c.id.desc()).limit(1)).first()
    return Head(row.id, row.hash, row.mac) if row is not None else None


def head_of(row: Any) -> dict[str, Any]:
    """The head as of one ledger row (what a forwarded record carries)."""
    return Head(row.id, row.hash, row.mac).to_json()


def anchor_store(tx: Tx, ring: Keyring) -> int | None:
    """MAC the rows of a store written before MACs existed (at start); the first row MACed as written.

    Only when no row has a MAC yet: a store where some do and some do not was
    stripped in part, and blessing it would hide that, so those rows are left
    for :func:`ledger.verify` to report. The rows anchored here are only as
    good as the store was at this moment (docs/SECURITY.md).
    """
    t = ledger_table
    unmarked, marked = tx.conn.execute(
        select(func.count().filter(t.c.mac.is_(None)), func.count().filter(t.c.mac.is_not(None)))
    ).one()
    if not unmarked:
        return None
    if marked:
        first = tx.conn.execute(select(func.min(t.c.id)).where(t.c.mac.is_(None))).scalar()
        log.error(
            "ledger: %d records from %d have no MAC while %d have one: not anchored,"
            " verify-ledger reports them",
            unmarked,
            first,
            marked,
        )
        return None
    key = ring.current("ledger")
    prev, last = ledger.GENESIS, 0
    update = t.update().where(t.c.id == bindparam("rid")).values(mac=bindparam("m"), key_id=key.id)
    while rows := tx.conn.execute(  # in batches: a big ledger is never all in memory
        select(t.c.id, t.c.hash).where(t.c.id > last).order_by(t.c.id).limit(_BATCH)
    ).all():
        marks = []
        for rid, digest in rows:
            prev = ledger.chain_mac(key.secret, prev, digest)
            marks.append({"rid": rid, "m": prev})
        tx.conn.execute(update, marks)
        last = rows[-1][0]
    at = views.iso(tx.now)
    tx.conn.execute(meta_table.delete().where(meta_table.c.key == ANCHORED_KEY))
    tx.conn.execute(meta_table.insert().values(key=ANCHORED_KEY, value=f"{last + 1}:{at}"))
    log.warning(
        "ledger anchored from row %d at %s: the %d records before it were MACed as the store"
        " held them (docs/SECURITY.md)",
        last + 1,
        at,
        unmarked,
    )
    return last + 1


def parse_against(text: str) -> tuple[int, str]:
    """``<id>:<hex prefix>`` as published; ValueError (Chinese and English) otherwise."""
    m = _AGAINST.match(text.strip())
    if m is None:
        raise ValueError(
            f"--against 应为“记录号:校验码”，校验码至少{MIN_PREFIX}位十六进制 / --against wants"
            f" <id>:<MAC or hash>, at least {MIN_PREFIX} hex digits (got {text!r})"
        )
    return int(m.group(1)), m.group(2).lower()


def check_against(conn: Connection, report: ledger.Report, rid: int, prefix: str) -> ledger.Report:
    """The chain's report, failed unless row ``rid`` has the published MAC (or hash) prefix."""
    if not report.ok:
        return report
    row = ledger.get(conn, rid)
    if row is None:
        problem = f"record {rid} of the published head is gone: records at the end were cut off"
    elif (row.mac or "").startswith(prefix) or row.hash.startswith(prefix):
        return report
    else:
        problem = (
            f"record {rid} does not match the head published for it: record {rid}"
            " or one before it was rewritten since"
        )
    return ledger.Report(False, report.records, report.head_id, rid, problem)
