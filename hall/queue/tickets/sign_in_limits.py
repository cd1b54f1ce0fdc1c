"""Failed staff sign-ins (id + PIN): counted in the store, backoff, then lockout.

Each attempt is charged *before* its PIN is checked (:func:`admit` inserts a
"pending" row on the writer), so a burst of simultaneous guesses is counted
while scrypt still runs and only ``lockout_failures`` of them reach it. The
answer turns the row into a failure (:func:`failed`, which may lock the id or
the address) or removes it (:func:`succeeded`). Locks and counts live in the
database, so a restart keeps them; times are the daemon's clock (``tx.now``).
Settings: ``sign_in`` in config.yaml (hall/config/sign_in.py). Every failure is
logged with the staff id and the address, never the PIN. Manager accounts
(/manager/login) are counted the same way under ``manager:<id>`` in place of the
staff id, which no staff id can be, and leaders (/leaders/sign-in) under ``leader:<id>``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from hall.config import LEADER_PREFIX, MANAGER_PREFIX, SignInSection
from hall.queue.core.context import Context
from hall.queue.core.domain import QueueError, not_found
from hall.queue.core.tables.security import sign_in_failures_table as F
from hall.queue.core.tables.security import sign_in_locks_table as L
from hall.queue.core.writer import Tx
from hall.queue.tickets.views import iso

log = logging.getLogger(__name__)

PENDING, FAILED, CLEARED = "pending", "failed", "cleared"
STAFF, ADDRESS = "staff", "address"
KEEP_S = 90 * 86400  # failures and locks older than this are deleted


class TooManyAttempts(QueueError):
    """429 with a ``Retry-After`` header (seconds), set by the app's error handler."""

    def __init__(self, code: str, zh: str, en: str, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(429, code, zh, en, retry_after_s=seconds)
        self.headers = {"Retry-After": str(seconds)}


def wait_text(seconds: float) -> tuple[str, str]:
    """How long to wait, in words (zh, en): minutes from 90 s on, else seconds."""
    if seconds >= 90:
        minutes = math.ceil(seconds / 60)
        return f"{minutes}分钟", f"{minutes} min"
    return f"{max(1, math.ceil(seconds))}秒", f"{max(1, math.ceil(seconds))} s"


def locked(kind: str, subject: str, retry_after_s: float) -> TooManyAttempts:
    """The id (or the address) is locked: even the right PIN is refused."""
    zh_wait, en_wait = wait_text(retry_after_s)
    unlock_en = f"try again in {en_wait} or ask a manager to unlock it"
    if kind == STAFF and subject.startswith(MANAGER_PREFIX):
        manager_id = subject.removeprefix(MANAGER_PREFIX)
        zh = f"管理人员账号{manager_id}登录失败次数过多，已锁定，请{zh_wait}后再试或请其他管理人员解锁"
        en = f"Too many failed sign-ins for manager {manager_id}: locked, {unlock_en}"
    elif kind == STAFF and subject.startswith(LEADER_PREFIX):
        leader_id = subject.removeprefix(LEADER_PREFIX)
        zh = f"领导账号{leader_id}签到失败次数过多，已锁定，请{zh_wait}后再试或请管理人员解锁"
        en = f"Too many failed sign-ins for leader {leader_id}: locked, {unlock_en}"
    elif kind == STAFF:
        zh = f"工号{subject}登录失败次数过多，已锁定，请{zh_wait}后再试或请管理人员解锁"
        en = f"Too many failed sign-ins for staff id {subject}: locked, {unlock_en}"
    else:
        zh = f"此终端（{subject}）登录失败次数过多，已锁定，请{zh_wait}后再试或请管理人员解锁"
        en = f"Too many failed sign-ins from this address ({subject}): locked, {unlock_en}"
    return TooManyAttempts("sign_in_locked", zh, en, retry_after_s)


def slow_down(retry_after_s: float) -> TooManyAttempts:
    """Backoff: a try too soon after failures (or while others are still being checked)."""
    zh_wait, en_wait = wait_text(retry_after_s)
    return TooManyAttempts(
        "sign_in_wait",
        f"登录失败次数较多，请{zh_wait}后再试",
        f"Several failed sign-ins: wait {en_wait} before trying again",
        retry_after_s,
    )


def active_lock(tx: Tx, kind: str, subject: str, table: Any = L) -> Any:
    """The lock of ``subject`` in force now in a locks ``table`` (sign-in's, 办件查询's), or None."""
    return tx.conn.execute(
        select(table)
        .where(table.c.kind == kind, table.c.subject == subject)
        .where(table.c.until > tx.now, table.c.unlocked_at.is_(None))
        .order_by(table.c.until.desc())
        .limit(1)
    ).first()


def last_locked_at(tx: Tx, kind: str, subject: str, table: Any = L) -> float | None:
    """When ``subject`` was last locked in ``table`` (failures before it no longer count)."""
    return tx.conn.execute(
        select(func.max(table.c.locked_at)).where(table.c.kind == kind, table.c.subject == subject)
    ).scalar()


def _after(tx: Tx, cfg: SignInSection, kind: str, subject: str) -> float:
    """Failures after this time count: the window, and nothing from before the last lock."""
    locked_at = last_locked_at(tx, kind, subject)
    start = tx.now - cfg.lockout_window_s
    return start if locked_at is None else max(start, locked_at)


def _count(tx: Tx, kind: str, subject: str, states: tuple[str, ...], after: float) -> tuple:
    """How many rows of ``subject`` in ``states`` after ``after``, and the latest one's time."""
    column = F.c.staff_id if kind == STAFF else F.c.address
    return tx.conn.execute(
        select(func.count(), func.max(F.c.ts)).where(
            column == subject, F.c.state.in_(states), F.c.ts > after
        )
    ).one()


def admit(ctx: Context, tx: Tx, staff_id: str, address: str) -> int:
    """Check locks and backoff, then charge one attempt (a pending row); its id."""
    cfg: SignInSection = ctx.config.sign_in
    for kind, subject in ((STAFF, staff_id), (ADDRESS, address)):
        lock = active_lock(tx, kind, subject)
        if lock is not None:
            raise locked(kind, subject, lock.until - tx.now)
    staff_after = _after(tx, cfg, STAFF, staff_id)
    # Attempts still being checked count: a burst cannot overtake its own failures.
    n_staff, _ = _count(tx, STAFF, staff_id, (PENDING, FAILED), staff_after)
    n_addr, _ = _count(tx, ADDRESS, address, (PENDING, FAILED), _after(tx, cfg, ADDRESS, address))
    if n_staff >= cfg.lockout_failures or n_addr >= cfg.address_lockout_failures:
        raise slow_down(1)
    n_failed, last = _count(tx, STAFF, staff_id, (FAILED,), staff_after)
    if cfg.backoff_s > 0 and n_failed >= 2:
        ready = last + min(cfg.backoff_s * 2 ** (n_failed - 2), cfg.lockout_s)
        if tx.now < ready:
            raise slow_down(ready - tx.now)
    return tx.conn.execute(
        insert(F).values(ts=tx.now, staff_id=staff_id, address=address, state=PENDING)
    ).inserted_primary_key[0]


def succeeded(tx: Tx, attempt: int, staff_id: str) -> None:
    """The PIN was right: the attempt is no failure, and the id's failures are reset."""
    tx.conn.execute(delete(F).where(F.c.id == attempt))
    tx.conn.execute(
        update(F)
        .where(F.c.staff_id == staff_id, F.c.state == FAILED)
        .values(state=CLEARED, cleared_by=f"sign-in:{staff_id}")
    )


#: Accounts counted under a prefix in place of a staff id, and their word in messages.
_ACCOUNTS = ((MANAGER_PREFIX, "manager"), (LEADER_PREFIX, "leader"))


def failed(ctx: Context, tx: Tx, attempt: int, staff_id: str, address: str) -> QueueError:
    """The PIN was wrong: record it, lock what reached its limit; the error to answer."""
    cfg: SignInSection = ctx.config.sign_in
    tx.conn.execute(update(F).where(F.c.id == attempt).values(state=FAILED, ts=tx.now))
    n_staff, _ = _count(tx, STAFF, staff_id, (FAILED,), _after(tx, cfg, STAFF, staff_id))
    n_addr, _ = _count(tx, ADDRESS, address, (FAILED,), _after(tx, cfg, ADDRESS, address))
    log.warning(
        "staff sign-in failed: staff id %r from %s (%d of %d for the id, %d of %d from the address)",
        staff_id,
        address,
        n_staff,
        cfg.lockout_failures,
        n_addr,
        cfg.address_lockout_failures,
    )
    account = next((w for p, w in _ACCOUNTS if staff_id.startswith(p)), None)
    error = (
        QueueError(401, "bad_credentials", "工号或密码错误", "Unknown staff id or wrong PIN")
        if account is None
        else QueueError(
            401, "bad_credentials", "账号或密码错误", f"Unknown {account} id or wrong PIN"
        )
    )
    for kind, subject, n, limit in (
        (STAFF, staff_id, n_staff, cfg.lockout_failures),
        (ADDRESS, address, n_addr, cfg.address_lockout_failures),
    ):
        if n >= limit and active_lock(tx, kind, subject) is None:
            until = tx.now + cfg.lockout_s
            tx.conn.execute(
                insert(L).values(
                    kind=kind, subject=subject, locked_at=tx.now, until=until, failures=n
                )
            )
            log.warning("staff sign-in locked: %s %r after %d failures", kind, subject, n)
            error = locked(kind, subject, cfg.lockout_s)
    tx.conn.execute(delete(F).where(F.c.ts < tx.now - KEEP_S))
    tx.conn.execute(delete(L).where(L.c.until < tx.now - KEEP_S))
    return error


def unlock(tx: Tx, kind: str, subject: str, actor: str) -> dict[str, Any]:
    """A manager ends the locks of an id or address and resets its failures (recorded)."""
    column = F.c.staff_id if kind == STAFF else F.c.address
    locks = tx.conn.execute(
        update(L)
        .where(L.c.kind == kind, L.c.subject == subject)
        .where(L.c.until > tx.now, L.c.unlocked_at.is_(None))
        .values(unlocked_at=tx.now, unlocked_by=actor)
    ).rowcount
    cleared = tx.conn.execute(
        update(F)
        .where(column == subject, F.c.state == FAILED)
        .values(state=CLEARED, cleared_by=actor)
    ).rowcount
    if not locks and not cleared:
        what = "工号" if kind == STAFF else "地址"
        raise not_found(
            f"{what}{subject}的锁定或登录失败记录",
            f"a lock or failed sign-in of {kind} {subject}",
            code="no_sign_in_lock",
        )
    log.warning("staff sign-in unlocked: %s %r by %s", kind, subject, actor)
    return {
        "kind": kind,
        "subject": subject,
        "locks_ended": locks,
        "failures_cleared": cleared,
        "by": actor,
        "at": iso(tx.now),
    }


def recent(tx: Tx, limit: int, tz: dt.tzinfo) -> dict[str, Any]:
    """The latest failures and locks, newest first, times in the hall's zone (for the manager)."""

    def local(ts: float | None) -> str | None:
        return None if ts is None else dt.datetime.fromtimestamp(ts, tz).isoformat("T", "seconds")

    failures = tx.conn.execute(
        select(F).where(F.c.state != PENDING).order_by(F.c.id.desc()).limit(limit)
    )
    locks = tx.conn.execute(select(L).order_by(L.c.id.desc()).limit(limit))
    return {
        "now": local(tx.now),
        "failures": [
            {
                "at": local(r.ts),
                "staff_id": r.staff_id,
                "address": r.address,
                "state": r.state,
                "cleared_by": r.cleared_by,
            }
            for r in failures
        ],
        "locks": [lock_view(r, tx.now, local) for r in locks],
    }


def lock_view(r: Any, now: float, local: Callable[[float | None], str | None]) -> dict[str, Any]:
    """A lock row (sign-in or 办件查询 locks alike) as the manager page lists it."""
    return {
        "id": r.id,
        "kind": r.kind,
        "subject": r.subject,
        "locked_at": local(r.locked_at),
        "until": local(r.until),
        "failures": r.failures,
        "active": r.unlocked_at is None and r.until > now,
        "unlocked_at": local(r.unlocked_at),
        "unlocked_by": r.unlocked_by,
    }
