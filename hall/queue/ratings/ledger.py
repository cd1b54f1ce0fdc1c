"""The ratings ledger (好差评台账): append-only records, chained by SHA-256 and by HMAC.

Every rating, 未评价 and appeal (复核) is one row of the ``ledger`` table. Each
row carries ``prev_hash`` (the hash of the row before it; 64 zeros for the
first) and ``hash = SHA-256(prev_hash + canonical(row))``, where the canonical
form is the JSON array of the row's fields in :data:`FIELDS` order (ids and
levels as integers, times as floats, UTF-8, no spaces). The id and hash of the
last row are also kept in the ``meta`` table (``ledger_head``), so cutting
rows off the end is noticed too.

Changing any field of a row breaks that row's hash; rewriting the hash as well
breaks the next row's ``prev_hash``; deleting a row breaks the next row's
``prev_hash`` (or the head, for the last). :func:`verify` reports the first
row where the chain does not hold. Nothing in the code updates or deletes a
ledger row: an appeal is a new row that points at the rating it marks.

The SHA-256 chain alone is no defence against someone who can write the
database file: the algorithm is public, so they recompute every hash and the
head. So each row also carries ``mac = HMAC-SHA256(K, prev_mac + hash)`` (hex
strings, ASCII; ``prev_mac`` is the MAC of the row before, 64 zeros for the
first) and ``key_id``, the id of the ``ledger`` key of the key file that made
it (:mod:`hall.secrets.keyring`, kept outside the database; after a
rotation new rows name the new key, old rows keep theirs). The MAC covers the
hash, which covers the row and everything before it, so it needs no canonical
form of its own; chaining the MACs too means a row cannot be moved or dropped
without the key. A row whose MAC does not match was written, or rewritten, by
someone without the key. What the MAC chain cannot show by itself (the end cut
off, or every MAC stripped and re-made at the next start) a head published
outside the box shows: :mod:`hall.queue.ratings.anchor`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, select, text

from hall.queue.core.tables.daemon import meta_table
from hall.queue.core.tables.ratings import ledger_table
from hall.queue.core.writer import Tx
from hall.secrets.keyring import Keyring

GENESIS = "0" * 64
HEAD_KEY = "ledger_head"
#: The hashed fields, in the order of the canonical serialisation.
FIELDS = (
    "id",
    "kind",
    "subject",
    "ticket_id",
    "submission_id",
    "number",
    "service",
    "window",
    "staff_id",
    "channel",
    "day",
    "ts",
    "level",
    "tags",
    "comment",
    "raw",
    "four_key",
    "device",
    "ref_id",
    "decision",
    "reason",
    "decided_by",
)
_INTS = {"id", "window", "level", "raw", "four_key", "ref_id"}
_INSERT = ledger_table.insert()
_LAST = (
    select(ledger_table.c.id, ledger_table.c.hash, ledger_table.c.mac)
    .order_by(ledger_table.c.id.desc())
    .limit(1)
)
_SELECT_ALL = "SELECT {} , prev_hash, hash, mac, key_id FROM ledger ORDER BY id".format(
    ", ".join(FIELDS)
)


def canonical(record: dict[str, Any]) -> bytes:
    """The bytes that are hashed for a record (see the module docstring)."""
    values = []
    for name in FIELDS:
        value = record.get(name)
        if value is not None:
            if name in _INTS:
                value = int(value)
            elif name == "ts":
                value = float(value)
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, record: dict[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash followed by the record's canonical form."""
    return hashlib.sha256(prev_hash.encode() + canonical(record)).hexdigest()


def chain_mac(secret: bytes, prev_mac: str, digest: str) -> str:
    """HMAC-SHA256 (hex) of the previous MAC followed by the row's hash (see the docstring)."""
    return hmac.digest(secret, (prev_mac + digest).encode(), "sha256").hex()


def append(tx: Tx, record: dict[str, Any], ring: Keyring) -> dict[str, Any]:
    """Append one record (without id, hashes and MAC); return it as stored.

    ``ring``: the key file; the row is MACed with its newest ``ledger`` key.
    """
    last = tx.conn.execute(_LAST).first()
    prev_id, prev_hash = (last.id, last.hash) if last else (0, GENESIS)
    # A row left without a MAC (a partly stripped store, anchor.py) fails verification
    # itself; the rows after it still chain on, from zeros.
    prev_mac = (last.mac if last else None) or GENESIS
    row = {name: record.get(name) for name in FIELDS}
    row.update(
        id=prev_id + 1,
        ts=float(record.get("ts", tx.now)),
        tags=record.get("tags") or "[]",
        comment=record.get("comment") or "",
        four_key=int(record.get("four_key") or 0),
    )
    row["prev_hash"] = prev_hash
    row["hash"] = chain_hash(prev_hash, row)
    key = ring.current("ledger")
    row["mac"] = chain_mac(key.secret, prev_mac, row["hash"])
    row["key_id"] = key.id
    tx.conn.execute(_INSERT, row)
    _set_head(tx.conn, row["id"], row["hash"])
    return row


