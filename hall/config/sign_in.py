"""config.yaml's ``sign_in:`` section: how staff id + PIN sign-ins are throttled.

Failures are counted in the database per staff id and per client address
(hall/queue/tickets/sign_in_limits.py): after the second failure of an id the
next try waits ``backoff_s``, doubling with each failure; ``lockout_failures``
failures of one id within ``lockout_window_s`` lock it for ``lockout_s`` (the
right PIN too) until the time is up or a manager unlocks it. One address is
locked the same way after ``address_lockout_failures`` failures, whatever ids
it tried. PINs are checked by scrypt on a pool of its own
(hall/queue/web/pins.py) so a flood of sign-ins cannot starve other requests.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class SignInSection(_Section):
    """Throttling of staff sign-ins (id + PIN) and the PIN check's thread pool."""

    lockout_failures: int = Field(
        5, ge=1, le=100, description="failures of one staff id within the window that lock it"
    )
    lockout_window_s: int = Field(900, ge=1, le=86400, description="failures count this long")
    lockout_s: int = Field(900, ge=1, le=86400, description="how long a lock lasts")
    address_lockout_failures: int = Field(
        20, ge=1, le=1000, description="failures from one client address that lock the address"
    )
    backoff_s: float = Field(
        1.0,
        ge=0,
        le=60,
        description="after an id's 2nd failure its next try waits this long, doubling; 0 = off",
    )
    verify_workers: int = Field(1, ge=1, le=8, description="threads that run scrypt")
    verify_queue: int = Field(
        16, ge=1, le=1000, description="sign-ins waiting for those threads; more are refused (429)"
    )
