"""The staff PIN check: throttled, on a bounded scrypt pool, the same work for unknown ids.

:func:`check_pin` is what /staff/login and /attendance/checkin run before a
window is opened (and :func:`check_manager_pin` what /manager/login runs): the attempt is charged in the store first
(hall/queue/tickets/sign_in_limits.py: locks, backoff), then scrypt runs on
:class:`PinVerifier`'s own threads, never the event loop's default executor
(which the citizen pages' reads use), and an unknown id is checked against a
dummy hash, so it takes as long as a wrong PIN and cannot be told apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from fastapi import Request

from hall.config import LEADER_PREFIX, MANAGER_PREFIX, SignInSection, hash_pin, verify_pin
from hall.queue.tickets import sign_in_limits
from hall.queue.web.deps import daemon_of


class PinVerifier:
    """scrypt on ``verify_workers`` threads, at most ``verify_queue`` sign-ins waiting."""

    def __init__(self, section: SignInSection) -> None:
        self._pool = ThreadPoolExecutor(section.verify_workers, thread_name_prefix="hall-pin")
        self._capacity = section.verify_workers + section.verify_queue
        self._in_use = 0  # touched on the event loop only
        # Same parameters as a real hash: an unknown id costs one scrypt like a wrong PIN.
        self._dummy = hash_pin(secrets.token_hex(8))

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a place for one sign-in, or 429 when the pool's queue is full."""
        if self._in_use >= self._capacity:
            raise sign_in_limits.TooManyAttempts(
                "sign_in_busy",
                "登录请求过多，请稍后再试",
                "Too many sign-ins at once: try again in a moment",
                1,
            )
        self._in_use += 1
        try:
            yield
        finally:
            self._in_use -= 1

    async def verify(self, pin: str, pin_hash: str | None) -> bool:
        """True when ``pin`` matches ``pin_hash``; None (unknown id) runs scrypt and is False."""
        future = self._pool.submit(verify_pin, pin, pin_hash or self._dummy)
        ok = await asyncio.wrap_future(future)
        return ok and pin_hash is not None

    def close(self) -> None:
        """Stop the threads (checks still queued are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def client_address(request: Request) -> str:
    """The address failures are counted against."""
    return request.client.host if request.client else "unknown"


async def check_pin(request: Request, staff_id: str, pin: str) -> None:
    """Return when ``pin`` is this staff member's; 401 or 429 (Retry-After) otherwise."""
    person = daemon_of(request).config.staff_member(staff_id)
    await _check(request, staff_id, pin, person.pin_hash if person else None)


async def check_manager_pin(request: Request, manager_id: str, pin: str) -> None:
    """The same check for a manager account, counted under ``manager:<id>``.

    Staff ids never contain ":", so a manager's failures and locks never mix
    with those of a staff id, even one spelled the same.
    """
    person = daemon_of(request).config.manager(manager_id)
    subject = MANAGER_PREFIX + manager_id
    await _check(request, subject, pin, person.pin_hash if person else None)


async def check_leader_pin(request: Request, leader_id: str, pin: str) -> None:
    """The same check for a leader (分管领导), counted under ``leader:<id>``."""
    person = daemon_of(request).config.leader(leader_id)
    await _check(request, LEADER_PREFIX + leader_id, pin, person.pin_hash if person else None)


async def _check(request: Request, staff_id: str, pin: str, pin_hash: str | None) -> None:
    daemon = daemon_of(request)
    verifier: PinVerifier = request.app.state.pins
    address = client_address(request)
    with verifier.slot():
        attempt = await daemon.run(
            lambda tx: sign_in_limits.admit(daemon.ctx, tx, staff_id, address)
        )
        ok = await verifier.verify(pin, pin_hash)
    if ok:
        await daemon.run(lambda tx: sign_in_limits.succeeded(tx, attempt, staff_id))
        return
    raise await daemon.run(
        lambda tx: sign_in_limits.failed(daemon.ctx, tx, attempt, staff_id, address)
    )