def _set_head(conn: Connection, last_id: int, last_hash: str) -> None:
    value = f"{last_id}:{last_hash}"
    done = conn.execute(meta_table.update().where(meta_table.c.key == HEAD_KEY).values(value=value))
    if done.rowcount == 0:
        conn.execute(meta_table.insert().values(key=HEAD_KEY, value=value))


@dataclass
class Report:
    """What :func:`verify` found; ``broken_id`` is the first record that fails.

    ``head``: the last record as published (``<id>:<mac>``, :mod:`anchor`), when the chain holds.
    """

    ok: bool
    records: int
    head_id: int | None
    broken_id: int | None = None
    problem: str | None = None
    head: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The report as the API and the command print it."""
        return asdict(self)


def verify_rows(rows: Iterable[tuple], head: str | None, keys: dict[str, bytes]) -> Report:
    """Check a stream of ``FIELDS + (prev_hash, hash, mac, key_id)`` tuples in id order.

    ``keys``: the ledger keys of the key file by id (:func:`verify`).
    """
    prev_hash, prev_mac, prev_id, count = GENESIS, GENESIS, 0, 0
    sha = hashlib.sha256
    dumps = json.dumps
    for row in rows:
        count += 1
        rid = row[0]
        if row[-4] != prev_hash:
            return _broken_link(count, prev_id, rid)
        values = list(row[:-4])
        # Normalise like canonical(): SQLite may hand back a REAL as int and vice versa.
        values[11] = float(values[11])
        digest = sha(
            prev_hash.encode() + dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()
        if digest != row[-3]:
            return Report(False, count, prev_id, rid, "content does not match its hash")
        problem = _mac_problem(row[-2], row[-1], keys, prev_mac, digest)
        if problem:
            return Report(False, count, prev_id, rid, problem)
        prev_hash, prev_mac, prev_id = digest, row[-2], rid
    if head is not None and head != f"{prev_id}:{prev_hash}":
        head_id = head.split(":", 1)[0]
        return Report(
            False,
            count,
            prev_id,
            int(head_id) if head_id.isdigit() else None,
            f"the last record should be {head_id}: records at the end were removed or rewritten",
        )
    return Report(True, count, prev_id or None, head=f"{prev_id}:{prev_mac}" if prev_id else None)


def _mac_problem(
    mac: str | None, key_id: str | None, keys: dict[str, bytes], prev_mac: str, digest: str
) -> str | None:
    """Why a record's MAC does not hold, or None."""
    if mac is None:
        return (
            "no MAC: not anchored (an older store is anchored at the daemon's next start;"
            " if other records have one, MACs were stripped)"
        )
    secret = keys.get(key_id or "")
    if secret is None:
        return f"MAC by key {key_id!r}, which the key file does not hold (another hall's file?)"
    if not hmac.compare_digest(chain_mac(secret, prev_mac, digest), mac):
        return "MAC does not match: written or rewritten without the ledger key"
    return None


def _broken_link(count: int, prev_id: int, rid: int) -> Report:
    """A record whose prev_hash is not the hash of the record before it."""
    if prev_id == 0:
        return Report(False, count, None, rid, "the first record does not start the chain")
    if rid != prev_id + 1:
        gone = f"{prev_id + 1}" if rid == prev_id + 2 else f"{prev_id + 1}..{rid - 1}"
        return Report(False, count, prev_id, rid, f"record(s) {gone} before it were deleted")
    problem = f"altered and its hash rewritten (record {rid} still holds the original hash)"
    return Report(False, count, prev_id, prev_id, problem)


def verify(conn: Connection, ring: Keyring, batch: int = 10_000) -> Report:
    """Verify the hash and MAC chains on a (read) connection; streams, so memory stays flat.

    ``ring``: the key file, for the ledger keys (every key, so rows MACed before a
    rotation verify too).
    """
    keys = {k.id: k.secret for k in ring.keys("ledger")}
    head = conn.execute(select(meta_table.c.value).where(meta_table.c.key == HEAD_KEY)).scalar()
    cursor = conn.exec_driver_sql(_SELECT_ALL)

    def rows() -> Iterable[tuple]:
        while chunk := cursor.fetchmany(batch):
            yield from chunk

    try:
        return verify_rows(rows(), head, keys)
    finally:
        cursor.close()


def get(conn: Connection, record_id: int) -> Any:
    """One ledger row by id, or None."""
    return conn.execute(select(ledger_table).where(ledger_table.c.id == record_id)).first()


def by_subject(conn: Connection, kind: str, subject: str) -> Any:
    """The record of one kind for a case (rating, unrated, appeal), or None."""
    return conn.execute(
        select(ledger_table).where(ledger_table.c.kind == kind, ledger_table.c.subject == subject)
    ).first()


def count(conn: Connection) -> int:
    """How many records the ledger holds."""
    return conn.execute(text("SELECT count(*) FROM ledger")).scalar_one()
