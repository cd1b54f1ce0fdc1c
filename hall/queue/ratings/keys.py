"""Rating keys (评价密钥): the only remote proof of holding a ticket or a notice.

The ticket id is no secret: staff see it in the finish answer, ``GET
/windows`` and every ``ticket.*`` event. So when a ticket is issued the daemon
makes a random key (:func:`new_key`, 128 bits) and answers it to the issuing
kiosk alone, which prints it in the ticket's QR code (``/t/<id>?k=<key>``). A
self-service terminal makes the key of a submission itself when it stores the
case (its notice is printed before the daemon has the case, maybe offline)
and sends it with the case.

The store keeps only the key's SHA-256 (:func:`keep`), never the key: no view,
event, page or export can show it, and a copy of the database does not give
it away. A plain hash is enough for a 128-bit random value, and it does not
depend on any other key of the hall (which may be rotated).

The online channel, and a terminal rating its own submission, present the
key; :func:`holds` compares digests in constant time and answers the same for
an unknown case, a case without a key and a wrong key. A transferred ticket
(转移) is rated with the key of the ticket that was printed:
:func:`ticket_holds` follows ``transferred_from`` back to it. The window
evaluator is the in-hall channel and needs no key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, select

from hall.queue.core.domain import QueueError
from hall.queue.core.tables.ratings import rating_keys_table
from hall.queue.core.tables.tickets import tickets_table
from hall.queue.core.writer import Tx

KEY_BYTES = 16  # 128 bits: token_urlsafe gives 22 characters
#: The longest key a request may carry (a terminal may make longer ones than ours).
MAX_KEY_LENGTH = 128
#: Transfers followed back to the printed ticket (the citizen's page follows as many).
MAX_HOPS = 10
_NO_ROW = hashlib.sha256(b"hall: no rating key").hexdigest()


def new_key() -> str:
    """A fresh random rating key (URL-safe, 128 bits)."""
    return secrets.token_urlsafe(KEY_BYTES)


def digest(key: str) -> str:
    """What the store keeps of a key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def keep(tx: Tx, subject: str, key: str) -> None:
    """Store the digest of ``subject``'s key (``ticket:<id>`` or ``submission:<id>``)."""
    tx.conn.execute(
        rating_keys_table.insert(),
        {"subject": subject, "digest": digest(key), "created_at": tx.now},
    )


def holds(conn: Connection, subject: str, key: str | None) -> bool:
    """True if ``key`` is ``subject``'s rating key; the comparison takes constant time."""
    t = rating_keys_table
    stored = conn.execute(select(t.c.digest).where(t.c.subject == subject)).scalar()
    # Compared even when there is no row or no key: the time tells nothing either way.
    same = hmac.compare_digest(stored or _NO_ROW, digest(key or ""))
    return bool(key) and stored is not None and same


def printed_ticket(conn: Connection, ticket_id: str) -> str:
    """The id of the ticket that was printed for ``ticket_id`` (itself unless transferred)."""
    t = tickets_table
    for _ in range(MAX_HOPS):
        came_from = conn.execute(select(t.c.transferred_from).where(t.c.id == ticket_id)).scalar()
        if came_from is None:
            break
        ticket_id = came_from
    return ticket_id


def ticket_holds(conn: Connection, ticket_id: str, key: str | None) -> bool:
    """True if ``key`` is the key printed on ``ticket_id``'s ticket (transfers followed)."""
    return holds(conn, f"ticket:{printed_ticket(conn, ticket_id)}", key)


def refused() -> QueueError:
    """403 for a missing or wrong key: the same for an unknown case, nothing to probe with."""
    return QueueError(
        403,
        "bad_rating_key",
        "评价密钥缺失或不正确，请扫描号票或通知书上的二维码进行评价",
        "The rating key is missing or wrong: scan the QR code on your ticket or notice to rate",
    )
